"""Performing an event's runs in this process (``emit_event --sync``, tests).

The same claims and the same ``engine.perform_run`` a queue worker uses, in a loop over the
event and every event descending from it (event actions, follow-ups, error events): each round
makes due the scheduled runs whose time has come (an automatic retry with a zero delay, say) and
performs the most urgent due run, until none is left. Runs scheduled for later stay scheduled.
"""

import os
from uuid import UUID

from django.utils import timezone

from events.models import Event
from hub.clock import SYSTEM_CLOCK, Clock
from runs.engine import perform_run
from runs.models import ActionRun, EventRun, Run, RunStatus, TaskRun

# A safety net against a tree that keeps growing (loop protection should have stopped it).
MAX_RUNS = 10_000


def tree(event: Event) -> list[UUID]:
    """Ids of ``event`` and of every event descending from it."""
    ids, frontier = [event.pk], [event.pk]
    while frontier:
        frontier = list(Event.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def runs_of(event_ids: list[UUID]) -> list[tuple[type[Run], dict[str, object]]]:
    """Each run model with the lookup that selects the runs of ``event_ids``, most urgent kind first."""
    return [
        (ActionRun, {"task_run__event_id__in": event_ids}),
        (TaskRun, {"event_id__in": event_ids}),
        (EventRun, {"event_id__in": event_ids}),
    ]


def next_due(event_ids: list[UUID]) -> Run | None:
    """Make due what the clock allows, then claim the most urgent due run of these events."""
    now, owner = timezone.now(), f"inline:{os.getpid()}"
    for model, lookup in runs_of(event_ids):
        model.objects.filter(status=RunStatus.SCHEDULED, run_at__lte=now, **lookup).update(
            status=RunStatus.DUE
        )
    for model, lookup in runs_of(event_ids):
        for run_id in (
            model.objects.filter(status=RunStatus.DUE, **lookup)
            .order_by("run_at", "created_at")
            .values_list("pk", flat=True)
        ):
            run = model.claim(run_id, owner=owner)
            if run is not None:
                return run
    return None


def perform_event_now(event: Event, *, clock: Clock = SYSTEM_CLOCK) -> int:
    """Perform, in this process, every due run of ``event`` and its descendants (see the module
    docstring); returns how many runs were performed."""
    performed = 0
    while performed < MAX_RUNS:
        run = next_due(tree(event))
        if run is None:
            break
        perform_run(run, enqueue=False, clock=clock)
        performed += 1
    return performed
