"""Error events: ``mechanic/errors/event``, ``/task`` and ``/action`` (spec/runtime.md §11).

Emitted once, when a run fails for good (after its automatic retries). Not for runs failed by a
disabled task, a cancellation or a halted sequence (§11.1 decision), and never for a failure
while responding to an error event (the loop guard): neither the failed run's own event nor the
filter-run of an error event may be an error event.
"""

from typing import Any

from events.models import Event
from runs.matching import is_error_topic
from runs.models import ActionRun, EventRun, Run, TaskRun
from runs.models.runs import CANCELLED, SEQUENCE_HALTED, SHOP_UNINSTALLED, TASK_DISABLED, stamp

# Failures that are a person's doing or a consequence of another failure: no error event.
QUIET_ERRORS = (TASK_DISABLED, CANCELLED, SEQUENCE_HALTED, SHOP_UNINSTALLED)


def event_part(event: Event, event_run: EventRun) -> dict[str, Any]:
    """The ``event`` object of an error payload (§11.3)."""
    return {
        "id": str(event.id),
        "topic": event.topic,
        "source": event.source,
        "created_at": stamp(event.created_at),
        "webhook_request_id": str(event.webhook_request_id) if event.webhook_request_id else None,
        "flow_action_run_id": event.flow_action_run_id,
        "run": event_run.run_data(),
    }


def task_part(task_run: TaskRun) -> dict[str, Any] | None:
    """The ``task`` object of an error payload: the task's fields and the failed (or parent) task run."""
    if task_run.task is None:
        return None
    return {**task_run.task.error_data(), "run": task_run.run_data()}


def payload(run: Run, *, filter_name: str | None = None) -> dict[str, Any]:
    """The error event's data for failed ``run`` (§11.3): ``message``, ``event``, and ``task``
    (task and action errors) and ``action`` (action errors); a failed event filter is named in
    ``filter``."""
    if isinstance(run, ActionRun):
        task_run = run.task_run
        data = {"message": run.error, "event": event_part(task_run.event, task_run.event_run)}
        return {**data, "task": task_part(task_run), "action": run.action_data()}
    if isinstance(run, TaskRun):
        return {"message": run.error, "event": event_part(run.event, run.event_run), "task": task_part(run)}
    if not isinstance(run, EventRun):
        raise TypeError(f"not a run: {run!r}")
    data = {"message": run.error, "event": event_part(run.event, run)}
    return {**data, "filter": {"name": filter_name}} if filter_name else data


def failed_run_event(run: Run) -> Event:
    """The event whose processing the failed run belongs to (the error event's parent, §2.6)."""
    if isinstance(run, ActionRun):
        return run.task_run.event
    if isinstance(run, TaskRun | EventRun):
        return run.event
    raise TypeError(f"not a run: {run!r}")


def should_emit(run: Run) -> bool:
    """Whether the final failure of ``run`` emits an error event (§11.1 and its decisions)."""
    return run.error not in QUIET_ERRORS and not is_error_topic(failed_run_event(run).topic)


def emit(run: Run, *, enqueue: bool = True, filter_name: str | None = None) -> Event | None:
    """Create the error event for the final failure of ``run``, unless ``should_emit`` says not;
    returns it. Its parent is the failed run's event; for task and action errors its
    ``origin_task_id`` is the task (so routing can tell "errors about its own runs")."""
    if not should_emit(run):
        return None
    task_run = run.task_run if isinstance(run, ActionRun) else run if isinstance(run, TaskRun) else None
    return Event.objects.ingest(
        run.shop,
        f"mechanic/errors/{run.kind}",
        payload(run, filter_name=filter_name),
        source="mechanic",
        enqueue=enqueue,
        parent=failed_run_event(run),
        origin_task_id=task_run.task_id if task_run else None,
        origin_action_run_id=run.pk if isinstance(run, ActionRun) else None,
    )
