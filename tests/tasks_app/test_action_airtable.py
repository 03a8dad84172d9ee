"""The airtable action against a local Airtable REST stand-in (spec/actions.md §10)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)
from tests.tasks_app.integration_helpers import connect, outcome_of, services_fixture  # noqa: F401  (fixtures)

TABLE = {"name": "Demo Orders", "fields": [{"name": "Order Name", "type": "singleLineText"}]}
OPTIONS = {
    "account": "ops@acme.test",
    "method": "POST",
    "url_path": "/v0/meta/bases/appBase1/tables",
    "headers": {"Content-Type": "application/json"},
    "body": TABLE,
}


@pytest.fixture(autouse=True)
def _account(shop):
    connect(shop, "airtable", "ops@acme.test", token="atk-1", refresh_token="art-1")


def test_it_sends_the_call_with_the_account_token(perform, services):
    created = {"id": "tblNew1", "name": "Demo Orders", "fields": [{"id": "fld1", "name": "Order Name"}]}
    services.expect_request("/v0/meta/bases/appBase1/tables", method="POST").respond_with_json(created)

    run = perform("airtable", OPTIONS)

    ((request, _),) = services.log
    assert (request.headers["Authorization"], request.headers["Content-Type"]) == (
        "Bearer atk-1",
        "application/json",
    )
    assert json.loads(request.get_data()) == TABLE
    assert_succeeded(run, {"status": 200, "body": created})


def test_an_airtable_error_response_is_a_result(perform, services):
    error = {"error": {"type": "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND", "message": "Invalid permissions"}}
    services.expect_request("/v0/meta/bases/appBase1/tables").respond_with_json(error, status=403)

    run = perform("airtable", OPTIONS)

    assert_succeeded(run, {"status": 403, "body": error})


def test_a_get_needs_no_body_and_the_method_is_case_insensitive(perform, services):
    services.expect_request("/v0/appBase1/tblNew1", method="GET").respond_with_json({"records": []})

    run = perform("airtable", {**OPTIONS, "method": "get", "url_path": "/v0/appBase1/tblNew1", "body": None})

    assert services.log[0][0].get_data() == b""
    assert_succeeded(run, {"status": 200, "body": {"records": []}})


def test_an_expired_token_is_refreshed_before_the_call(perform, services, shop):
    from allauth.socialaccount.models import SocialToken

    SocialToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    services.expect_request("/oauth2/v1/token").respond_with_json(
        {"access_token": "atk-2", "refresh_token": "art-2", "expires_in": 3600}
    )
    services.expect_request("/v0/meta/bases/appBase1/tables").respond_with_json({"id": "tbl2"})

    run = perform("airtable", OPTIONS)

    assert services.log[1][0].headers["Authorization"] == "Bearer atk-2"
    assert_succeeded(run, {"status": 200, "body": {"id": "tbl2"}})


def test_a_refused_refresh_fails_permanently(task_run, services):
    from allauth.socialaccount.models import SocialToken

    SocialToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    services.expect_request("/oauth2/v1/token").respond_with_json({"error": "invalid_grant"}, status=400)

    outcome = outcome_of(task_run, "airtable", OPTIONS)

    assert (outcome.error, outcome.permanent) == (
        "Airtable refused to refresh the token of Airtable account ops@acme.test (invalid_grant); "
        "reconnect it",
        True,
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"headers": {}}, 'option "headers": must include "Content-Type": "application/json"'),
        ({"method": "OPTIONS"}, "option \"method\": 'OPTIONS' is not one of GET, POST, PATCH, PUT, DELETE"),
        ({"body": None}, 'option "body": is required for POST'),
        ({"url_path": "v0/x"}, "option \"url_path\": must start with /, got 'v0/x'"),
        (
            {"account": "nobody@acme.test"},
            'no Airtable account "nobody@acme.test" is connected to example.myshopify.com '
            "(connected: ops@acme.test); connect it at "
            "/accounts/airtable/login/?process=connect&shop=example.myshopify.com",
        ),
    ],
)
def test_bad_options_and_unknown_accounts_fail_without_a_call(perform, services, change, error):
    run = perform("airtable", {**OPTIONS, **change})

    assert_failed(run, error)
    assert services.log == []
