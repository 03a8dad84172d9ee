"""Whether and when a failed run is tried again (spec/runtime.md §9).

This is the one place that decides it. Automatic (§9.1): a failure whose error is not permanent
is retried up to four times, about 30, 76, 152 and 308 s after the respective failure
(``HUB_RETRY_DELAYS_S``, ±10 % jitter). Manual (§9.2): only a run without a meaningful result
may be retried, since a retry discards it.
"""

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from runs.models import ActionRun, EventRun, Run, RunStatus, TaskRun

JITTER = 0.10


def delays() -> list[float]:
    """The automatic retry delays in seconds, one per retry (``HUB_RETRY_DELAYS_S``)."""
    return [float(value) for value in settings.HUB_RETRY_DELAYS_S]


def automatic_retry_at(run: Run, *, permanent: bool, now: datetime | None = None) -> datetime | None:
    """When to try ``run`` again after a failed attempt, or None when that failure is final.

    Final when the error is permanent, when the run has had all its automatic retries since it was
    last started by hand, or when its task is disabled (its runs fail when they come up, §12).
    """
    schedule = delays()
    if permanent or run.auto_retries >= len(schedule):
        return None
    delay = schedule[run.auto_retries]
    delay *= 1 + random.uniform(-JITTER, JITTER)  # noqa: S311  (spreading retries, not a secret)
    return (now or timezone.now()) + timedelta(seconds=max(delay, 0.0))


def not_retryable_reason(run: Run) -> str | None:
    """Why ``run`` may not be retried by hand (spec/runtime.md §9.2), or None when it may."""
    if run.status == RunStatus.FAILED:
        return None
    if run.status != RunStatus.SUCCEEDED:
        return f"the {run.kind} run is {run.status}, not finished"
    if isinstance(run, EventRun) and not run.task_runs.exists():
        return None
    if isinstance(run, TaskRun) and not run.action_runs.exists():
        return None
    if isinstance(run, ActionRun):
        return "the action run succeeded; only a failed action run can be retried"
    children = "task runs" if isinstance(run, EventRun) else "action runs"
    return f"the {run.kind} run succeeded and created {children}; retrying would discard them"
