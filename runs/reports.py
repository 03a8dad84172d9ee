"""Plain-data reports of an event and its runs, for the CLI and the admin."""

from typing import Any

from events.models import Event
from runs.models import ActionRun, Run, RunAttempt, TaskRun


def attempts(run: Run) -> list[dict[str, Any]]:
    """``[{"number", "ok", "error", "permanent"}]``: every attempt of ``run``, in order."""
    rows = RunAttempt.objects.filter(run_kind=run.kind, run_id=run.pk).order_by("number")
    return [{"number": a.number, "ok": a.ok, "error": a.error, "permanent": a.permanent} for a in rows]


def action_run_report(action_run: ActionRun) -> dict[str, Any]:
    """One action run: type, options as rendered, status, result, error and attempts."""
    return {
        "type": action_run.action_type,
        "options": action_run.options,
        "status": action_run.status,
        "result": action_run.result,
        "error": action_run.error,
        "attempts": attempts(action_run),
    }


def task_run_report(task_run: TaskRun) -> dict[str, Any]:
    """One task run with its logs and action runs (in position order)."""
    return {
        "task": task_run.task.name if task_run.task else None,
        "task_id": str(task_run.task_id) if task_run.task_id else None,
        "subscription": task_run.subscription,
        "status": task_run.status,
        "run_at": task_run.run_at.isoformat(),
        "error": task_run.error,
        "logs": task_run.logs,
        "attempts": attempts(task_run),
        "action_runs": [action_run_report(run) for run in task_run.action_runs.order_by("position")],
    }


def event_report(event: Event) -> dict[str, Any]:
    """``{"event", "event_run", "task_runs": [... "action_runs": [...]], "child_events": [...]}``.

    Task runs are in creation order; each run lists its attempts; ``child_events`` are the events
    this event's runs created (event actions, follow-ups, error events, bulk operation results),
    each reported the same way.
    """
    event_run = event.run
    return {
        "event": {"id": str(event.id), "topic": event.topic, "data": event.data},
        "event_run": {"status": event_run.status, "error": event_run.error, "attempts": attempts(event_run)},
        "task_runs": [task_run_report(run) for run in event_run.task_runs.order_by("created_at")],
        "child_events": [
            event_report(child) for child in Event.objects.filter(parent=event).order_by("created_at")
        ],
    }
