"""Nothing stranded, nothing performed twice, with real ``qcluster`` subprocesses (spec/runtime.md
§6, revised decision on lost workers; README "How runs work").

Each test starts clusters on the suite's database and broker (SQLite and the ORM broker, or
PostgreSQL and Redis when ``REDIS_URL`` is set) with a 3 s lease and a sweep every second, and
crashes, freezes or stops them while a local peer holds a run's request open. The peer counts
the requests per event: an action reached the other side once, or twice.
"""

import signal
import time

import pytest

from events.models import EventFilter
from runs.models import ActionRun, EventRun, RunAttempt, RunStatus, TaskRun
from runs.models.runs import WORKER_LOST
from tests.runs.cluster_helpers import (  # noqa: F401  (fixtures)
    LEASE_S,
    SWEEP_S,
    action_run_of,
    clusters_fixture,
    error_events,
    http_task,
    ingest,
    owner_pid,
    peer_fixture,
    slots_in_use,
    started,
    status_of,
)

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

# A lapsed lease is taken back within LEASE_S + SWEEP_S of the worker's last renewal; the rest
# is room for a loaded machine.
LOST_WITHIN_S = LEASE_S + SWEEP_S + 6
# Starting a cluster (Django, the sentinel, the workers) and performing a short chain of runs.
START_S = 60
REQUEUED = "worker lost; the run is performed again"
# About three seconds of rendering: long enough to crash or freeze the worker in the middle.
SLOW_FILTER = "{% for i in (1..3000000) %}{% assign x = i %}{% endfor %}true"
SHOPIFY_READ = '{% assign answer = "query { shop { name } }" | shopify %}'


def attempts_of(run) -> list[tuple[int, bool, str | None, bool | None]]:
    rows = RunAttempt.objects.filter(run_kind=run.kind, run_id=run.pk).order_by("number")
    return [(row.number, row.ok, row.error, row.permanent) for row in rows]


def test_a_due_run_whose_wake_up_call_was_lost_is_performed_once_the_cluster_starts(shop, peer, clusters):
    from django_q.brokers import get_broker

    http_task(shop, peer)
    event = ingest(shop, "lost")
    assert get_broker().queue_size() == 1
    get_broker().purge_queue()
    assert get_broker().queue_size() == 0

    clusters.start()
    clusters.wait_settled(START_S)

    action_run = action_run_of(event)
    assert (action_run.status, action_run.error, action_run.attempts) == ("succeeded", None, 1)
    assert EventRun.objects.get(event=event).attempts == 1
    assert peer.counts == {"/a/lost": 1}
    assert error_events() == []


def test_an_action_run_whose_worker_was_killed_fails_as_lost_and_is_not_performed_again(shop, peer, clusters):
    http_task(shop, peer)
    peer.hold_all()
    cluster = clusters.start()
    event = ingest(shop, "held")
    clusters.wait_until(lambda: peer.count("/a/held") == 1, START_S, "the action's request reaches the peer")
    action_run = action_run_of(event)
    assert started(action_run)

    cluster.kill_worker(owner_pid(action_run))
    lost_after = clusters.wait_until(
        lambda: status_of(action_run) == RunStatus.FAILED, LOST_WITHIN_S, "the action run is failed as lost"
    )
    peer.release()
    clusters.wait_settled(START_S)

    action_run.refresh_from_db()
    assert (action_run.status, action_run.ok, action_run.error, action_run.permanent) == (
        "failed",
        False,
        WORKER_LOST,
        True,
    )
    assert attempts_of(action_run) == [(1, False, WORKER_LOST, True)]
    assert error_events() == [("mechanic/errors/action", action_run.pk, WORKER_LOST)]
    assert peer.counts == {"/a/held": 1}
    assert slots_in_use(shop) == 0
    print(f"action run failed as lost {lost_after:.1f} s after its worker was killed")


def slow_run(kind: str, shop, peer) -> None:
    """A task calling the peer, with a slow ``kind`` run: an event filter that renders for a few
    seconds, or a task whose first Shopify read the peer holds."""
    if kind == "event":
        EventFilter.objects.create(shop=shop, name="slow", template=SLOW_FILTER)
        http_task(shop, peer)
    else:
        peer.hold_first("/admin/")
        http_task(shop, peer, before=SHOPIFY_READ)


def run_in_flight(kind: str, event, peer, clusters) -> EventRun | TaskRun:
    """``event``'s run of ``kind`` once a worker is in the middle of performing it."""
    if kind == "event":
        run = EventRun.objects.get(event=event)
        clusters.wait_until(lambda: started(run), START_S, "the event run starts")
        return run
    clusters.wait_until(
        lambda: peer.count("/admin/") == 1, START_S, "the task's Shopify read reaches the peer"
    )
    run = TaskRun.objects.get(event=event)
    assert started(run)
    return run


