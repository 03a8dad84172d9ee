"""Moving the run models from ``tasks_app`` to ``runs`` keeps every stored row, on both databases."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("tasks_app", "0002_globals_secrets_bulk_email_templates"),
    ("events", "0003_shopify_deliveries_name"),
    ("integrations", "0002_rate_limits_connections"),
]
MOVED = ("eventrun", "taskrun", "actionrun", "bulkoperationmonitor")
WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def migrate(targets):
    """Migrate the test database to ``targets``; returns the models as of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def store_old_rows(apps):
    """A shop, a task, an event with its origin task, and one run of each kind, in the old tables."""
    shop = apps.get_model("integrations", "Shop").objects.create(myshopify_domain="old.myshopify.com")
    task = apps.get_model("tasks_app", "Task").objects.create(shop=shop, name="Old task", script="")
    event = apps.get_model("events", "Event").objects.create(
        shop=shop, topic="user/a/b", data={"n": 1}, origin_task=task, created_at=WHEN
    )
    common = {"shop": shop, "run_at": WHEN, "status": "succeeded", "ok": True, "attempts": 1}
    event_run = apps.get_model("tasks_app", "EventRun").objects.create(event=event, **common)
    task_run = apps.get_model("tasks_app", "TaskRun").objects.create(
        event_run=event_run, event=event, task=task, subscription="user/a/b", result=[{"log": "x"}], **common
    )
    action_run = apps.get_model("tasks_app", "ActionRun").objects.create(
        task_run=task_run, action_type="echo", options={"a": 1}, result={"a": 1}, **common
    )
    apps.get_model("tasks_app", "BulkOperationMonitor").objects.create(
        shop=shop,
        task=task,
        task_run=task_run,
        event=event,
        action_run=action_run,
        operation_id="gid://shopify/BulkOperation/1",
        operation_type="QUERY",
        api_version="2026-07",
        next_poll_at=WHEN,
    )
    return task.pk, event.pk, event_run.pk, task_run.pk, action_run.pk


@pytest.mark.django_db(transaction=True)
def test_the_run_models_move_to_the_runs_app_with_their_rows():
    migrate(BEFORE)
    task_id, event_id, event_run_id, task_run_id, action_run_id = store_old_rows(migrate(BEFORE))

    apps = migrate(latest())

    event = apps.get_model("events", "Event").objects.get(pk=event_id)
    event_run = apps.get_model("runs", "EventRun").objects.get(pk=event_run_id)
    task_run = apps.get_model("runs", "TaskRun").objects.get(pk=task_run_id)
    action_run = apps.get_model("runs", "ActionRun").objects.get(pk=action_run_id)
    monitor = apps.get_model("runs", "BulkOperationMonitor").objects.get()
    assert (event.origin_task_id, event.data) == (task_id, {"n": 1})
    assert (event_run.event_id, event_run.status, event_run.run_at) == (event_id, "succeeded", WHEN)
    assert (task_run.event_run_id, task_run.task_id, task_run.result) == (
        event_run_id,
        task_id,
        [{"log": "x"}],
    )
    assert (action_run.task_run_id, action_run.options, action_run.result) == (
        task_run_id,
        {"a": 1},
        {"a": 1},
    )
    assert (monitor.action_run_id, monitor.task_run_id, monitor.event_id) == (
        action_run_id,
        task_run_id,
        event_id,
    )
    tables = set(connection.introspection.table_names())
    assert {f"runs_{model}" for model in MOVED} <= tables
    assert not {f"tasks_app_{model}" for model in MOVED} & tables


@pytest.mark.django_db(transaction=True)
def test_a_task_that_led_to_events_can_be_deleted_once_they_only_keep_its_id():
    apps = migrate(latest())
    shop = apps.get_model("integrations", "Shop").objects.create(myshopify_domain="x.myshopify.com")
    task = apps.get_model("tasks_app", "Task").objects.create(shop=shop, name="T", script="")
    task_id = task.pk
    events = apps.get_model("events", "Event").objects
    event = events.create(shop=shop, topic="user/a/b", origin_task_id=task_id)

    task.delete()  # with the old foreign-key constraint, PostgreSQL refused this

    assert events.get(pk=event.pk).origin_task_id == task_id
    assert isinstance(task_id, uuid.UUID)
