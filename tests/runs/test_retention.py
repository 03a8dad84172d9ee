"""Retention: complete events expire with their runs and attempts (spec/runtime.md §2.8, platform §10.1)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from runs import retention, verbs
from runs.inline import perform_event_now
from runs.models import ActionRun, EventRun, RunAttempt, RunStatus, TaskRun
from tasks_app.models import CacheEntry, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def echo_task(shop):
    return Task.objects.create(
        shop=shop, name="Echo", enabled=True, subscriptions=["user/a/b"], script='{% action "echo", n: 1 %}'
    )


def done_event(shop, **fields) -> Event:
    """An event whose runs have all been performed (one task run, one echo action run)."""
    event = Event.objects.ingest(shop, "user/a/b", None, enqueue=False, **fields)
    perform_event_now(event)
    return event


def stamp(event: Event):
    event.refresh_from_db()
    return event.completed_at


def test_an_event_whose_runs_all_ended_is_stamped_complete(shop, echo_task):
    event = done_event(shop)
    now = timezone.now()

    report = retention.purge(now)

    assert report.completed == 1
    assert stamp(event) == now


def test_a_pending_descendant_keeps_its_ancestors_incomplete_until_it_ends(shop, echo_task):
    parent = done_event(shop)
    child = Event.objects.ingest(shop, "user/a/b", None, enqueue=False, parent=parent)  # event run due
    grandchild = done_event(shop, parent=child)

    retention.purge()

    assert (stamp(parent), stamp(child)) == (None, None)
    assert stamp(grandchild) is not None
    perform_event_now(child)
    later = timezone.now()
    retention.purge(later)
    assert (stamp(parent), stamp(child)) == (later, later)


def test_a_scheduled_run_counts_as_pending(shop, echo_task):
    event = Event.objects.ingest(
        shop, "user/a/b", None, enqueue=False, run_at=timezone.now() + timedelta(days=3)
    )

    retention.purge()

    assert event.run.status == RunStatus.SCHEDULED
    assert stamp(event) is None


def test_a_pending_run_six_generations_down_does_not_hold_the_oldest_ancestor(shop, echo_task):
    chain = [done_event(shop)]
    for _generation in range(5):
        chain.append(done_event(shop, parent=chain[-1]))
    Event.objects.ingest(shop, "user/a/b", None, enqueue=False, parent=chain[-1])  # pending, 6th generation

    retention.purge()

    assert [stamp(event) is not None for event in chain] == [True, False, False, False, False, False]


def test_events_complete_for_longer_than_the_period_are_deleted_with_runs_and_attempts(
    shop, echo_task, settings
):
    settings.HUB_RETENTION_DAYS = 15
    old, recent = done_event(shop), done_event(shop)
    now = timezone.now()
    Event.objects.filter(pk=old.pk).update(completed_at=now - timedelta(days=15, seconds=1))
    Event.objects.filter(pk=recent.pk).update(completed_at=now - timedelta(days=14, hours=23))
    old_runs = [old.run.pk, TaskRun.objects.get(event=old).pk, ActionRun.objects.get(task_run__event=old).pk]
    assert RunAttempt.objects.filter(run_id__in=old_runs).count() == 3

    report = retention.purge(now)

    assert report.deleted_events == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not EventRun.objects.filter(pk=old_runs[0]).exists()
    assert not TaskRun.objects.filter(pk=old_runs[1]).exists()
    assert not ActionRun.objects.filter(pk=old_runs[2]).exists()
    assert RunAttempt.objects.filter(run_id__in=old_runs).count() == 0
    assert RunAttempt.objects.count() == 3  # the recent event's three runs


def test_an_expired_ancestor_goes_without_its_descendants(shop, echo_task):
    parent = done_event(shop)
    child = Event.objects.ingest(shop, "user/a/b", None, enqueue=False, parent=parent)
    Event.objects.filter(pk=parent.pk).update(completed_at=timezone.now() - timedelta(days=30))

    retention.purge()

    child.refresh_from_db()
    assert not Event.objects.filter(pk=parent.pk).exists()
    assert (child.parent_id, child.run.status) == (None, RunStatus.DUE)


def test_deletion_goes_in_batches(shop, echo_task, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    events = [done_event(shop) for _ in range(5)]
    Event.objects.filter(pk__in=[e.pk for e in events]).update(
        completed_at=timezone.now() - timedelta(days=20)
    )
    calls = []
    delete = retention.delete_events
    monkeypatch.setattr(retention, "delete_events", lambda ids: calls.append(len(ids)) or delete(ids))

    report = retention.purge()

    assert (report.deleted_events, calls) == (5, [2, 2, 1])
    assert not Event.objects.exists()


def test_a_manual_retry_clears_the_stamp_of_the_event_and_its_ancestors(shop):
    Task.objects.create(
        shop=shop, name="Fails", enabled=True, subscriptions=["user/a/b"], script='{% error "x" %}'
    )
    parent = Event.objects.ingest(shop, "user/p/q", None, enqueue=False)
    perform_event_now(parent)
    child = done_event(shop, parent=parent)
    retention.purge()
    assert stamp(parent) is not None and stamp(child) is not None
    task_run = TaskRun.objects.get(event=child)

    verbs.retry(task_run)

    assert (stamp(parent), stamp(child)) == (None, None)


def test_expired_cache_entries_are_deleted_and_live_ones_kept(shop):
    now = timezone.now()
    CacheEntry.objects.create(shop=shop, key="old", value=1, expires_at=now - timedelta(seconds=1))
    CacheEntry.objects.create(shop=shop, key="live", value=2, expires_at=now + timedelta(days=1))

    report = retention.purge()

    assert report.deleted_cache_entries == 1
    assert list(CacheEntry.objects.values_list("key", flat=True)) == ["live"]


def test_events_of_a_shop_uninstalled_for_longer_than_the_period_go_complete_or_not(
    shop, echo_task, settings
):
    settings.HUB_RETENTION_DAYS = 15
    now = timezone.now()
    pending = Event.objects.ingest(shop, "user/a/b", None, enqueue=False)  # never performed
    complete = done_event(shop)
    Event.objects.update(created_at=now - timedelta(days=16))
    shop.mark_uninstalled(now - timedelta(days=15, seconds=1))
    later = Event.objects.ingest(shop, "user/a/b", None, enqueue=False)  # inside the period

    report = retention.purge(now)

    assert report.deleted_uninstalled_events == 2
    assert list(Event.objects.values_list("pk", flat=True)) == [later.pk]
    assert not EventRun.objects.filter(event_id__in=[pending.pk, complete.pk]).exists()
    assert not TaskRun.objects.filter(event_id=complete.pk).exists()


def test_a_shop_uninstalled_within_the_period_keeps_its_pending_events(shop, echo_task, settings):
    settings.HUB_RETENTION_DAYS = 15
    now = timezone.now()
    pending = Event.objects.ingest(shop, "user/a/b", None, enqueue=False)
    Event.objects.update(created_at=now - timedelta(days=30))
    shop.mark_uninstalled(now - timedelta(days=14))

    report = retention.purge(now)

    assert report.deleted_uninstalled_events == 0
    assert list(Event.objects.values_list("pk", flat=True)) == [pending.pk]
