"""Retention: events and their runs are deleted 15 days after the event became complete
(spec/runtime.md §2.8, spec/platform.md §10.1); expired cache entries go too.

An event is **complete** when none of its runs is pending (neither succeeded nor failed; a run
scheduled for later counts as pending) and the same holds for its descendant events through five
generations. ``purge`` (hourly) first stamps ``Event.completed_at`` on every event that has become
complete, then deletes, in batches, the events completed more than ``HUB_RETENTION_DAYS`` ago with
their runs and attempts; a shop uninstalled for longer than the period loses its older events
whether complete or not (spec/platform.md §10.1, after uninstall). A manual retry makes a run
pending again and clears the stamp on its event and that event's ancestors (``reopen``), so the
period restarts after the new completion.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.models import Event
from runs.models import PENDING_STATUSES, ActionRun, EventRun, RunAttempt, TaskRun
from tasks_app.models import CacheEntry

logger = logging.getLogger("runs.retention")

GENERATIONS = 5
BATCH = 500


@dataclass
class PurgeReport:
    """What one purge did: events stamped complete, events deleted, cache entries deleted, and
    events of uninstalled shops deleted whether complete or not."""

    completed: int = 0
    deleted_events: int = 0
    deleted_cache_entries: int = 0
    deleted_uninstalled_events: int = 0


def events_with_pending_runs() -> set[UUID]:
    """Ids of events that have a pending event, task or action run."""
    pending = set(EventRun.objects.filter(status__in=PENDING_STATUSES).values_list("event_id", flat=True))
    pending |= set(TaskRun.objects.filter(status__in=PENDING_STATUSES).values_list("event_id", flat=True))
    actions = ActionRun.objects.filter(status__in=PENDING_STATUSES)
    return pending | set(actions.values_list("task_run__event_id", flat=True))


def with_ancestors(event_ids: set[UUID], generations: int = GENERATIONS) -> set[UUID]:
    """``event_ids`` and their ancestors up to ``generations`` levels up."""
    found, frontier = set(event_ids), set(event_ids)
    for _level in range(generations):
        parents = set(
            Event.objects.filter(pk__in=frontier, parent__isnull=False).values_list("parent_id", flat=True)
        )
        frontier = parents - found
        if not frontier:
            break
        found |= frontier
    return found


def mark_completed(now: datetime) -> int:
    """Stamp ``completed_at`` on every event not yet stamped that is complete now; returns how many."""
    blocked = with_ancestors(events_with_pending_runs())
    count = 0
    unstamped = Event.objects.filter(completed_at__isnull=True).order_by("pk")
    last: UUID | None = None
    while True:
        page = unstamped.filter(pk__gt=last) if last else unstamped
        rows = list(page.values_list("pk", flat=True)[:BATCH])
        ids = [pk for pk in rows if pk not in blocked]
        if ids:
            count += Event.objects.filter(pk__in=ids, completed_at__isnull=True).update(completed_at=now)
        if len(rows) < BATCH:
            return count
        last = rows[-1]


def reopen(event: Event) -> None:
    """``event`` has a pending run again (a manual retry): clear the completion stamp of it and its
    ancestors up to five generations up (spec/platform.md §10.1 decision)."""
    Event.objects.filter(pk__in=with_ancestors({event.pk})).update(completed_at=None)


def delete_events(event_ids: list[UUID]) -> int:
    """Delete these events with their runs and the runs' attempts, in one transaction."""
    with transaction.atomic():
        task_run_ids = list(TaskRun.objects.filter(event_id__in=event_ids).values_list("pk", flat=True))
        run_ids = list(EventRun.objects.filter(event_id__in=event_ids).values_list("pk", flat=True))
        run_ids += task_run_ids
        run_ids += list(ActionRun.objects.filter(task_run_id__in=task_run_ids).values_list("pk", flat=True))
        RunAttempt.objects.filter(run_id__in=run_ids).delete()
        deleted, _by_model = Event.objects.filter(pk__in=event_ids).delete()
    return len(event_ids) if deleted else 0


def purge(now: datetime | None = None) -> PurgeReport:
    """Stamp newly complete events, delete those complete for longer than ``HUB_RETENTION_DAYS``
    (in batches of ``BATCH``), delete the events of shops uninstalled for longer than that which
    were created before it (complete or not: nothing of theirs runs any more), and delete expired
    cache entries. Django-Q2 runs it hourly."""
    now = now or timezone.now()
    report = PurgeReport(completed=mark_completed(now))
    cutoff = now - timedelta(days=settings.HUB_RETENTION_DAYS)
    expired = Event.objects.filter(completed_at__lt=cutoff).order_by("completed_at")
    while ids := list(expired.values_list("pk", flat=True)[:BATCH]):
        report.deleted_events += delete_events(ids)
    # After an uninstall, events go 15 days after their last activity, complete or not (§10.1).
    abandoned = Event.objects.filter(shop__uninstalled_at__lt=cutoff, created_at__lt=cutoff).order_by("pk")
    while ids := list(abandoned.values_list("pk", flat=True)[:BATCH]):
        report.deleted_uninstalled_events += delete_events(ids)
    report.deleted_cache_entries, _by_model = CacheEntry.objects.expired().delete()
    if report.deleted_events or report.deleted_cache_entries or report.deleted_uninstalled_events:
        logger.info("retention: %s", report)
    return report
