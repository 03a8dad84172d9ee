"""The generic google action: host per path, GET body as query, JSON defaults (spec/actions.md §13)."""

import json

import pytest

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)
from tests.tasks_app.integration_helpers import connect, services_fixture  # noqa: F401  (fixtures)

ACCOUNT = "sheets@acme.test"


@pytest.fixture(autouse=True)
def _account(shop):
    connect(shop, "google", ACCOUNT, token="ya29.a0")


def test_a_get_sends_the_body_as_query_parameters(perform, services):
    files = {"files": [{"id": "1abc", "name": "Mechanic notes", "mimeType": "text/plain"}]}
    services.expect_request(
        "/drive/v3/files",
        method="GET",
        query_string={
            "q": "name contains 'Mechanic'",
            "pageSize": "10",
            "fields": "files(id,name)",
            "trashed": "false",
        },
    ).respond_with_json(files)

    run = perform(
        "google",
        {
            "account": ACCOUNT,
            "method": "GET",
            "url_path": "/drive/v3/files",
            "headers": {"Accept": "application/json"},
            "body": {
                "q": "name contains 'Mechanic'",
                "pageSize": 10,
                "fields": "files(id,name)",
                "trashed": False,
            },
        },
    )

    ((request, _),) = services.log
    assert (request.headers["Authorization"], request.headers["Accept"], request.get_data()) == (
        "Bearer ya29.a0",
        "application/json",
        b"",
    )
    assert_succeeded(run, {"status": 200, "body": files})


def test_a_get_with_a_query_string_ignores_the_body(perform, services):
    services.expect_request("/drive/v3/files", query_string="pageSize=1").respond_with_json({"files": []})

    run = perform(
        "google",
        {
            "account": ACCOUNT,
            "method": "GET",
            "url_path": "/drive/v3/files?pageSize=1",
            "body": {"pageSize": 50},
        },
    )

    assert_succeeded(run, {"status": 200, "body": {"files": []}})


def test_a_string_body_is_uploaded_verbatim(perform, services):
    services.expect_request(
        "/upload/drive/v3/files", method="POST", query_string="uploadType=media"
    ).respond_with_json({"kind": "drive#file", "id": "1txt", "name": "Untitled", "mimeType": "text/plain"})

    run = perform(
        "google",
        {
            "account": ACCOUNT,
            "method": "POST",
            "url_path": "/upload/drive/v3/files?uploadType=media",
            "headers": {"Accept": "application/json", "Content-Type": "text/plain"},
            "body": "Hello world!",
        },
    )

    request = services.log[0][0]
    assert (request.headers["Content-Type"], request.get_data()) == ("text/plain", b"Hello world!")
    assert_succeeded(
        run,
        {
            "status": 200,
            "body": {"kind": "drive#file", "id": "1txt", "name": "Untitled", "mimeType": "text/plain"},
        },
    )


def test_sheets_paths_go_to_the_sheets_host_without_the_prefix_and_default_to_json(perform, services):
    body = {"properties": {"title": "Sheet File Title"}}
    services.expect_request("/v4/spreadsheets", method="POST").respond_with_json(
        {"spreadsheetId": "1s"}, status=200
    )

    run = perform(
        "google", {"account": ACCOUNT, "method": "POST", "url_path": "/sheets/v4/spreadsheets", "body": body}
    )

    request = services.log[0][0]
    assert (request.headers["Accept"], request.headers["Content-Type"]) == (
        "application/json",
        "application/json",
    )
    assert json.loads(request.get_data()) == body
    assert_succeeded(run, {"status": 200, "body": {"spreadsheetId": "1s"}})


def test_a_google_error_is_a_result(perform, services):
    error = {"error": {"code": 404, "message": "File not found: 1zz.", "status": "NOT_FOUND"}}
    services.expect_request("/drive/v3/files/1zz").respond_with_json(error, status=404)

    run = perform("google", {"account": ACCOUNT, "method": "DELETE", "url_path": "/drive/v3/files/1zz"})

    assert_succeeded(run, {"status": 404, "body": error})


def test_an_unsupported_path_prefix_is_a_validation_error(perform, services):
    run = perform("google", {"account": ACCOUNT, "method": "GET", "url_path": "/gmail/v1/users/me/messages"})

    assert_failed(
        run,
        "option \"url_path\": '/gmail/v1/users/me/messages' is not a supported Google API path "
        "(use /drive/..., /upload/..., /sheets/v4/... or /v1/documents...)",
    )
    assert services.log == []
