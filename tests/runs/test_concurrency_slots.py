"""Per-shop run slots and Shopify gating of claims (spec/runtime.md §6, §14.1)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Shop, ShopRateLimitState
from runs import claims
from runs.engine import perform_run
from runs.models import ActionRun, EventRun, ShopSlots, TaskRun
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    action,
    emit,
    http_get,
    ingest,
    make_task,
    peer_fixture,
    retries_fixture,
    task_runs,
)

pytestmark = pytest.mark.django_db


def in_flight(shop) -> int:
    return ShopSlots.objects.get(shop=shop).in_flight


def still_due(run) -> tuple:
    run.refresh_from_db()
    return (run.status, run.attempts, run.started_at)


@pytest.fixture
def other_shop(db):
    return Shop.objects.create(myshopify_domain="other.myshopify.com", data={"iana_timezone": "UTC"})


def test_with_one_slot_a_second_run_of_the_shop_waits_until_the_first_concludes(shop):
    shop.run_concurrency = 1
    shop.save()
    first, second = ingest(shop), ingest(shop)

    running = EventRun.claim(first.run.pk)
    assert running is not None
    assert EventRun.claim(second.run.pk) is None
    assert still_due(second.run) == ("due", 0, None)
    assert in_flight(shop) == 1

    perform_run(running)

    assert in_flight(shop) == 0
    assert EventRun.claim(second.run.pk) is not None
    assert in_flight(shop) == 1


def test_slots_count_every_kind_of_run_together(shop):
    shop.run_concurrency = 2
    shop.save()
    make_task(shop, script='{% log "x" %}')
    first = ingest(shop)
    perform_run(EventRun.claim(first.run.pk))
    second, third = ingest(shop), ingest(shop)

    assert TaskRun.claim(task_runs(first)[0].pk) is not None
    assert EventRun.claim(second.run.pk) is not None
    assert EventRun.claim(third.run.pk) is None
    assert in_flight(shop) == 2


def test_slots_are_per_shop(shop, other_shop):
    shop.run_concurrency = 1
    shop.save()
    other_shop.run_concurrency = 1
    other_shop.save()
    mine, mine_too, theirs = ingest(shop), ingest(shop), ingest(other_shop)

    assert EventRun.claim(mine.run.pk) is not None
    assert EventRun.claim(mine_too.run.pk) is None
    assert EventRun.claim(theirs.run.pk) is not None
    assert (in_flight(shop), in_flight(other_shop)) == (1, 1)


def test_a_shop_with_no_slots_runs_nothing(shop):
    shop.run_concurrency = 0
    shop.save()
    event = ingest(shop)

    assert EventRun.claim(event.run.pk) is None
    assert still_due(event.run) == ("due", 0, None)


def test_a_first_claim_is_not_refused_when_another_worker_makes_the_slots_row_meanwhile(shop, monkeypatch):
    """Two first claims of a shop at once: the other worker creates the shop's slots row between
    this worker's update (no row yet) and its second look (a row, with free slots)."""
    from django.db.models import QuerySet

    update = QuerySet.update
    raced = []

    def racing_update(queryset, **kwargs):
        if queryset.model is ShopSlots and not raced:
            raced.append(True)
            ShopSlots.objects.create(shop=shop, in_flight=1)
            return 0
        return update(queryset, **kwargs)

    monkeypatch.setattr(QuerySet, "update", racing_update)

    assert ShopSlots.take(shop.pk, 4) is True
    assert in_flight(shop) == 2
    assert ShopSlots.take(shop.pk, 2) is False


def test_claim_next_passes_over_a_full_shop_to_another_shops_run(shop, other_shop):
    shop.run_concurrency = 1
    shop.save()
    held, waiting = ingest(shop), ingest(shop)
    EventRun.claim(held.run.pk)
    theirs = ingest(other_shop)

    claimed = claims.claim_next("test")

    assert claimed.pk == theirs.run.pk
    assert still_due(waiting.run) == ("due", 0, None)


