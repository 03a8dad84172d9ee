"""Activity: what happened in a time window and what is happening now (spec/platform.md §9.5).

``activity(shops, window)`` counts, for the events created in the window (1 h, 6 h, 24 h, 7 d or
15 d back), events by topic, task runs by task, action runs by type, and final outcomes, each in a
fixed number of grouped queries. ``current(shops)`` counts runs running (started), waiting (due)
and backed up (due for more than ``BACKED_UP``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from events.models import Event
from runs.models import ActionRun, EventRun, RunStatus, TaskRun

WINDOWS = {"1h": timedelta(hours=1), "6h": timedelta(hours=6), "24h": timedelta(hours=24),
           "7d": timedelta(days=7), "15d": timedelta(days=15)}  # fmt: skip
DEFAULT_WINDOW = "24h"
BACKED_UP = timedelta(seconds=60)
TOP = 15


@dataclass
class Activity:
    """Counts for one window (see the module docstring); rows are dicts for the template."""

    window: str
    since: datetime
    events: int = 0
    task_runs: int = 0
    action_runs: int = 0
    succeeded: int = 0
    failed: int = 0
    by_topic: list[dict[str, Any]] = field(default_factory=list)
    by_task: list[dict[str, Any]] = field(default_factory=list)
    by_action: list[dict[str, Any]] = field(default_factory=list)


def _outcomes(runs: QuerySet) -> dict[str, int]:
    return runs.aggregate(
        total=Count("pk"),
        succeeded=Count("pk", filter=Q(status=RunStatus.SUCCEEDED)),
        failed=Count("pk", filter=Q(status=RunStatus.FAILED)),
    )


def with_share(rows: list[dict[str, Any]], key: str = "n") -> list[dict[str, Any]]:
    """Each row with ``share``: its count as a percentage of the largest (for the bars)."""
    top = max((row[key] for row in rows), default=0) or 1
    return [{**row, "share": round(100 * row[key] / top)} for row in rows]


def activity(shops: QuerySet, window: str = DEFAULT_WINDOW, now: datetime | None = None) -> Activity:
    """The activity of ``shops`` over ``window`` (a key of ``WINDOWS``; unknown: the default)."""
    window = window if window in WINDOWS else DEFAULT_WINDOW
    since = (now or timezone.now()) - WINDOWS[window]
    events = Event.objects.filter(shop__in=shops, created_at__gte=since)
    task_runs = TaskRun.objects.filter(shop__in=shops, event__created_at__gte=since)
    action_runs = ActionRun.objects.filter(shop__in=shops, task_run__event__created_at__gte=since)
    result = Activity(window=window, since=since, events=events.count())
    runs = [_outcomes(query) for query in (EventRun.objects.filter(event__in=events), task_runs, action_runs)]
    result.task_runs, result.action_runs = runs[1]["total"], runs[2]["total"]
    result.succeeded = sum(row["succeeded"] for row in runs)
    result.failed = sum(row["failed"] for row in runs)
    result.by_topic = with_share(
        list(events.values("topic").annotate(n=Count("pk")).order_by("-n", "topic")[:TOP])
    )
    result.by_task = with_share(
        list(
            task_runs.values("task_id", "task__name")
            .annotate(n=Count("pk"), failed=Count("pk", filter=Q(status=RunStatus.FAILED)))
            .order_by("-n", "task__name")[:TOP]
        )
    )
    result.by_action = with_share(
        list(
            action_runs.values("action_type")
            .annotate(n=Count("pk"), failed=Count("pk", filter=Q(status=RunStatus.FAILED)))
            .order_by("-n", "action_type")[:TOP]
        )
    )
    return result


def current(shops: QuerySet, now: datetime | None = None) -> dict[str, int]:
    """Runs of ``shops`` running now, waiting, and waiting for more than ``BACKED_UP``."""
    cutoff = (now or timezone.now()) - BACKED_UP
    counts = {"running": 0, "waiting": 0, "backed_up": 0}
    for model in (EventRun, TaskRun, ActionRun):
        row = model.objects.filter(shop__in=shops).aggregate(
            running=Count("pk", filter=Q(status=RunStatus.STARTED)),
            waiting=Count("pk", filter=Q(status=RunStatus.DUE)),
            backed_up=Count("pk", filter=Q(status=RunStatus.DUE, run_at__lt=cutoff)),
        )
        for key in counts:
            counts[key] += row[key]
    return counts
