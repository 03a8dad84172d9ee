"""The Django-Q2 cluster's standing schedules.

Two schedules run every minute: handing over runs whose ``run_at`` has come
(spec/runtime.md §16) and the scheduler topics tick (spec/runtime.md §2.3.1).
They are created after every ``migrate``.
"""

SCHEDULES = {
    "hub: hand over due runs": "tasks_app.dispatch.hand_over_due_runs",
    "hub: scheduler topics tick": "events.scheduler.tick",
}


def ensure_schedules(**_kwargs) -> None:
    """Create or repair the standing Django-Q2 schedules (idempotent)."""
    from django_q.models import Schedule

    for name, func in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
        )
