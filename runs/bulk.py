"""Shopify bulk operations: detection, monitoring and completion events (spec/runtime.md §14.3).

When a ``shopify`` action run's result starts a bulk operation, the engine registers a
``BulkOperationMonitor``. Monitors are read with ``node(id:)`` on the
``poll_due_monitors`` schedule (every minute, honouring each monitor's
10 s / 60 s backoff) and at once when Shopify's ``bulk_operations/finish``
delivery arrives. At a terminal status the originating task alone receives a
``mechanic/shopify/bulk_operation`` event whose data is the BulkOperation;
its task run sees ``bulkOperation.objects``, the result file parsed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from events.models import Event
from hub.clock import SYSTEM_CLOCK, Clock
from integrations.shopify import ShopifyClient, ShopifyError, graphql_errors
from runs.models import ActionRun, BulkOperationMonitor
from tasks_app.bulk_results import BULK_OPERATION_TOPIC, started_operations

logger = logging.getLogger("runs.bulk")
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


def register_monitors(action_run: ActionRun, result: Any) -> list[BulkOperationMonitor]:
    """Create a monitor for every bulk operation ``result`` started; returns them."""
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


def poll(monitor: BulkOperationMonitor, *, enqueue: bool = True, clock: Clock = SYSTEM_CLOCK) -> bool:
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


def complete(monitor: BulkOperationMonitor, operation: dict[str, Any], *, enqueue: bool = True) -> bool:
    """Create the ``mechanic/shopify/bulk_operation`` event for a finished operation, exactly once.

    The event's data is the BulkOperation object, its parent the originating
    event, and only the originating task receives it (spec/runtime.md §14.3 step 3).
    """
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
            origin_task_id=monitor.task_id,
            parent=monitor.event,
        )
        BulkOperationMonitor.objects.filter(pk=monitor.pk).update(completion_event=event)
    monitor.refresh_from_db()
    logger.info("bulk operation %s ended %s; event %s", monitor.operation_id, monitor.status, event.pk)
    return True


def poll_due_monitors() -> int:
    """Django-Q2 schedule (every minute): poll each active monitor whose next poll is due; the count."""
    due = BulkOperationMonitor.objects.filter(completed_at__isnull=True, next_poll_at__lte=timezone.now())
    count = 0
    for monitor in due.select_related("shop", "task", "event").order_by("next_poll_at"):
        poll(monitor)
        count += 1
    return count


def poll_monitor(monitor_id: str) -> bool:
    """Django-Q2 entry point: poll one monitor by id (after a ``bulk_operations/finish`` delivery)."""
    monitor = BulkOperationMonitor.objects.filter(pk=monitor_id).first()
    return poll(monitor) if monitor is not None else True


def finish_webhook_received(event: Event) -> None:
    """React to a ``shopify/bulk_operations/finish`` event: read the named operation now.

    The payload carries ``admin_graphql_api_id``; the full object (``url``,
    counts) comes from ``node(id:)``. Queued on Django-Q2 when runs are
    queued, else polled in-process.
    """
    data = event.data if isinstance(event.data, dict) else {}
    operation_id = data.get("admin_graphql_api_id")
    if not operation_id:
        return
    monitors = BulkOperationMonitor.objects.filter(
        shop=event.shop, operation_id=operation_id, completed_at__isnull=True
    )
    for monitor in monitors:
        if settings.HUB_ENQUEUE_RUNS:
            async_task("runs.bulk.poll_monitor", str(monitor.pk), task_name=f"bulk-poll-{monitor.pk}")
        else:
            poll(monitor, enqueue=False)
