"""Library tasks that talk to Slack and Google, run end to end against local stand-ins.

Each task is imported from the library export, triggered by a realistic
event, and every action its first task run renders must succeed.
"""

import json
from datetime import UTC, datetime

from events.models import Event
from runs.inline import perform_event_now
from runs.models import ActionRun
from tasks_app.importer import import_tasks
from tests.conftest import TASKS_DIR, WEBHOOKS_DIR
from tests.tasks_app.integration_helpers import connect, services_fixture  # noqa: F401  (fixtures)

SID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"


def import_library_task(shop, file_name: str, options: dict):
    payload = json.loads((TASKS_DIR / file_name).read_text())
    (imported,) = import_tasks(shop, payload, options_override=options, enable=True)
    assert imported.task.enabled, imported.missing
    return imported.task


def run_event(shop, topic: str, data) -> list[ActionRun]:
    """Ingest and perform ``topic`` (and its follow-up events); the action runs of the first task run."""
    event = Event.objects.ingest(
        shop, topic, data, source="shopify" if topic.startswith("shopify/") else "user", enqueue=False
    )
    perform_event_now(event)
    runs = list(ActionRun.objects.filter(task_run__event=event).order_by("position"))
    assert runs, "the task rendered no action"
    for run in runs:
        assert (run.action_type, run.ok, run.error) == (run.action_type, True, None)
    return runs


def test_send_a_message_to_slack_posts_to_the_incoming_webhook(shop, services, settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]
    services.expect_request("/services/T000/B000/XXXX", method="POST").respond_with_data(
        "ok", content_type="text/html"
    )
    import_library_task(
        shop,
        "send-a-message-to-slack.json",
        {"slack_incoming_webhook_url__required": services.url_for("/services/T000/B000/XXXX")},
    )

    (run,) = run_event(shop, "mechanic/user/trigger", None)

    ((request, _),) = services.log
    assert json.loads(request.get_data()) == {"text": "hello, world!"}
    assert (run.action_type, run.result["status"], run.result["body"]) == ("http", 200, "ok")


def test_demonstration_post_to_a_slack_channel_posts_the_block_message(shop, services):
    connect(shop, "slack", "Acme Workspace", token="xoxb-acme")
    reply = {"ok": True, "channel": "C0123", "ts": "1700000000.000100"}
    services.expect_request("/api/chat.postMessage", method="POST").respond_with_json(reply)
    import_library_task(
        shop,
        "demonstration-post-to-a-slack-channel.json",
        {"slack_account__required": "Acme Workspace", "slack_channel_id__required": "C0123"},
    )

    (run,) = run_event(shop, "mechanic/user/trigger", None)

    ((request, _),) = services.log
    body = json.loads(request.get_data())
    assert request.headers["Authorization"] == "Bearer xoxb-acme"
    assert (body["channel"], body["text"], len(body["blocks"])) == ("C0123", "Slack Integration Test", 5)
    assert body["blocks"][4]["text"]["text"] == (
        "*Shop Details:*\n• Name: Example Shop\n• Domain: example.myshopify.com\n• Email: owner@example.com"
    )
    assert (run.action_type, run.result) == ("slack", {"status": 200, "body": reply})


GOOGLE_OPTIONS = {
    "google_account__required": "sheets@acme.test",
    "spreadsheet_title__required": "Order tracking",
}


def test_demonstration_google_sheet_creates_the_spreadsheet_on_a_manual_run(shop, services):
    connect(shop, "google", "sheets@acme.test", token="ya29.a0")
    services.expect_request("/v4/spreadsheets", method="POST").respond_with_json(
        {
            "spreadsheetId": SID,
            "properties": {"title": "Order tracking"},
            "sheets": [{"properties": {"sheetId": 0, "title": "Sheet1", "index": 0}}],
        }
    )
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Sheet1'!A1", method="PUT").respond_with_json(
        {"spreadsheetId": SID, "updatedRange": "Sheet1!A1:F1", "updatedRows": 1, "updatedColumns": 6}
    )
    import_library_task(shop, "demonstration-add-new-orders-to-google-sheet.json", GOOGLE_OPTIONS)

    (run,) = run_event(shop, "mechanic/user/trigger", None)

    assert json.loads(services.log[1][0].get_data())["values"] == [
        ["Order Number", "Date", "Customer", "Total", "Items", "Status"]
    ]
    assert (run.action_type, run.result) == (
        "google_sheets",
        {
            "spreadsheet_id": SID,
            "spreadsheet_url": f"https://docs.google.com/spreadsheets/d/{SID}",
            "title": "Order tracking",
            "folder_path": None,
        },
    )


def test_demonstration_google_sheet_appends_each_new_order(shop, services):
    connect(shop, "google", "sheets@acme.test", token="ya29.a0")
    services.expect_request(f"/v4/spreadsheets/{SID}", method="GET").respond_with_json(
        {"sheets": [{"properties": {"sheetId": 0, "title": "Sheet1", "index": 0}}]}
    )
    services.expect_request(
        f"/v4/spreadsheets/{SID}/values/'Sheet1':append", method="POST"
    ).respond_with_json(
        {
            "spreadsheetId": SID,
            "updates": {"updatedRange": "Sheet1!A2:F2", "updatedRows": 1, "updatedColumns": 6},
        }
    )
    import_library_task(
        shop,
        "demonstration-add-new-orders-to-google-sheet.json",
        {**GOOGLE_OPTIONS, "spreadsheet_id": SID, "create_sheet_mode__boolean": False},
    )
    order = json.loads((WEBHOOKS_DIR / "orders-create.json").read_text())

    (run,) = run_event(shop, "shopify/orders/create", order)

    created = datetime.fromisoformat(order["created_at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    items = ", ".join(f"{item['quantity']}x {item['title']}" for item in order["line_items"])
    customer = f"{order['customer']['first_name']} {order['customer']['last_name']}"
    row = [order["order_number"], created, customer, order["total_price"], items, order["financial_status"]]
    assert json.loads(services.log[1][0].get_data()) == {
        "range": "'Sheet1'",
        "majorDimension": "ROWS",
        "values": [row],
    }
    assert (run.action_type, run.result) == (
        "google_sheets",
        {
            "spreadsheet_id": SID,
            "updated_range": "Sheet1!A2:F2",
            "updated_rows": 1,
            "updated_columns": 6,
            "spreadsheet_url": f"https://docs.google.com/spreadsheets/d/{SID}",
        },
    )
