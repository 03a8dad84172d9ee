"""Handing runs to Django-Q2 and performing them (spec/runtime.md §16 "Dispatch").

Due runs are queued after commit with ``async_task("tasks_app.dispatch.perform",
kind, run_id)``. Runs with a future ``run_at`` stay ``scheduled``; the
``hand_over_due_runs`` schedule, run every minute by Django-Q2, makes them due
and queues them. Django-Q2's scheduler wakes about every 30 s, so a delayed run
may start up to about 90 s after its ``run_at``.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("tasks_app.dispatch")


def run_models() -> dict:
    """Run model classes by kind (``event``, ``task``, ``action``)."""
    from tasks_app.models import ActionRun, EventRun, TaskRun

    return {"event": EventRun, "task": TaskRun, "action": ActionRun}


def enqueue(run) -> None:
    """Queue a due run on Django-Q2 once the current transaction commits.

    Does nothing when ``HUB_ENQUEUE_RUNS`` is off (tests and ``--sync`` perform
    runs in-process).
    """
    if not settings.HUB_ENQUEUE_RUNS:
        return
    kind, run_id = run.kind, str(run.pk)

    def send() -> None:
        from django_q.tasks import async_task

        model = run_models()[kind]
        model.objects.filter(pk=run_id).update(enqueued_at=timezone.now())
        async_task("tasks_app.dispatch.perform", kind, run_id, task_name=f"{kind}-run-{run_id}")

    transaction.on_commit(send)


def perform(kind: str, run_id: str) -> str:
    """Django-Q2 entry point: claim the run and perform it.

    Returns a short status line for Django-Q2's task record. A run that is no
    longer ``due`` (performed already, or a redelivered message) is left alone.
    """
    model = run_models()[kind]
    run = model.claim(run_id)
    if run is None:
        return f"{kind} run {run_id} not due; skipped"
    run.perform_guarded()
    return f"{kind} run {run_id} {run.status}"


# A run ``started`` longer than this lost its worker (the action hard cap, 300 s, plus 60 s).
STUCK_AFTER = timedelta(seconds=360)


def reap_stuck_runs() -> int:
    """Fail runs left ``started`` by a worker that died (spec/runtime.md §6 decision).

    Returns how many runs were failed. (Automatic retries come with the retry machinery.)
    """
    from tasks_app.models import RunStatus

    cutoff = timezone.now() - STUCK_AFTER
    count = 0
    for model in run_models().values():
        for run in model.objects.filter(status=RunStatus.STARTED, started_at__lt=cutoff):
            run.finish(
                error=f"Run stopped without an outcome: its worker was lost (started at {run.started_at})"
            )
            count += 1
    return count


def hand_over_due_runs() -> int:
    """Make ``scheduled`` runs whose ``run_at`` has passed ``due`` and queue them; reap stuck runs.

    Django-Q2 calls this every minute. Returns how many runs were handed over.
    """
    from tasks_app.models import RunStatus

    reap_stuck_runs()
    now = timezone.now()
    count = 0
    for model in run_models().values():
        ids = list(
            model.objects.filter(status=RunStatus.SCHEDULED, run_at__lte=now).values_list("pk", flat=True)
        )
        for run_id in ids:
            with transaction.atomic():
                if model.objects.filter(pk=run_id, status=RunStatus.SCHEDULED).update(status=RunStatus.DUE):
                    enqueue(model.objects.get(pk=run_id))
                    count += 1
    return count


def perform_event_now(event) -> None:
    """Perform, in-process, the due runs of ``event`` and of its child events.

    Used by ``emit_event --sync`` and by tests. Runs scheduled for later stay
    scheduled. Child events created by event actions are followed too.
    """
    from events.models import Event
    from tasks_app.models import RunStatus

    pending = [event]
    while pending:
        current = pending.pop(0)
        event_run = current.run
        if event_run.status == RunStatus.DUE and type(event_run).claim(event_run.pk):
            event_run.refresh_from_db()
            event_run.perform_guarded(enqueue=False)
        for task_run in event_run.task_runs.filter(status=RunStatus.DUE).order_by("created_at"):
            claimed = type(task_run).claim(task_run.pk)
            if claimed is None:
                continue
            for action_run in claimed.perform_guarded(enqueue=False):
                action = type(action_run).claim(action_run.pk)
                if action is not None:
                    action.perform_guarded(enqueue=False)
        pending.extend(Event.objects.filter(parent=current).order_by("created_at"))
