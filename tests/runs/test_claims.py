"""Which due run a worker takes next, and handing a new run straight to the worker that made it
(spec/runtime.md §6)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from integrations.models import Shop
from runs import claims
from runs.engine import perform_run
from runs.models import EventRun, RunStatus, ShopSlots, TaskRun
from tasks_app.models import Task

pytestmark = pytest.mark.django_db


def due_event(shop, age_s: float) -> EventRun:
    event = Event.objects.ingest(shop, "user/a/b", None, enqueue=False)
    EventRun.objects.filter(pk=event.run.pk).update(run_at=timezone.now() - timedelta(seconds=age_s))
    return EventRun.objects.get(pk=event.run.pk)


@pytest.fixture
def other_shop(db):
    return Shop.objects.create(myshopify_domain="other.myshopify.com", data={"iana_timezone": "UTC"})


def test_candidates_come_action_runs_first_then_task_runs_then_event_runs_oldest_first(shop):
    Task.objects.create(
        shop=shop, name="T", enabled=True, subscriptions=["user/a/b"], script='{% action "echo" %}'
    )
    older, newer = due_event(shop, 20), due_event(shop, 10)
    with_task = due_event(shop, 30)
    perform_run(EventRun.claim(with_task.pk))  # its task run is due now
    task_run = TaskRun.objects.get(event_run=with_task)

    candidates = claims.due_candidates()

    assert [(model.kind, run_id) for model, run_id, _shop in candidates] == [
        ("task", task_run.pk),
        ("event", older.pk),
        ("event", newer.pk),
    ]
    assert {shop_id for _model, _run, shop_id in candidates} == {shop.pk}


def test_the_shop_served_least_recently_goes_first(shop, other_shop):
    mine = due_event(shop, 60)  # older, but its shop was just served
    theirs = due_event(other_shop, 1)
    ShopSlots.objects.create(shop=shop, in_flight=0, last_claimed_at=timezone.now())
    ShopSlots.objects.create(
        shop=other_shop, in_flight=0, last_claimed_at=timezone.now() - timedelta(hours=1)
    )

    first = claims.claim_next("worker-1")

    assert first.pk == theirs.pk
    assert claims.claim_next("worker-1").pk == mine.pk


def test_a_shop_with_no_free_slot_is_passed_over_for_another(shop, other_shop):
    shop.run_concurrency = 1
    shop.save(update_fields=["run_concurrency"])
    busy, waiting = due_event(shop, 30), due_event(shop, 20)
    elsewhere = due_event(other_shop, 10)
    assert claims.claim_next("worker-1").pk == busy.pk

    assert claims.claim_next("worker-2").pk == elsewhere.pk
    assert claims.claim_next("worker-3") is None
    waiting.refresh_from_db()
    assert waiting.status == RunStatus.DUE


def test_a_worker_goes_straight_on_with_the_task_run_its_event_run_made(shop):
    Task.objects.create(shop=shop, name="T", enabled=True, subscriptions=["user/a/b"], script='{% log "x" %}')
    event_run = EventRun.claim(due_event(shop, 1).pk, owner="worker-1")

    (task_run,) = perform_run(event_run, owner="worker-1")

    stored = TaskRun.objects.get(pk=task_run.pk)
    assert (stored.status, stored.lease_owner, stored.attempts) == (RunStatus.STARTED, "worker-1", 1)
    assert ShopSlots.objects.get(shop=shop).in_flight == 1  # the event run's slot passed to it
    assert perform_run(task_run, owner="worker-1") == []
    assert ShopSlots.objects.get(shop=shop).in_flight == 0
    assert TaskRun.objects.get(pk=task_run.pk).status == RunStatus.SUCCEEDED
