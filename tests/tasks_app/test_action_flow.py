"""The flow action: flowTriggerReceive against a local Shopify Admin stand-in (spec/actions.md §9)."""

import json

import pytest

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)
from tests.tasks_app.integration_helpers import outcome_of, services_fixture  # noqa: F401  (fixtures)

GRAPHQL = "/admin/api/2026-07/graphql.json"
REPLY = {
    "data": {"flowTriggerReceive": {"userErrors": []}},
    "extensions": {
        "cost": {
            "requestedQueryCost": 10,
            "actualQueryCost": 10,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1990, "restoreRate": 100.0},
        }
    },
}


@pytest.fixture(autouse=True)
def _installed(shop, settings):
    shop.access_token = "shpat_test"
    shop.save()
    settings.HUB_BASE_URL = "https://hub.example"


def sent(services) -> dict:
    return json.loads(services.log[0][0].get_data())


def test_an_order_id_sends_the_order_trigger_with_every_user_field(perform, services, task_run):
    services.expect_request(
        GRAPHQL, method="POST", headers={"X-Shopify-Access-Token": "shpat_test"}
    ).respond_with_json(REPLY)

    run = perform("flow", {"order_id": "450789469", "user_number": 55, "user_string": "Love!"})

    request = sent(services)
    assert request["variables"] == {
        "handle": "mechanic-sent-order-data",
        "payload": {
            "order_id": 450789469,
            "user_boolean": False,
            "user_email": "hey@mechanic.invalid",
            "user_number": 55,
            "user_string": "Love!",
            "user_url": "https://mechanic.invalid/",
            "mechanic_task_id": str(task_run.task_id),
            "mechanic_event_topic": "shopify/orders/create",
            "mechanic_event_inspector_url": (
                f"https://hub.example/admin/events/event/{task_run.event_id}/change/?task_run_id={task_run.id}"
            ),
        },
    }
    assert "flowTriggerReceive(handle: $handle, payload: $payload)" in request["query"]
    assert_succeeded(run, REPLY)
    assert run.result_meta["shopify_admin_graphql_api_requests_count"] == 1
    assert run.result_meta["shopify_admin_graphql_api_cost"] == 10


def test_no_resource_sends_the_general_trigger(perform, services):
    services.expect_request(GRAPHQL).respond_with_json(REPLY)

    perform(
        "flow", {"user_boolean": "true", "user_email": "ops@acme.test", "user_url": "https://acme.test/x"}
    )

    payload = sent(services)["variables"]
    assert payload["handle"] == "mechanic-sent-general-data"
    assert {key: payload["payload"][key] for key in ("user_boolean", "user_email", "user_url")} == {
        "user_boolean": True,
        "user_email": "ops@acme.test",
        "user_url": "https://acme.test/x",
    }


def test_user_errors_fail_permanently(task_run, services):
    services.expect_request(GRAPHQL).respond_with_json(
        {"data": {"flowTriggerReceive": {"userErrors": [{"field": ["body"], "message": "Invalid handle"}]}}}
    )

    outcome = outcome_of(task_run, "flow", {"customer_id": 1})

    assert (outcome.error, outcome.permanent) == ("Shopify Flow refused the trigger: Invalid handle", True)


def test_a_shopify_outage_is_transient(task_run, services):
    services.expect_request(GRAPHQL).respond_with_data("oops", status=502)

    outcome = outcome_of(task_run, "flow", {})

    assert (outcome.error, outcome.permanent) == ("Received a Shopify error (bad gateway): oops", False)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (
            {"customer_id": 1, "order_id": 2},
            "give at most one of customer_id, order_id, product_id; got customer_id, order_id",
        ),
        (
            {"product_id": "gid://shopify/Product/1"},
            'option "product_id": takes a numeric id, not a global id (gid://shopify/Product/1)',
        ),
        ({"user_email": "nope"}, 'option "user_email": must be an email address, got "nope"'),
        ({"user_number": "many"}, 'option "user_number": must be a number, got "many"'),
        (
            {"colour": "red"},
            'option "colour": is not a flow option (expected customer_id, order_id, '
            "product_id, user_boolean, user_email, user_number, user_string, user_url)",
        ),
    ],
)
def test_invalid_options_fail_before_any_call(perform, services, options, error):
    run = perform("flow", options)

    assert_failed(run, error)
    assert services.log == []
