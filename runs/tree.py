"""An event's outcome and its run tree, as the console shows them (spec/platform.md §9.4, §9.6).

An event's **outcome** is ``failed`` when any of its runs (event run, task runs, action runs)
failed, else ``pending`` while any is not final, else ``succeeded``; ``with_outcome`` computes it in
the list's one query (two ``EXISTS`` per kind of run). ``run_tree`` loads an event's whole tree,
event run → task runs → action runs → child events, in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When

from events.models import Event
from runs.models import PENDING_STATUSES, ActionRun, EventRun, RunAttempt, RunStatus, TaskRun

OUTCOMES = ("failed", "pending", "succeeded")


def _any_run(statuses: tuple[str, ...]) -> Q:
    """Whether the event has a run (of any kind) in one of ``statuses``."""
    event = OuterRef("pk")
    return (
        Q(Exists(EventRun.objects.filter(event=event, status__in=statuses)))
        | Q(Exists(TaskRun.objects.filter(event=event, status__in=statuses)))
        | Q(Exists(ActionRun.objects.filter(task_run__event=event, status__in=statuses)))
    )


def with_outcome(events: QuerySet[Event]) -> QuerySet[Event]:
    """``events`` annotated with ``outcome`` (``failed``, ``pending`` or ``succeeded``)."""
    return events.annotate(
        outcome=Case(
            When(_any_run((RunStatus.FAILED,)), then=Value("failed")),
            When(_any_run(PENDING_STATUSES), then=Value("pending")),
            default=Value("succeeded"),
        )
    )


@dataclass
class TaskRunNode:
    """A task run with its action runs (each with its attempts)."""

    run: TaskRun
    action_runs: list[ActionRun] = field(default_factory=list)


@dataclass
class RunTree:
    """An event's runs: its event run, task runs with their action runs, attempts by run id, and
    its child events."""

    event: Event
    event_run: EventRun | None
    task_runs: list[TaskRunNode]
    attempts: dict[str, list[RunAttempt]]
    children: list[Event]


def run_tree(event: Event) -> RunTree:
    """Load ``event``'s tree (six queries, whatever its size)."""
    event_run = EventRun.objects.filter(event=event).first()
    task_runs = list(TaskRun.objects.filter(event=event).select_related("task").order_by("created_at"))
    action_runs = ActionRun.objects.filter(task_run__event=event).order_by("task_run_id", "position")
    by_task_run: dict[object, list[ActionRun]] = {}
    for action_run in action_runs:
        by_task_run.setdefault(action_run.task_run_id, []).append(action_run)
    run_ids = [run.pk for run in task_runs] + [run.pk for runs in by_task_run.values() for run in runs]
    if event_run is not None:
        run_ids.append(event_run.pk)
    attempts: dict[str, list[RunAttempt]] = {}
    for attempt in RunAttempt.objects.filter(run_id__in=run_ids).order_by("number"):
        attempts.setdefault(str(attempt.run_id), []).append(attempt)
    children = list(Event.objects.filter(parent=event).order_by("created_at"))
    nodes = [TaskRunNode(run, by_task_run.get(run.pk, [])) for run in task_runs]
    return RunTree(event, event_run, nodes, attempts, children)
