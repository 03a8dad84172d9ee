"""Plain-data reports of an event and its runs, for the CLI and the admin."""

from typing import Any

from events.models import Event


def event_report(event: Event) -> dict[str, Any]:
    """``{"event", "event_run", "task_runs": [... "action_runs": [...]]}`` for one event.

    Task runs are in creation order; each action run shows the options as the
    task rendered them.
    """
    event_run = event.run
    task_runs = []
    for task_run in event_run.task_runs.order_by("created_at"):
        task_runs.append(
            {
                "task": task_run.task.name if task_run.task else None,
                "task_id": str(task_run.task_id) if task_run.task_id else None,
                "subscription": task_run.subscription,
                "status": task_run.status,
                "run_at": task_run.run_at.isoformat(),
                "error": task_run.error,
                "logs": task_run.logs,
                "action_runs": [
                    {
                        "type": action_run.action_type,
                        "options": action_run.options,
                        "status": action_run.status,
                        "result": action_run.result,
                        "error": action_run.error,
                    }
                    for action_run in task_run.action_runs.order_by("position")
                ],
            }
        )
    return {
        "event": {"id": str(event.id), "topic": event.topic, "data": event.data},
        "event_run": {"status": event_run.status, "error": event_run.error},
        "task_runs": task_runs,
    }
