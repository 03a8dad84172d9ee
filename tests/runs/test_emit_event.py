"""``emit_event`` and ``create_shop``: the command line that creates shops and events."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from events.models import Event
from integrations.models import Shop
from runs.models import TaskRun
from tasks_app.models import Task

WEBHOOKS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "shopify-webhooks"

pytestmark = pytest.mark.django_db


def emit(*args) -> tuple[dict, str]:
    out, err = StringIO(), StringIO()
    call_command("emit_event", *args, "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_create_shop_creates_then_updates_a_shop():
    call_command("create_shop", "acme", "--name", "Acme", "--email", "hi@acme.test", stdout=StringIO())
    call_command(
        "create_shop", "acme.myshopify.com", "--timezone", "America/Chicago", "--no-email", stdout=StringIO()
    )

    shop = Shop.objects.get()
    assert shop.myshopify_domain == "acme.myshopify.com"
    assert (shop.data["name"], shop.data["email"], shop.data["customer_email"]) == (
        "Acme",
        "hi@acme.test",
        "hi@acme.test",
    )
    assert (shop.timezone_name, shop.email_sending_approved) == ("America/Chicago", False)


def test_create_shop_rejects_an_unknown_time_zone():
    with pytest.raises(CommandError, match="unknown time zone 'Mars/Base'"):
        call_command("create_shop", "acme", "--timezone", "Mars/Base", stdout=StringIO())
    assert not Shop.objects.exists()


def test_emit_event_sync_json_reports_every_run(shop):
    Task.objects.create(
        shop=shop,
        name="Echo",
        enabled=True,
        subscriptions=["shopify/orders/paid", "shopify/orders/paid+1.hour"],
        script='{% log "paid" %}{% action "echo", name: order.name %}',
    )
    data = (WEBHOOKS / "orders-paid.json").read_text()

    report, _ = emit("shopify/orders/paid", "--data", data, "--sync")

    event = Event.objects.get()
    assert report["event"] == {"id": str(event.id), "topic": "shopify/orders/paid", "data": json.loads(data)}
    one_ok = [{"number": 1, "ok": True, "error": None, "permanent": None}]
    assert report["event_run"] == {"status": "succeeded", "error": None, "attempts": one_ok}
    statuses = sorted((run["subscription"], run["status"]) for run in report["task_runs"])
    assert statuses == [("shopify/orders/paid", "succeeded"), ("shopify/orders/paid+1.hour", "scheduled")]
    (done,) = [run for run in report["task_runs"] if run["status"] == "succeeded"]
    assert done["logs"] == ["paid"]
    assert done["action_runs"] == [
        {
            "type": "echo",
            "options": {"name": "#9999"},
            "status": "succeeded",
            "result": {"name": "#9999"},
            "error": None,
            "attempts": one_ok,
        }
    ]
    assert done["attempts"] == one_ok
    assert report["child_events"] == []
    assert TaskRun.objects.get(subscription="shopify/orders/paid+1.hour").status == "scheduled"


def test_emit_event_sync_follows_child_events(shop):
    Task.objects.create(
        shop=shop,
        name="Parent",
        enabled=True,
        subscriptions=["user/start/now"],
        script='{% action "event", topic: "user/child/now", data: event.data %}',
    )
    Task.objects.create(
        shop=shop,
        name="Child",
        enabled=True,
        subscriptions=["user/child/now"],
        script="{% log event.data.n %}",
    )

    emit("user/start/now", "--data", '{"n": 7}', "--sync")

    child = Event.objects.get(topic="user/child/now")
    assert child.data == {"n": 7}
    assert child.parent.topic == "user/start/now"
    assert child.task_runs.get().logs == [7]


def test_emit_event_without_sync_leaves_the_event_run_due(shop):
    report, _ = emit("user/a/b")

    assert report["event_run"] == {"status": "due", "error": None, "attempts": []}
    assert report["task_runs"] == []


def test_emit_event_keeps_stdout_for_json_and_sends_email_to_stderr(shop, settings, capsys):
    settings.EMAIL_BACKEND = "hub.mail.StderrConsoleBackend"
    Task.objects.create(
        shop=shop,
        name="Mail",
        enabled=True,
        subscriptions=["user/mail/send"],
        script='{% action "email", to: "a@example.com", subject: "Hi", body: "<b>Hello</b>" %}',
    )

    call_command("emit_event", "user/mail/send", "--sync", "--json")

    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["task_runs"][0]["action_runs"][0]["status"] == "succeeded"
    assert "Subject: Hi" in err
    assert "Subject: Hi" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["shopify/orders"], "invalid topic 'shopify/orders'"),
        (["user/a/b", "--data", "{oops"], "--data: invalid JSON: Expecting property name"),
        (["user/a/b", "--data", '{"a": 1e400}'], "--data: invalid JSON: number out of range: 1e400"),
        (["user/a/b", "--shop", "nope"], "no shop nope.myshopify.com"),
    ],
)
def test_emit_event_names_what_is_wrong(shop, args, message):
    with pytest.raises(CommandError, match=message.replace("/", "/")):
        call_command("emit_event", *args, stdout=StringIO())
    assert not Event.objects.exists()


def test_emit_event_needs_a_shop_when_none_exists(db):
    with pytest.raises(CommandError, match="no shop exists"):
        call_command("emit_event", "user/a/b", stdout=StringIO())
