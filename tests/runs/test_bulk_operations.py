"""Bulk operations end to end against the stand-in (spec/runtime.md §14.3)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from runs import bulk
from runs.inline import perform_event_now
from runs.models import BulkOperationMonitor, RunStatus, TaskRun
from tasks_app import bulk_results
from tasks_app.importer import import_tasks
from tests.conftest import TASKS_DIR
from tests.standin.standin_helpers import clock_fixture, standin_fixture  # noqa: F401  (fixtures)

TASK_FILE = TASKS_DIR / "sync-an-inverse-customer-tag.json"
OPTIONS = {
    "customer_tag_to_watch__required": "wholesale",
    "customer_tag_to_use_when_missing__required": "retail",
}


@pytest.fixture
def task(shop):
    (imported,) = import_tasks(shop, TASK_FILE.read_text(), options_override=OPTIONS, enable=True)
    return imported.task


def start_bulk_query(shop, task) -> Event:
    trigger = Event.objects.ingest(
        shop, "mechanic/user/trigger", None, enqueue=False, task_ids=[str(task.id)]
    )
    perform_event_now(trigger)
    return trigger


def monitor_now_due() -> BulkOperationMonitor:
    monitor = BulkOperationMonitor.objects.get()
    BulkOperationMonitor.objects.filter(pk=monitor.pk).update(next_poll_at=timezone.now())
    return monitor


def test_a_bulk_query_task_runs_again_with_the_objects(shop, task, standin):
    trigger = start_bulk_query(shop, task)
    start = trigger.run.task_runs.get().action_runs.get()
    assert start.status == RunStatus.SUCCEEDED
    operation_id = start.result["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
    number = operation_id.rsplit("/", 1)[1]
    monitor = monitor_now_due()

    assert bulk.poll_due_monitors() == 1

    monitor.refresh_from_db()
    done = Event.objects.get(topic="mechanic/shopify/bulk_operation")
    assert (monitor.status, monitor.polls, monitor.completion_event_id) == ("COMPLETED", 1, done.pk)
    assert (done.origin_task_id, done.parent_id, done.source) == (task.id, trigger.pk, "mechanic")
    assert done.data == {
        "id": operation_id,
        "status": "COMPLETED",
        "type": "QUERY",
        "errorCode": None,
        "createdAt": done.data["createdAt"],
        "completedAt": done.data["completedAt"],
        "objectCount": "5",
        "rootObjectCount": "5",
        "fileSize": done.data["fileSize"],
        "url": f"{standin.url}/bulk-results/{number}.jsonl",
        "partialDataUrl": None,
        "query": done.data["query"],
    }

    perform_event_now(done)

    task_run = TaskRun.objects.get(event=done)
    assert task_run.status == RunStatus.SUCCEEDED, task_run.error
    assert [run.status for run in task_run.action_runs.all()] == [RunStatus.SUCCEEDED] * 4
    tags = {record["email"]: record["tags"] for record in standin.store.of_type("Customer")}
    assert tags == {
        "john@example.com": ["retail"],
        "bob.norman@example.com": ["wholesale"],
        "amelia@example.co.uk": ["wholesale"],
        "lena@example.de": ["newsletter", "retail"],
        "bob@biller.com": ["tag1", "tag2", "retail"],
    }
    assert bulk.poll_due_monitors() == 0


def test_the_objects_are_the_parsed_result_file(shop, standin):
    operation = {"id": "gid://shopify/BulkOperation/1", "status": "FAILED", "url": None}
    event = Event.objects.create(shop=shop, topic="mechanic/shopify/bulk_operation", data=operation)
    assert bulk_results.bulk_operation_data(event) == {**operation, "objects": []}


def test_a_bulk_operations_finish_delivery_completes_the_monitor_at_once(
    shop, task, standin, django_capture_on_commit_callbacks
):
    start_bulk_query(shop, task)
    monitor = BulkOperationMonitor.objects.get()
    payload = {
        "admin_graphql_api_id": monitor.operation_id,
        "completed_at": None,
        "created_at": None,
        "error_code": None,
        "status": "completed",
        "type": "query",
    }

    with django_capture_on_commit_callbacks(execute=True):
        Event.objects.ingest(
            shop,
            "shopify/bulk_operations/finish",
            payload,
            source="shopify",
            shopify_topic="shopify/bulk_operations/finish",
            enqueue=False,
        )

    monitor.refresh_from_db()
    assert monitor.status == "COMPLETED"
    assert Event.objects.filter(topic="mechanic/shopify/bulk_operation").count() == 1


def test_a_failed_operation_is_delivered_with_no_objects(shop, task, standin):
    standin.store.bulk_reads_to_complete = 3
    start_bulk_query(shop, task)
    monitor = monitor_now_due()
    standin.store.finish_bulk_operation(
        monitor.operation_id, status="FAILED", error_code="INTERNAL_SERVER_ERROR"
    )

    bulk.poll(monitor, enqueue=False)

    done = Event.objects.get(topic="mechanic/shopify/bulk_operation")
    assert (done.data["status"], done.data["errorCode"], done.data["url"]) == (
        "FAILED",
        "INTERNAL_SERVER_ERROR",
        None,
    )
    perform_event_now(done)
    task_run = TaskRun.objects.get(event=done)
    assert (task_run.status, list(task_run.action_runs.all())) == (RunStatus.SUCCEEDED, [])


def test_a_running_operation_keeps_being_polled_with_backoff(shop, task, standin):
    standin.store.bulk_reads_to_complete = 3
    start_bulk_query(shop, task)
    monitor = monitor_now_due()

    assert bulk.poll(monitor) is False

    monitor.refresh_from_db()
    assert (monitor.status, monitor.polls, monitor.completed_at) == ("RUNNING", 1, None)
    assert (monitor.next_poll_at - monitor.last_polled_at) == timedelta(seconds=10)
    later = monitor.created_at + timedelta(minutes=3)
    assert monitor.next_poll_after(later) - later == timedelta(seconds=60)


def test_a_read_failure_is_recorded_and_retried(shop, task, standin, settings):
    start_bulk_query(shop, task)
    monitor = monitor_now_due()
    settings.HUB_SHOPIFY_ADMIN_URL = "http://127.0.0.1:9"

    assert bulk.poll(monitor) is False

    monitor.refresh_from_db()
    assert (monitor.last_error, monitor.completed_at) == ("Shopify request failed: Connection refused", None)


def test_a_missing_result_file_fails_the_task_run(shop, task, standin):
    event = Event.objects.ingest(
        shop,
        "mechanic/shopify/bulk_operation",
        {
            "id": "gid://shopify/BulkOperation/404",
            "status": "COMPLETED",
            "url": f"{standin.url}/bulk-results/404.jsonl",
        },
        source="mechanic",
        origin_task_id=task.id,
        enqueue=False,
    )

    perform_event_now(event)

    task_run = TaskRun.objects.get(event=event)
    assert (task_run.status, task_run.error) == (
        RunStatus.FAILED,
        "could not download the bulk operation result: HTTP 404",
    )


def test_started_operations_reads_only_non_null_ids():
    result = {
        "data": {
            "bulkOperationRunMutation": {"bulkOperation": {"id": "gid://shopify/BulkOperation/2"}},
            "bulkOperationRunQuery": {"bulkOperation": None},
        }
    }
    assert bulk_results.started_operations(result) == [("gid://shopify/BulkOperation/2", "MUTATION")]
    assert bulk_results.started_operations({"errors": [{"message": "x"}]}) == []
    assert json.loads(json.dumps(bulk_results.started_operations(None))) == []
