"""The slack action against a local Slack Web API stand-in (spec/actions.md §15)."""

import json

import pytest

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)
from tests.tasks_app.integration_helpers import (  # noqa: F401  (fixtures)
    connect,
    outcome_of,
    services_fixture,
)

MESSAGE = {"channel": "C0123", "text": "Order #1001", "blocks": [{"type": "divider"}]}
OPTIONS = {
    "account": "Acme Workspace",
    "method": "POST",
    "url_path": "/chat.postMessage",
    "headers": {"Content-Type": "application/json"},
    "body": MESSAGE,
}


@pytest.fixture(autouse=True)
def _workspace(shop):
    connect(shop, "slack", "Acme Workspace", token="xoxb-acme")


def test_it_posts_the_message_with_the_workspace_bot_token(perform, services):
    reply = {"ok": True, "channel": "C0123", "ts": "1700000000.000100", "message": {"text": "Order #1001"}}
    services.expect_request("/api/chat.postMessage", method="POST").respond_with_json(reply)

    run = perform("slack", OPTIONS)

    ((request, _),) = services.log
    assert request.headers["Authorization"] == "Bearer xoxb-acme"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.get_data()) == MESSAGE
    assert_succeeded(run, {"status": 200, "body": reply})


def test_a_slack_api_error_is_still_a_result(perform, services):
    services.expect_request("/api/chat.update").respond_with_json({"ok": False, "error": "channel_not_found"})

    run = perform("slack", {**OPTIONS, "url_path": "/chat.update"})

    assert_succeeded(run, {"status": 200, "body": {"ok": False, "error": "channel_not_found"}})


@pytest.mark.parametrize("status", [429, 503])
def test_rate_limits_and_server_errors_are_results(perform, services, status):
    services.expect_request("/api/chat.delete").respond_with_json(
        {"ok": False, "error": "ratelimited"}, status=status
    )

    run = perform("slack", {**OPTIONS, "url_path": "/chat.delete", "body": {"channel": "C0123", "ts": "1.2"}})

    assert_succeeded(run, {"status": status, "body": {"ok": False, "error": "ratelimited"}})


def test_a_task_authorization_header_is_replaced_by_the_bot_token(perform, services):
    services.expect_request("/api/chat.postMessage").respond_with_json({"ok": True})

    perform(
        "slack", {**OPTIONS, "headers": {"Content-Type": "application/json", "authorization": "Bearer x"}}
    )

    assert services.log[0][0].headers["Authorization"] == "Bearer xoxb-acme"


def test_an_unknown_workspace_fails_permanently_and_says_how_to_connect(task_run, services):
    outcome = outcome_of(task_run, "slack", {**OPTIONS, "account": "Other"})

    assert (outcome.error, outcome.permanent) == (
        'no Slack account "Other" is connected to example.myshopify.com (connected: Acme Workspace); '
        "connect it at /accounts/slack/login/?process=connect&shop=example.myshopify.com",
        True,
    )
    assert services.log == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            {"url_path": "/conversations.list"},
            "option \"url_path\": '/conversations.list' is not supported; "
            "use /chat.postMessage, /chat.update, /chat.delete",
        ),
        ({"method": "GET"}, "option \"method\": 'GET' is not one of POST"),
        (
            {"headers": None},
            'option "headers": is required and must include "Content-Type": "application/json"',
        ),
        (
            {"headers": {"Content-Type": "text/plain"}},
            'option "headers": must include "Content-Type": "application/json"',
        ),
        ({"body": "hello"}, 'option "body": must be an object, got string'),
        ({"account": None}, 'option "account": is required'),
    ],
)
def test_invalid_options_fail_before_any_call(perform, services, change, error):
    run = perform("slack", {**OPTIONS, **change})

    assert_failed(run, error)
    assert services.log == []


def test_no_response_is_a_transient_failure(task_run, settings):
    settings.HUB_SLACK_API_URL = "http://127.0.0.1:9/api"

    outcome = outcome_of(task_run, "slack", OPTIONS)

    assert (outcome.error, outcome.permanent) == (
        "Slack API request POST http://127.0.0.1:9/api/chat.postMessage failed: Connection refused",
        False,
    )
