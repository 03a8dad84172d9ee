"""The operator console: import, export, run, preview and replay through the admin."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Event
from tasks_app.models import Task

LIBRARY = Path(__file__).resolve().parents[3] / "shared" / "reference" / "mechanic-tasks" / "tasks"

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw-for-tests-only")
    client.force_login(user)
    return client


def test_import_upload_creates_a_disabled_task(staff, shop):
    payload = (LIBRARY / "email-customer-when-order-paid.json").read_bytes()

    response = staff.post(
        reverse("admin:tasks_app_task_import"),
        {"shop": shop.pk, "file": SimpleUploadedFile("paid.json", payload, "application/json")},
    )

    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.name, task.enabled, task.subscriptions) == (
        "Email customer when their order is paid",
        False,
        ["shopify/orders/paid"],
    )


def test_import_upload_of_broken_json_names_the_problem_and_stores_nothing(staff, shop):
    response = staff.post(
        reverse("admin:tasks_app_task_import"),
        {"shop": shop.pk, "file": SimpleUploadedFile("broken.json", b'{"name": "x",', "application/json")},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and errors[0].startswith("broken.json")
    assert not Task.objects.exists()


def test_export_downloads_the_task_as_a_mechanic_export(staff, shop):
    task = Task.objects.create(
        shop=shop, name="Export me", script='{% log "x" %}', subscriptions=["user/a/b"], options={"k": 1}
    )

    response = staff.get(reverse("admin:tasks_app_task_export", args=[task.pk]))

    assert response["Content-Disposition"] == 'attachment; filename="Export me.json"'
    exported = json.loads(response.content)
    assert (exported["name"], exported["script"], exported["subscriptions"], exported["options"]) == (
        "Export me",
        '{% log "x" %}',
        ["user/a/b"],
        {"k": 1},
    )


def test_run_task_creates_a_trigger_event_for_that_task_only(staff, shop):
    task = Task.objects.create(
        shop=shop, name="Manual", enabled=True, subscriptions=["mechanic/user/trigger"]
    )

    staff.post(reverse("admin:tasks_app_task_run", args=[task.pk]))

    event = Event.objects.get()
    assert (event.topic, event.data, event.task_ids, event.source) == (
        "mechanic/user/trigger",
        None,
        [str(task.pk)],
        "user",
    )
    assert event.run.status == "due"


def test_run_task_refuses_a_task_without_the_trigger_subscription(staff, shop):
    task = Task.objects.create(shop=shop, name="Paid", enabled=True, subscriptions=["shopify/orders/paid"])

    response = staff.post(reverse("admin:tasks_app_task_run", args=[task.pk]), follow=True)

    assert not Event.objects.exists()
    assert "does not subscribe to mechanic/user/trigger" in response.content.decode()


def test_preview_page_shows_actions_and_logs(staff, shop):
    task = Task.objects.create(
        shop=shop,
        name="Preview me",
        subscriptions=["shopify/orders/create"],
        script='{% log "seen" %}{% action "echo", id: order.id %}',
    )

    response = staff.get(reverse("admin:tasks_app_task_preview", args=[task.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "shopify/orders/create" in page
    assert "echo: {&quot;id&quot;:" in page
    assert "seen" in page


def test_replay_creates_a_new_event_with_the_same_topic_and_data(staff, shop):
    original = Event.objects.ingest(shop, "user/a/b", {"n": 1}, source="webhook", enqueue=False)

    staff.post(
        reverse("admin:events_event_changelist"),
        {"action": "replay", "_selected_action": [str(original.pk)]},
    )

    replayed = Event.objects.exclude(pk=original.pk).get()
    assert (replayed.topic, replayed.data, replayed.source) == ("user/a/b", {"n": 1}, "webhook")
    assert replayed.run.status == "due"


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:tasks_app_task_changelist",
        "admin:events_event_changelist",
        "admin:events_webhook_changelist",
        "admin:runs_taskrun_changelist",
        "admin:runs_actionrun_changelist",
        "admin:integrations_shop_changelist",
        "admin:tasks_app_cacheentry_changelist",
    ],
)
def test_console_lists_load(staff, shop, url_name):
    assert staff.get(reverse(url_name)).status_code == 200


def test_the_editor_refuses_a_script_that_does_not_parse(staff, shop):
    task = Task.objects.create(shop=shop, name="Edit me", script='{% log "ok" %}', subscriptions=["user/a/b"])
    form = {
        "shop": shop.pk,
        "name": "Edit me",
        "script": "{% if x %}\n{{ 1 | upcse }}",
        "options": "{}",
        "subscriptions_template": "user/a/b",
        "docs": "",
        "tags": "[]",
        "preview_event_definitions": "[]",
        "shopify_api_version": "2026-07",
    }

    response = staff.post(reverse("admin:tasks_app_task_change", args=[task.pk]), form)

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["script"]
    assert error.startswith("Liquid error (line 2, column ")
    assert "did you mean 'upcase'?" in error
    task.refresh_from_db()
    assert task.script == '{% log "ok" %}'