def assert_performed_once_more(run, kind: str, event, shop, peer) -> None:
    """``run`` was lost once and performed again, and the event's one action was performed once."""
    run.refresh_from_db()
    assert (run.status, run.error, run.attempts) == ("succeeded", None, 2)
    assert attempts_of(run) == [(1, False, REQUEUED, False), (2, True, None, None)]
    assert TaskRun.objects.filter(event=event).count() == 1
    assert list(ActionRun.objects.filter(task_run__event=event).values_list("status", flat=True)) == [
        "succeeded"
    ]
    assert peer.count("/a/") == 1
    assert peer.count("/admin/") == (2 if kind == "task" else 0)
    assert error_events() == []
    assert slots_in_use(shop) == 0


@pytest.mark.parametrize("kind", ["event", "task"])
def test_a_run_whose_worker_was_killed_is_performed_again_and_its_action_once(kind, shop, peer, clusters):
    slow_run(kind, shop, peer)
    cluster = clusters.start()
    event = ingest(shop, "k")
    run = run_in_flight(kind, event, peer, clusters)

    cluster.kill_worker(owner_pid(run))
    again_after = clusters.wait_until(
        lambda: type(run).objects.get(pk=run.pk).attempts == 2, LOST_WITHIN_S, "the run is claimed again"
    )
    clusters.wait_settled(START_S)

    assert_performed_once_more(run, kind, event, shop, peer)
    print(f"{kind} run claimed again {again_after:.1f} s after its worker was killed")


def lease_expiry(run):
    return type(run).objects.values_list("lease_expires_at", flat=True).get(pk=run.pk)


def freeze_between_beats(cluster, run, clusters) -> int:
    """SIGSTOP the worker holding ``run`` just after one of its lease renewals (so it is not
    frozen in the middle of a write that would block everyone else); returns its pid."""
    pid = owner_pid(run)
    before = lease_expiry(run)
    clusters.wait_until(lambda: lease_expiry(run) != before, LEASE_S, "the worker renews its lease")
    time.sleep(0.2)
    cluster.kill_worker(pid, signal.SIGSTOP)
    return pid


@pytest.mark.parametrize("kind", ["event", "task"])
def test_a_run_whose_worker_froze_past_its_lease_creates_nothing_when_it_wakes(kind, shop, peer, clusters):
    """A worker that stops renewing its lease without dying (a paused VM or container) finds,
    when it resumes, that its run was taken back and performed by another: what it made of the
    run is dropped, not added to the other's."""
    slow_run(kind, shop, peer)
    cluster = clusters.start(HUB_Q_WORKERS="2")
    event = ingest(shop, "f")
    run = run_in_flight(kind, event, peer, clusters)
    frozen = freeze_between_beats(cluster, run, clusters)

    clusters.wait_until(
        lambda: peer.count("/a/") == 1 and status_of(run) == RunStatus.SUCCEEDED,
        LOST_WITHIN_S + START_S,
        "another worker performs the run and its action",
    )
    cluster.kill_worker(frozen, signal.SIGCONT)
    peer.release()
    dropped = f"{kind} run {run.pk} was taken back before it concluded"
    clusters.wait_until(lambda: dropped in cluster.log(), START_S, "the resumed worker drops its outcome")
    clusters.wait_settled(START_S)

    assert_performed_once_more(run, kind, event, shop, peer)


def test_a_cluster_killed_whole_leaves_nothing_stranded_and_nothing_performed_twice(shop, peer, clusters):
    http_task(shop, peer)
    peer.hold_all()
    events = [ingest(shop, f"k{n}") for n in range(6)]
    cluster = clusters.start(HUB_Q_WORKERS="2")
    clusters.wait_until(lambda: peer.count("/a/") == 2, START_S, "both workers hold an action in flight")
    in_flight = set(ActionRun.objects.filter(status=RunStatus.STARTED).values_list("pk", flat=True))
    assert len(in_flight) == 2
    assert EventRun.objects.filter(status=RunStatus.DUE).count() == 4

    cluster.kill()
    assert cluster.group_members() == []
    peer.release()
    clusters.start(HUB_Q_WORKERS="2")
    settled_after = clusters.wait_settled(90)

    outcomes = {
        (run.pk in in_flight, run.status, run.error, run.permanent)
        for run in ActionRun.objects.filter(task_run__event__in=events)
    }
    assert outcomes == {(True, "failed", WORKER_LOST, True), (False, "succeeded", None, None)}
    assert ActionRun.objects.filter(task_run__event__in=events, status="succeeded").count() == 4
    assert ActionRun.objects.count() == 6
    assert sorted(origin for _, origin, _ in error_events()) == sorted(in_flight)
    assert peer.counts == {f"/a/k{n}": 1 for n in range(6)}
    assert slots_in_use(shop) == 0
    print(f"everything settled {settled_after:.1f} s after the new cluster was started")


