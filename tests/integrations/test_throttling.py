"""Cost-based throttling against the stand-in (spec/runtime.md §14.1)."""

import pytest
from django.utils import timezone

from integrations.models import ShopRateLimitState
from integrations.shopify import ShopifyClient, ShopifyThrottledError
from integrations.shopify import empty_usage as empty_result_meta
from integrations.shopify.throttling import (
    ThrottleBudget,
    ThrottleExhausted,
    ThrottleStatus,
    gate_wait,
    parse_call_limit,
    restore_wait,
)
from tests.standin.standin_helpers import (  # noqa: F401  (fixtures)
    clock_fixture,
    graphql_requests,
    standin_fixture,
)

QUERY = '{ order(id: "gid://shopify/Order/450789469") { name } }'  # costs 1
ORDERS = "{ orders(first: 5) { nodes { name } } }"  # costs 2 + 5 × 1 = 7


def test_a_nearly_empty_bucket_is_waited_out_then_the_query_succeeds(shop, standin, clock):
    standin.store.set_bucket(currently_available=2, restore_rate=25)
    usage = empty_result_meta()

    body = ShopifyClient(shop, "2026-07", usage=usage, clock=clock).graphql(ORDERS)

    assert clock.sleeps == [0.2]  # (7 − 2) points at 25 per second
    assert body["data"] == {
        "orders": {
            "nodes": [
                {"name": "#9999"},
                {"name": "#1001"},
                {"name": "#1002"},
                {"name": "#1003"},
                {"name": "#1101"},
            ]
        }
    }
    assert body["extensions"] == {
        "cost": {
            "requestedQueryCost": 7,
            "actualQueryCost": 7,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 0, "restoreRate": 25.0},
        }
    }
    assert graphql_requests(standin) == [{"query": ORDERS, "variables": {}}] * 2
    assert usage["shopify_admin_graphql_api_requests_count"] == 2
    assert usage["shopify_admin_graphql_api_cost"] == 7
    state = ShopRateLimitState.objects.get(shop=shop)
    assert (
        state.graphql_currently_available,
        state.graphql_maximum_available,
        state.graphql_restore_rate,
    ) == (
        0.0,
        2000.0,
        25.0,
    )
    assert state.throttled_count == 1


def test_a_bucket_that_never_refills_fails_after_ten_waits(shop, standin, clock):
    standin.store.set_bucket(currently_available=0, restore_rate=0)

    with pytest.raises(ShopifyThrottledError) as caught:
        ShopifyClient(shop, "2026-07", clock=clock).graphql(QUERY)

    assert str(caught.value) == (
        "Shopify API rate limit did not recover: still throttled after 10 waits "
        "(10.0 s in total; the limit is 10 waits or 60 s)"
    )
    assert clock.sleeps == [1.0] * 10
    assert len(graphql_requests(standin)) == 11
    assert ShopRateLimitState.objects.get(shop=shop).throttled_count == 11


def test_a_slow_restore_fails_after_sixty_seconds(shop, standin, clock):
    standin.store.set_bucket(currently_available=0, restore_rate=0.1)

    with pytest.raises(ShopifyThrottledError) as caught:
        ShopifyClient(shop, "2026-07", clock=clock).graphql(ORDERS)

    assert clock.sleeps == [60.0]
    assert str(caught.value) == (
        "Shopify API rate limit did not recover: still throttled after 1 wait "
        "(60.0 s in total; the limit is 10 waits or 60 s)"
    )


def test_an_exhausted_stored_bucket_holds_the_request_back_first(shop, standin, clock):
    ShopRateLimitState.objects.create(
        shop=shop,
        graphql_maximum_available=2000.0,
        graphql_currently_available=50.0,
        graphql_restore_rate=100.0,
        graphql_updated_at=clock.now(),
    )

    ShopifyClient(shop, "2026-07", clock=clock).graphql(QUERY)

    assert clock.sleeps == [1.5]  # (10 % of 2000 − 50) / 100 per second


def test_gate_is_open_for_unknown_and_healthy_buckets(shop):
    assert gate_wait(shop, "graphql") == 0.0
    ShopRateLimitState.objects.create(
        shop=shop,
        graphql_maximum_available=1000.0,
        graphql_currently_available=100.0,
        graphql_restore_rate=50.0,
        graphql_updated_at=timezone.now(),
        rest_used=39,
        rest_limit=40,
        rest_updated_at=timezone.now(),
    )
    assert gate_wait(shop, "graphql") == 0.0
    assert gate_wait(shop, "rest") == pytest.approx(1.0, abs=0.05)  # 39 used: leak 2 calls to get below 38


def test_restore_wait_estimates_from_the_throttle_status():
    status = ThrottleStatus(maximum_available=2000.0, currently_available=10.0, restore_rate=100.0)
    assert restore_wait(status, 110.0) == 1.0
    assert restore_wait(status, 5.0) == 0.1
    assert restore_wait(None, 50.0) == 1.0
    assert restore_wait(ThrottleStatus(1000.0, 0.0, 0.0), 50.0) == 1.0


def test_call_limit_header_parsing():
    assert parse_call_limit("32/40") == (32, 40)
    assert parse_call_limit(" 1 / 80 ") == (1, 80)
    assert parse_call_limit("n/a") is None
    assert parse_call_limit(None) is None


def test_budget_counts_waits_and_seconds():
    slept = []
    budget = ThrottleBudget(sleep=slept.append, max_waits=2, max_seconds=5.0)
    budget.wait(3.0)
    budget.wait(4.0)
    with pytest.raises(ThrottleExhausted):
        budget.wait(0.1)
    assert slept == [3.0, 2.0]