def test_slots_return_to_zero_after_an_event_with_retries_follow_ups_and_error_events(shop, peer, retries):
    make_task(
        shop,
        subscriptions=["user/test/go", "mechanic/actions/perform"],
        script='{% if event.topic == "user/test/go" %}'
        + http_get(peer.answer("/down", 503))
        + http_get(peer.answer("/flaky", 503, 200))
        + "{% endif %}",
    )

    emit(shop)

    assert in_flight(shop) == 0
    assert peer.paths.count("/down") == 5


def test_a_crash_while_performing_gives_the_slot_back(shop, monkeypatch):
    make_task(shop, script='{% log "x" %}')
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    monkeypatch.setattr(TaskRun, "render", lambda self, **kwargs: 1 / 0)
    run = TaskRun.claim(task_runs(event)[0].pk)
    assert in_flight(shop) == 1

    perform_run(run)

    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "internal error: ZeroDivisionError: division by zero")
    assert in_flight(shop) == 0


# --- Shopify gating -------------------------------------------------------------------------


def exhaust_graphql(shop, available: float = 50.0) -> None:
    """Shopify last reported ``available`` of 1000 GraphQL points, restoring 1 a second."""
    ShopRateLimitState.objects.update_or_create(
        shop=shop,
        defaults={
            "graphql_maximum_available": 1000.0,
            "graphql_currently_available": available,
            "graphql_restore_rate": 1.0,
            "graphql_updated_at": timezone.now(),
        },
    )


def due_task_run(shop):
    make_task(shop, script='{% log "x" %}')
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    return task_runs(event)[0]


def test_a_task_run_waits_while_the_graphql_bucket_is_below_ten_percent(shop):
    run = due_task_run(shop)
    exhaust_graphql(shop, available=99.0)

    assert TaskRun.claim(run.pk) is None
    assert still_due(run) == ("due", 0, None)


def test_an_event_run_of_that_shop_is_claimed_meanwhile(shop):
    exhaust_graphql(shop)
    event = ingest(shop)

    assert EventRun.claim(event.run.pk) is not None


def test_a_task_run_is_claimed_at_ten_percent(shop):
    run = due_task_run(shop)
    exhaust_graphql(shop, available=100.0)

    assert TaskRun.claim(run.pk) is not None


def test_a_task_run_is_claimed_once_the_bucket_has_refilled(shop):
    run = due_task_run(shop)
    exhaust_graphql(shop, available=50.0)
    ShopRateLimitState.objects.filter(shop=shop).update(
        graphql_updated_at=timezone.now() - timedelta(seconds=51)
    )

    assert TaskRun.claim(run.pk) is not None


def test_a_task_run_waits_while_the_rest_bucket_is_full(shop):
    run = due_task_run(shop)
    ShopRateLimitState.objects.create(shop=shop, rest_used=40, rest_limit=40, rest_updated_at=timezone.now())

    assert TaskRun.claim(run.pk) is None


def test_a_shopify_action_run_waits_but_another_action_run_does_not(shop):
    make_task(shop, script=action("shopify", "{ shop { name } }") + action("echo", {}))
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    shopify_run, echo_run = perform_run(TaskRun.claim(task_runs(event)[0].pk))
    exhaust_graphql(shop)

    assert ActionRun.claim(shopify_run.pk) is None
    assert ActionRun.claim(echo_run.pk) is not None
    assert still_due(shopify_run) == ("due", 0, None)


def test_claim_next_passes_over_a_gated_task_run_to_an_event_run(shop):
    run = due_task_run(shop)
    exhaust_graphql(shop)
    event = ingest(shop)

    claimed = claims.claim_next("test")

    assert (type(claimed), claimed.pk) == (EventRun, event.run.pk)
    assert still_due(run) == ("due", 0, None)
    assert in_flight(shop) == 1


def test_a_gated_claim_takes_no_slot(shop):
    run = due_task_run(shop)
    exhaust_graphql(shop)

    TaskRun.claim(run.pk)

    assert in_flight(shop) == 0
    assert still_due(run) == ("due", 0, None)
