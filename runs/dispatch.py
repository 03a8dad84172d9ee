"""Handing runs to Django-Q2 and performing them (spec/runtime.md §16 "Dispatch").

Due runs are queued after commit with ``async_task("runs.dispatch.perform", kind, run_id)``.
Runs with a future ``run_at`` stay ``scheduled``; the ``hand_over_due_runs`` schedule, run
every minute by Django-Q2, makes them due and queues them. Django-Q2's scheduler wakes about
every 30 s, so a delayed run may start up to about 90 s after its ``run_at``.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from events.models import Event
from runs.engine import perform_run
from runs.models import ActionRun, EventRun, Run, RunStatus, TaskRun

logger = logging.getLogger("runs.dispatch")

RUN_MODELS: dict[str, type[Run]] = {"event": EventRun, "task": TaskRun, "action": ActionRun}


def enqueue(run: Run) -> None:
    """Queue a due run on Django-Q2 once the current transaction commits.

    Does nothing when ``HUB_ENQUEUE_RUNS`` is off (tests and ``--sync`` perform runs in-process).
    """
    if not settings.HUB_ENQUEUE_RUNS:
        return
    kind, run_id = run.kind, str(run.pk)

    def send() -> None:
        RUN_MODELS[kind].objects.filter(pk=run_id).update(enqueued_at=timezone.now())
        async_task("runs.dispatch.perform", kind, run_id, task_name=f"{kind}-run-{run_id}")

    transaction.on_commit(send)


def enqueue_due(runs: list[Run]) -> None:
    """Queue those of ``runs`` that are due (a child run scheduled for later waits for the hand-over)."""
    for run in runs:
        if run.status == RunStatus.DUE:
            enqueue(run)


def perform(kind: str, run_id: str) -> str:
    """Django-Q2 entry point: claim the run, perform it and queue the due runs it created.

    Returns a short status line for Django-Q2's task record. A run that is no longer ``due``
    (performed already, or a redelivered message) is left alone.
    """
    run = RUN_MODELS[kind].claim(run_id)
    if run is None:
        return f"{kind} run {run_id} not due; skipped"
    enqueue_due(perform_run(run))
    return f"{kind} run {run_id} {run.status}"


# A run ``started`` longer than this lost its worker (the action hard cap, 300 s, plus 60 s).
STUCK_AFTER = timedelta(seconds=360)


def reap_stuck_runs() -> int:
    """Fail runs left ``started`` by a worker that died; returns how many were failed."""
    cutoff = timezone.now() - STUCK_AFTER
    count = 0
    for model in RUN_MODELS.values():
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
    reap_stuck_runs()
    now = timezone.now()
    count = 0
    for model in RUN_MODELS.values():
        ids = list(
            model.objects.filter(status=RunStatus.SCHEDULED, run_at__lte=now).values_list("pk", flat=True)
        )
        for run_id in ids:
            with transaction.atomic():
                if model.objects.filter(pk=run_id, status=RunStatus.SCHEDULED).update(status=RunStatus.DUE):
                    enqueue(model.objects.get(pk=run_id))
                    count += 1
    return count


def perform_event_now(event: Event) -> None:
    """Perform, in-process, the due runs of ``event`` and of its child events.

    Used by ``emit_event --sync`` and by tests. Runs scheduled for later stay scheduled. Child
    events created by event actions are followed too.
    """
    pending = [event]
    while pending:
        current = pending.pop(0)
        event_run = current.run
        if event_run.status == RunStatus.DUE and (claimed := EventRun.claim(event_run.pk)):
            perform_run(claimed, enqueue=False)
        for task_run in event_run.task_runs.filter(status=RunStatus.DUE).order_by("created_at"):
            if (claimed_task := TaskRun.claim(task_run.pk)) is None:
                continue
            for action_run in perform_run(claimed_task, enqueue=False):
                if (action := ActionRun.claim(action_run.pk)) is not None:
                    perform_run(action, enqueue=False)
        pending.extend(Event.objects.filter(parent=current).order_by("created_at"))
