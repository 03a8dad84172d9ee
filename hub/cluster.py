"""The Django-Q2 cluster's standing schedules.

Every minute: sweep the runs (lost runs, runs due by the clock, lost wake-ups; each ``qcluster``
also sweeps every few seconds itself, spec/runtime.md §6), tick the scheduler topics
(spec/runtime.md §2.3.1) and poll Shopify bulk operations (spec/runtime.md §14.3). Every hour:
delete expired generated files (spec/actions.md §5), and events complete for longer than the
retention period with their runs, and expired cache entries (spec/platform.md §10); handle
Shopify privacy requests whose first handling failed (spec/platform.md §10.1), and bring every
connected shop's Shopify webhook subscriptions in line with its tasks (§2.2), and renew Shopify
tokens that would lapse while a shop is idle (§2.1). They are
created after every ``migrate``; standing schedules of ours that are no longer listed are removed
then.
"""

from typing import Any

PREFIX = "hub: "
# name → (function, minutes between runs)
SCHEDULES = {
    "hub: sweep runs": ("runs.sweeper.sweep", 1),
    "hub: scheduler topics tick": ("tasks_app.scheduling.tick", 1),
    "hub: poll Shopify bulk operations": ("runs.bulk.poll_due_monitors", 1),
    "hub: purge expired generated files": ("tasks_app.files.storage.purge_expired", 60),
    "hub: purge expired events and cache entries": ("runs.retention.purge", 60),
    "hub: handle waiting privacy requests": ("runs.privacy.handle_waiting", 60),
    "hub: sync Shopify webhook subscriptions": ("tasks_app.webhook_sync.sync_all", 60),
    "hub: renew Shopify tokens ahead of their end": ("integrations.shopify.tokens.renew_expiring", 60),
}


def ensure_schedules(**_kwargs: Any) -> None:
    """Create or repair the standing Django-Q2 schedules, and drop ours that are gone (idempotent)."""
    from django_q.models import Schedule

    Schedule.objects.filter(name__startswith=PREFIX).exclude(name__in=list(SCHEDULES)).delete()
    for name, (func, minutes) in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1},
        )
