"""The sweeper: nothing stranded, nothing performed twice (spec/runtime.md §5, §6 revised decision).

Every few seconds (``HUB_SWEEP_INTERVAL_S``, from a thread of each ``qcluster``; also a minute
schedule as a safety net), one process at a time (``EngineLock``):

1. **Lost runs.** A run ``started`` whose lease lapsed lost its worker. Event and task runs have
   no outside effect, so they go back to ``due`` and are performed again. An action run may
   already have reached the other side: it fails with the permanent error
   ``worker lost while performing; outcome unknown`` and the engine reacts as to any final
   failure (error event, follow-up, sequence), so a person decides (manual retry works).
2. **Due by the clock.** ``scheduled`` runs whose ``run_at`` has come (offsets, delayed events,
   automatic retries) become ``due`` and a worker is woken for each.
3. **Lost wake-ups.** When due runs exist but the broker holds no message, workers are woken for
   the oldest of them (a message lost with a crashed worker or broker, or never sent).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from runs import claims, engine
from runs.dispatch import broker, send_wake
from runs.models import ActionRun, EngineLock, Run, RunAttempt, RunStatus, ShopSlots
from runs.models.runs import WORKER_LOST, lease_seconds

logger = logging.getLogger("runs.sweeper")

LOCK = "sweeper"
BATCH = 500
# At most this many wake-ups for runs nobody was woken for, per sweep.
MAX_REWAKES = 32


@dataclass
class SweepReport:
    """What one sweep did: ``lost`` runs taken back (by kind), ``due`` runs made due by the clock,
    ``rewoken`` runs woken because no message was waiting."""

    lost: dict[str, int] = field(default_factory=dict)
    due: int = 0
    rewoken: int = 0


def sweep(*, holder: str = "sweeper", now: datetime | None = None, wake: bool = True) -> SweepReport:
    """One sweep (see the module docstring); ``wake`` false leaves waking to an in-process caller.
    Returns what it did; does nothing while another process holds the sweeper's lease."""
    report = SweepReport()
    if not EngineLock.acquire(LOCK, holder, seconds=lock_seconds()):
        return report
    now = now or timezone.now()
    for model in claims.BY_PRIORITY:
        report.lost[model.kind] = take_back_lost(model, now, wake=wake)
        report.due += make_due(model, now, wake=wake)
    if wake:
        report.rewoken = wake_stranded(now)
    if any(report.lost.values()) or report.rewoken:
        logger.warning("sweeper: took back %s lost runs, re-woke %d due runs", report.lost, report.rewoken)
    return report


def lock_seconds() -> float:
    """How long one sweeper's turn lasts: three sweep intervals (renewed at each sweep), so another
    cluster takes over within that when its holder is gone."""
    return max(3 * float(settings.HUB_SWEEP_INTERVAL_S), 1.0)


def release_turn(holder: str) -> None:
    """Give up the sweeper's turn (a cluster stopping), so another cluster sweeps at once."""
    EngineLock.objects.filter(name=LOCK, holder=holder).update(until=None)


def lapsed(now: datetime) -> Q:
    """Started runs whose lease lapsed (or, for runs started before leases existed, that started
    more than a lease ago)."""
    old = now - timedelta(seconds=lease_seconds())
    return Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True, started_at__lt=old)


def take_back_lost(model: type[Run], now: datetime, *, wake: bool) -> int:
    """Take back ``model``'s lost runs (see the module docstring); returns how many."""
    count = 0
    for run in model.objects.filter(lapsed(now), status=RunStatus.STARTED).select_related("shop")[:BATCH]:
        if isinstance(run, ActionRun):
            count += fail_lost_action(run, now, wake=wake)
        else:
            count += requeue_lost(run, now, wake=wake)
    return count


def _release(run: Run, now: datetime, **changes: object) -> bool:
    """Move a lost run out of ``started`` (conditionally: only if still held as it was found),
    give back its slot and record its lost attempt, in one transaction."""
    with transaction.atomic():
        held = type(run).objects.filter(pk=run.pk, status=RunStatus.STARTED, lease_owner=run.lease_owner)
        if not held.update(lease_owner="", lease_expires_at=None, **changes):
            return False
        ShopSlots.release(run.shop_id)
        permanent = changes.get("status") == RunStatus.FAILED
        error = WORKER_LOST if permanent else "worker lost; the run is performed again"
        RunAttempt.record_lost(run, error=error, permanent=permanent, now=now)
    return True


def requeue_lost(run: Run, now: datetime, *, wake: bool) -> int:
    """An event or task run whose worker was lost goes back to ``due`` to be performed again."""
    if not _release(run, now, status=RunStatus.DUE, run_at=now, enqueued_at=None):
        return 0
    if wake:
        transaction.on_commit(lambda: send_wake(run.kind, str(run.pk)))
    return 1


def fail_lost_action(run: ActionRun, now: datetime, *, wake: bool) -> int:
    """An action run whose worker was lost fails for good: its outcome is unknown."""
    changes = {
        "status": RunStatus.FAILED,
        "ok": False,
        "error": WORKER_LOST,
        "permanent": True,
        "stopped_at": now,
    }
    if not _release(run, now, **changes):
        return 0
    for name, value in changes.items():
        setattr(run, name, value)
    released = engine.react(run, enqueue=wake)
    if wake:
        for following in released:
            send_wake(following.kind, str(following.pk))
    return 1


def make_due(model: type[Run], now: datetime, *, wake: bool) -> int:
    """``scheduled`` runs whose ``run_at`` has come become ``due``; returns how many."""
    ids = list(
        model.objects.filter(status=RunStatus.SCHEDULED, run_at__lte=now).values_list("pk", flat=True)[:BATCH]
    )
    count = 0
    for run_id in ids:
        if model.objects.filter(pk=run_id, status=RunStatus.SCHEDULED).update(
            status=RunStatus.DUE, enqueued_at=None
        ):
            count += 1
            if wake:
                send_wake(model.kind, str(run_id))
    return count


def wake_stranded(now: datetime | None = None) -> int:
    """Wake workers for due runs no wake-up call is out for (``enqueued_at`` empty: refused earlier
    for want of a slot) and, when the broker holds no message at all, for due runs whose call was
    lost; at most ``MAX_REWAKES``. Returns how many were woken."""
    now = now or timezone.now()
    lost_calls = not broker().queue_size()
    woken = 0
    for model in claims.BY_PRIORITY:
        due = model.objects.filter(status=RunStatus.DUE)
        stale = Q(enqueued_at__isnull=True)
        if lost_calls:
            # Out for two sweeps with the broker empty: that wake-up call was lost.
            stale |= Q(enqueued_at__lt=now - timedelta(seconds=2 * float(settings.HUB_SWEEP_INTERVAL_S)))
        for run_id in (
            due.filter(stale).order_by("run_at").values_list("pk", flat=True)[: MAX_REWAKES - woken]
        ):
            send_wake(model.kind, str(run_id))
            woken += 1
    return woken
