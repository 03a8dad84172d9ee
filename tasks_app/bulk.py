"""Shopify bulk operations: detection, monitoring and completion events (spec/runtime.md §14.3).

A ``shopify`` action whose result starts a bulk operation registers a
``BulkOperationMonitor``. Monitors are read with ``node(id:)`` on the
``poll_due_monitors`` schedule (every minute, honouring each monitor's
10 s / 60 s backoff) and at once when Shopify's ``bulk_operations/finish``
delivery arrives. At a terminal status the originating task alone receives a
``mechanic/shopify/bulk_operation`` event whose data is the BulkOperation;
its task run sees ``bulkOperation.objects``, the result file parsed.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hub.clock import SYSTEM_CLOCK, Clock
from integrations.shopify import ShopifyClient, ShopifyError, graphql_errors

logger = logging.getLogger("tasks_app.bulk")

BULK_OPERATION_TOPIC = "mechanic/shopify/bulk_operation"
START_MUTATIONS = ("bulkOperationRunQuery", "bulkOperationRunMutation")
OPERATION_QUERY = """query HubBulkOperation($id: ID!) {
  node(id: $id) {
    ... on BulkOperation {
      id
      status
      type
      errorCode
      createdAt
      completedAt
      objectCount
      rootObjectCount
      fileSize
      url
      partialDataUrl
      query
    }
  }
}"""


class BulkResultError(Exception):
    """The result file of a completed operation could not be read; fails the task run that needs it."""


def started_operations(result: Any) -> list[tuple[str, str]]:
    """``(gid, QUERY|MUTATION)`` for each bulk operation a Shopify action result started (§14.3 step 1).

    Only a non-null ``data.<bulkOperationRunQuery|bulkOperationRunMutation>.bulkOperation.id``
    counts; ``userErrors`` (e.g. Shopify's concurrency refusal) start nothing.
    """
    data = result.get("data") if isinstance(result, dict) else None
    if not isinstance(data, dict):
        return []
    started = []
    for name in START_MUTATIONS:
        payload = data.get(name)
        operation = payload.get("bulkOperation") if isinstance(payload, dict) else None
        if isinstance(operation, dict) and operation.get("id"):
            started.append((str(operation["id"]), "QUERY" if name == "bulkOperationRunQuery" else "MUTATION"))
    return started


def register_monitors(action_run, result: Any) -> list:
    """Create a monitor for every bulk operation ``result`` started; returns them."""
    from tasks_app.models import BulkOperationMonitor

    monitors = []
    task_run = action_run.task_run
    now = timezone.now()
    for operation_id, operation_type in started_operations(result):
        monitor = BulkOperationMonitor(
            shop=action_run.shop,
            task=task_run.task,
            task_run=task_run,
            event=task_run.event,
            action_run=action_run,
            operation_id=operation_id,
            operation_type=operation_type,
            api_version=action_run.shopify_api_version or action_run.shop.api_version,
            created_at=now,
            next_poll_at=now,
        )
        monitor.next_poll_at = monitor.next_poll_after(now)
        monitor.save()
        monitors.append(monitor)
        logger.info("monitoring bulk operation %s for task %s", operation_id, task_run.task_id)
    return monitors


def poll(monitor, *, enqueue: bool = True, clock: Clock = SYSTEM_CLOCK) -> bool:
    """Read the monitored operation once; deliver the completion event at a terminal status.

    Returns whether the monitor is done. Read failures are recorded on the
    monitor (``last_error``) and retried at the next poll. Throttling is waited
    out on ``clock`` (tests pass a fake one).
    """
    if not monitor.active:
        return True
    now = timezone.now()
    monitor.polls += 1
    monitor.last_polled_at = now
    monitor.next_poll_at = monitor.next_poll_after(now)
    try:
        body = ShopifyClient(monitor.shop, monitor.api_version, clock=clock).graphql(
            OPERATION_QUERY, {"id": monitor.operation_id}
        )
        errors = graphql_errors(body)
        if errors:
            raise ShopifyError("; ".join(str(error.get("message")) for error in errors))
        operation = (body.get("data") or {}).get("node")
        if not isinstance(operation, dict):
            raise ShopifyError(f"Shopify knows no bulk operation {monitor.operation_id}")
    except ShopifyError as exc:
        monitor.last_error = str(exc)
        monitor.save(update_fields=["polls", "last_polled_at", "next_poll_at", "last_error"])
        logger.warning("bulk operation %s could not be read: %s", monitor.operation_id, exc)
        return False
    monitor.operation = operation
    monitor.status = str(operation.get("status") or monitor.status)
    monitor.last_error = None
    monitor.save(
        update_fields=["polls", "last_polled_at", "next_poll_at", "last_error", "operation", "status"]
    )
    if monitor.status not in monitor.TERMINAL_STATUSES:
        return False
    return complete(monitor, operation, enqueue=enqueue)


def complete(monitor, operation: dict, *, enqueue: bool = True) -> bool:
    """Create the ``mechanic/shopify/bulk_operation`` event for a finished operation, exactly once.

    The event's data is the BulkOperation object, its parent the originating
    event, and only the originating task receives it (spec/runtime.md §14.3 step 3).
    """
    from events.models import Event
    from tasks_app.models import BulkOperationMonitor

    with transaction.atomic():
        claimed = BulkOperationMonitor.objects.filter(pk=monitor.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
        if not claimed:
            return True
        event = Event.objects.ingest(
            monitor.shop,
            BULK_OPERATION_TOPIC,
            operation,
            source="mechanic",
            enqueue=enqueue,
            origin_task=monitor.task,
            parent=monitor.event,
        )
        BulkOperationMonitor.objects.filter(pk=monitor.pk).update(completion_event=event)
    monitor.refresh_from_db()
    logger.info("bulk operation %s ended %s; event %s", monitor.operation_id, monitor.status, event.pk)
    return True


def poll_due_monitors() -> int:
    """Django-Q2 schedule (every minute): poll each active monitor whose next poll is due; the count."""
    from tasks_app.models import BulkOperationMonitor

    due = BulkOperationMonitor.objects.filter(completed_at__isnull=True, next_poll_at__lte=timezone.now())
    count = 0
    for monitor in due.select_related("shop", "task", "event").order_by("next_poll_at"):
        poll(monitor)
        count += 1
    return count


def poll_monitor(monitor_id: str) -> bool:
    """Django-Q2 entry point: poll one monitor by id (after a ``bulk_operations/finish`` delivery)."""
    from tasks_app.models import BulkOperationMonitor

    monitor = BulkOperationMonitor.objects.filter(pk=monitor_id).first()
    return poll(monitor) if monitor is not None else True


def finish_webhook_received(event) -> None:
    """React to a ``shopify/bulk_operations/finish`` event: read the named operation now.

    The payload carries ``admin_graphql_api_id``; the full object (``url``,
    counts) comes from ``node(id:)``. Queued on Django-Q2 when runs are
    queued, else polled in-process.
    """
    from tasks_app.models import BulkOperationMonitor

    data = event.data if isinstance(event.data, dict) else {}
    operation_id = data.get("admin_graphql_api_id")
    if not operation_id:
        return
    monitors = BulkOperationMonitor.objects.filter(
        shop=event.shop, operation_id=operation_id, completed_at__isnull=True
    )
    for monitor in monitors:
        if settings.HUB_ENQUEUE_RUNS:
            from django_q.tasks import async_task

            async_task("tasks_app.bulk.poll_monitor", str(monitor.pk), task_name=f"bulk-poll-{monitor.pk}")
        else:
            poll(monitor, enqueue=False)


def download_objects(url: str | None) -> list:
    """The JSONL result file at ``url`` parsed line by line (blank lines skipped); ``[]`` without a URL.

    Raises ``BulkResultError`` when the file cannot be fetched or a line is not JSON.
    """
    if not url:
        return []
    timeout = (settings.HUB_HTTP_CONNECT_TIMEOUT_S, settings.HUB_HTTP_READ_TIMEOUT_S)
    try:
        response = requests.get(url, timeout=timeout)
    except requests.RequestException as exc:
        raise BulkResultError(f"could not download the bulk operation result: {exc}") from exc
    if not response.ok:
        raise BulkResultError(f"could not download the bulk operation result: HTTP {response.status_code}")
    objects = []
    for number, line in enumerate(response.content.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            objects.append(json.loads(line))
        except ValueError as exc:
            raise BulkResultError(f"the bulk operation result line {number} is not JSON: {exc}") from exc
    return objects


def bulk_operation_data(event) -> dict:
    """``bulkOperation`` for a ``mechanic/shopify/bulk_operation`` event: the BulkOperation + ``objects``.

    Failed operations get ``objects: []`` (their ``partialDataUrl`` is not
    loaded, spec/runtime.md §14.3 step 5). Raises ``BulkResultError``.
    """
    data = dict(event.data) if isinstance(event.data, dict) else {}
    url = data.get("url") if data.get("status") == "COMPLETED" else None
    data["objects"] = download_objects(url)
    return data
