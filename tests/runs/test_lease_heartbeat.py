"""The lease heartbeat of a worker process (runs/worker.py): every run the process holds has its
lease renewed for as long as it is performed, though the heartbeat ends when the process holds
nothing (spec/runtime.md §6, revised decision)."""

import time

import pytest
from django.utils import timezone

from events.models import Event
from runs import claims, dispatch, worker
from runs.models import EventRun

pytestmark = pytest.mark.django_db(transaction=True)  # the heartbeat writes from its own thread

LEASE_S = 0.3  # a beat every 0.1 s
IDLE_S = worker.IDLE_BEATS * LEASE_S / 3


@pytest.fixture
def short_lease(settings):
    worker.end_heartbeat()  # one an earlier test left beats at that test's lease
    settings.HUB_RUN_LEASE_S = LEASE_S
    yield
    worker.end_heartbeat()  # before the database is flushed


def lease_renewed(run: EventRun) -> bool:
    return EventRun.objects.get(pk=run.pk).lease_expires_at > timezone.now()


def test_a_run_a_worker_takes_after_its_heartbeat_went_idle_keeps_its_lease(shop, short_lease, monkeypatch):
    """The heartbeat ended while the worker, between two runs of one wake-up, held nothing (here
    a slow look for the next due run); the run it took next must still be renewed."""
    first, second = (Event.objects.ingest(shop, "user/a/b", None, enqueue=False) for _ in range(2))
    claim_next = claims.claim_next
    perform_run = dispatch.perform_run
    renewed = []

    def slow_claim_next(owner, **kwargs):
        time.sleep(IDLE_S + 0.3)
        return claim_next(owner, **kwargs)

    def perform(run, **kwargs):
        if run.event_id == second.pk:
            time.sleep(3 * LEASE_S)
            renewed.append(lease_renewed(run))
        return perform_run(run, **kwargs)

    monkeypatch.setattr(claims, "claim_next", slow_claim_next)
    monkeypatch.setattr(dispatch, "perform_run", perform)

    assert dispatch.wake("event", str(first.run.pk)) == f"performed 2 run(s), from event run {first.run.pk}"
    assert renewed == [True]


def test_a_heartbeat_does_not_end_while_a_run_claimed_meanwhile_is_held(shop, short_lease, monkeypatch):
    """The run is claimed (and the heartbeat found running) just as the heartbeat counts its last
    idle beat: it must go on renewing that run rather than end."""
    event = Event.objects.ingest(shop, "user/a/b", None, enqueue=False)
    renew_leases = worker.renew_leases
    idle_beats, claimed = [], []

    def renew_and_claim_on_the_last_idle_beat(name):
        renewed = renew_leases(name)
        if not renewed and not claimed:
            idle_beats.append(name)
            if len(idle_beats) == worker.IDLE_BEATS:
                claimed.append(EventRun.claim(event.run.pk, owner=name))
                worker.ensure_heartbeat()
        return renewed

    monkeypatch.setattr(worker, "renew_leases", renew_and_claim_on_the_last_idle_beat)
    worker.ensure_heartbeat()
    deadline = time.monotonic() + 5
    while not claimed and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(3 * LEASE_S)

    assert claimed and claimed[0] is not None
    assert lease_renewed(claimed[0])
    EventRun.objects.filter(pk=event.run.pk).update(status="succeeded", lease_owner="")