GRACE_S = 10


def test_a_graceful_stop_ends_the_run_in_flight_and_claims_nothing_more(shop, peer, clusters):
    shop.run_concurrency = 1  # the waiting runs wait for the one slot: claimable the moment it frees
    shop.save()
    http_task(shop, peer)
    peer.hold_all()
    cluster = clusters.start(HUB_Q_WORKERS="2", HUB_SHUTDOWN_GRACE_S=str(GRACE_S))
    first = ingest(shop, "first")
    clusters.wait_until(lambda: peer.count("/a/first") == 1, START_S, "the first action is in flight")
    waiting = [ingest(shop, "second"), ingest(shop, "third")]
    time.sleep(2 * SWEEP_S)  # the sweeper wakes workers for them; they find no free slot

    cluster.terminate()
    stopped_at = time.monotonic()
    time.sleep(1)
    peer.release()
    released_after = time.monotonic() - stopped_at
    clusters.wait_until(cluster.exited, GRACE_S + 5, "the cluster exits")
    exited_after = time.monotonic() - stopped_at

    assert released_after <= exited_after <= GRACE_S + 3
    assert cluster.group_members() == []
    assert status_of(action_run_of(first)) == "succeeded"
    waiting_runs = EventRun.objects.filter(event__in=waiting).values_list("status", "attempts")
    assert list(waiting_runs) == [("due", 0), ("due", 0)]
    assert peer.counts == {"/a/first": 1}
    assert slots_in_use(shop) == 0

    clusters.start()
    clusters.wait_settled(START_S)
    assert [status_of(action_run_of(event)) for event in waiting] == ["succeeded", "succeeded"]
    assert peer.counts == {"/a/first": 1, "/a/second": 1, "/a/third": 1}
    print(f"exited {exited_after:.1f} s after SIGTERM; the run in flight ended at {released_after:.1f} s")


def test_a_graceful_stop_kills_a_run_in_flight_past_the_grace_and_the_next_cluster_fails_it(
    shop, peer, clusters
):
    grace = 3
    http_task(shop, peer)
    peer.hold_all()
    cluster = clusters.start(HUB_SHUTDOWN_GRACE_S=str(grace))
    event = ingest(shop, "long")
    clusters.wait_until(lambda: peer.count("/a/long") == 1, START_S, "the action is in flight")

    cluster.terminate()
    exited_after = clusters.wait_until(cluster.exited, grace + 5, "the cluster exits")

    assert grace <= exited_after <= grace + 3
    assert cluster.group_members() == []
    action_run = action_run_of(event)
    assert status_of(action_run) == "started"

    clusters.start()
    clusters.wait_until(
        lambda: status_of(action_run) == RunStatus.FAILED, START_S, "the next cluster fails the lost run"
    )
    peer.release()
    clusters.wait_settled(START_S)
    action_run.refresh_from_db()
    assert (action_run.status, action_run.error, action_run.permanent) == ("failed", WORKER_LOST, True)
    assert error_events() == [("mechanic/errors/action", action_run.pk, WORKER_LOST)]
    assert peer.counts == {"/a/long": 1}
    assert slots_in_use(shop) == 0
    print(f"the cluster exited {exited_after:.1f} s after SIGTERM with a grace of {grace} s")


def test_a_cluster_whose_sentinel_died_leaves_no_headless_worker_behind(shop, peer, clusters):
    """Django-Q2's workers outlive a sentinel killed alone (by the OOM killer, say) and would go
    on performing runs without a guard, beside the cluster a process manager starts next."""
    http_task(shop, peer)
    peer.hold_all()
    cluster = clusters.start(HUB_Q_WORKERS="2")
    event = ingest(shop, "orphan")
    clusters.wait_until(lambda: peer.count("/a/orphan") == 1, START_S, "the action is in flight")

    cluster.kill_worker(cluster.sentinel())
    clusters.wait_until(cluster.exited, 10, "the cluster exits")

    assert cluster.exit_status() == 1
    assert cluster.group_members() == []
    assert "the sentinel died (exit code -9); its processes were killed" in cluster.log()
    action_run = action_run_of(event)
    clusters.start()
    clusters.wait_until(
        lambda: status_of(action_run) == RunStatus.FAILED, START_S, "the next cluster fails the lost run"
    )
    clusters.wait_settled(START_S)
    assert error_events() == [("mechanic/errors/action", action_run.pk, WORKER_LOST)]
    assert peer.counts == {"/a/orphan": 1}
    assert slots_in_use(shop) == 0
