"""The Shopify Admin API client: exact requests, error mapping, usage counters (spec/runtime.md §14)."""

# ruff: noqa: E501  (GraphQL documents and Shopify messages read best on one line)
import json
import socket

import pytest
from werkzeug import Response

from integrations.models import ShopRateLimitState
from integrations.shopify import (
    ShopifyClient,
    ShopifyPermanentError,
    ShopifyThrottledError,
    ShopifyTransientError,
)
from integrations.shopify import empty_usage as empty_result_meta
from integrations.shopify.client import error_kind, error_messages
from tests.clock import FakeClock

COST = {
    "requestedQueryCost": 3,
    "actualQueryCost": 2,
    "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1998, "restoreRate": 100.0},
}


@pytest.fixture
def shop(shop):
    shop.access_token = "shpat_test_token"
    shop.api_version = "2026-04"
    shop.save()
    return shop


@pytest.fixture
def admin(settings, httpserver):
    settings.HUB_SHOPIFY_ADMIN_URL = httpserver.url_for("/").rstrip("/")
    return httpserver


def only_request(httpserver):
    assert len(httpserver.log) == 1
    return httpserver.log[0][0]


def test_graphql_posts_query_and_variables_with_the_token_to_the_versioned_endpoint(shop, admin):
    body = {"data": {"shop": {"name": "Example Shop"}}, "extensions": {"cost": COST}}
    admin.expect_request("/admin/api/2026-04/graphql.json", method="POST").respond_with_json(body)
    usage = empty_result_meta()

    result = ShopifyClient(shop, usage=usage).graphql("query Q($n: Int) { shop { name } }", {"n": 1})

    request = only_request(admin)
    assert request.get_data() == b'{"query":"query Q($n: Int) { shop { name } }","variables":{"n":1}}'
    assert request.headers["X-Shopify-Access-Token"] == "shpat_test_token"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    assert result == body
    assert {key: value for key, value in usage.items() if key != "shopify_admin_api_time_ms"} == {
        "shopify_admin_graphql_api_cost": 2,
        "shopify_admin_rest_api_requests_count": 0,
        "shopify_admin_graphql_api_requests_count": 1,
    }
    assert isinstance(usage["shopify_admin_api_time_ms"], int) and usage["shopify_admin_api_time_ms"] >= 0
    state = ShopRateLimitState.objects.get(shop=shop)
    assert (
        state.graphql_maximum_available,
        state.graphql_currently_available,
        state.graphql_restore_rate,
    ) == (
        2000.0,
        1998.0,
        100.0,
    )


def test_the_run_api_version_wins_over_the_shop_version(shop, admin):
    admin.expect_request("/admin/api/unstable/graphql.json").respond_with_json({"data": {}})

    ShopifyClient(shop, "unstable").graphql("{ shop { id } }")

    assert only_request(admin).get_data() == b'{"query":"{ shop { id } }","variables":{}}'


def test_without_an_override_requests_go_to_the_myshopify_domain(shop, settings):
    settings.HUB_SHOPIFY_ADMIN_URL = ""

    assert (
        ShopifyClient(shop).url("graphql.json")
        == "https://example.myshopify.com/admin/api/2026-04/graphql.json"
    )


def test_a_shop_without_a_token_sends_no_token_header(shop, admin):
    shop.access_token = ""
    admin.expect_request("/admin/api/2026-04/graphql.json").respond_with_json({"data": {}})

    ShopifyClient(shop).graphql("{ shop { id } }")

    assert "X-Shopify-Access-Token" not in only_request(admin).headers


def test_graphql_errors_are_returned_not_raised(shop, admin):
    body = {"errors": [{"message": "Field 'nope' doesn't exist on type 'Shop'"}]}
    admin.expect_request("/admin/api/2026-04/graphql.json").respond_with_json(body)

    assert ShopifyClient(shop).graphql("{ shop { nope } }") == body


@pytest.mark.parametrize(
    ("status", "body", "error_class", "message"),
    [
        (
            401,
            {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
            ShopifyPermanentError,
            "Received a Shopify error (forbidden): [API] Invalid API key or access token "
            "(unrecognized login or wrong password)",
        ),
        (
            402,
            {"errors": "Unavailable Shop"},
            ShopifyPermanentError,
            "Received a Shopify error (payment required): Unavailable Shop",
        ),
        (
            502,
            {"errors": "Bad Gateway"},
            ShopifyTransientError,
            "Received a Shopify error (bad gateway): Bad Gateway",
        ),
        (
            503,
            "",
            ShopifyTransientError,
            "Received a Shopify error (service unavailable): SERVICE UNAVAILABLE",
        ),
    ],
)
def test_http_errors_map_to_permanent_or_transient(shop, admin, status, body, error_class, message):
    response = Response(json.dumps(body) if body else "", status=status, content_type="application/json")
    admin.expect_request("/admin/api/2026-04/graphql.json").respond_with_response(response)

    with pytest.raises(error_class) as caught:
        ShopifyClient(shop).graphql("{ shop { id } }")

    assert str(caught.value) == message
    assert caught.value.status == status


def test_a_refused_connection_is_transient_and_still_counted(shop, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.HUB_SHOPIFY_ADMIN_URL = f"http://127.0.0.1:{port}"
    usage = empty_result_meta()

    with pytest.raises(ShopifyTransientError) as caught:
        ShopifyClient(shop, usage=usage).graphql("{ shop { id } }")

    assert str(caught.value) == "Shopify request failed: Connection refused"
    assert usage["shopify_admin_graphql_api_requests_count"] == 1


def test_a_throttled_reply_is_waited_out_for_the_estimated_restore_time(shop, admin):
    throttled = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 52,
                "actualQueryCost": None,
                "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 2, "restoreRate": 100.0},
            }
        },
    }
    ok = {"data": {"shop": {"id": "gid://shopify/Shop/1"}}, "extensions": {"cost": COST}}
    admin.expect_ordered_request("/admin/api/2026-04/graphql.json").respond_with_json(throttled)
    admin.expect_ordered_request("/admin/api/2026-04/graphql.json").respond_with_json(ok)
    clock, usage = FakeClock(), empty_result_meta()

    result = ShopifyClient(shop, usage=usage, clock=clock).graphql("{ shop { id } }")

    assert result == ok
    assert clock.sleeps == [0.5]
    assert usage["shopify_admin_graphql_api_requests_count"] == 2
    assert usage["shopify_admin_graphql_api_cost"] == 2
    assert ShopRateLimitState.objects.get(shop=shop).throttled_count == 1


def test_http_429_waits_for_retry_after(shop, admin):
    admin.expect_ordered_request("/admin/api/2026-04/orders/1.json").respond_with_response(
        Response(
            '{"errors":"Exceeded 2 calls per second for api client."}',
            status=429,
            headers={"Retry-After": "2.0"},
        )
    )
    admin.expect_ordered_request("/admin/api/2026-04/orders/1.json").respond_with_json({"order": {"id": 1}})
    clock = FakeClock()

    assert ShopifyClient(shop, clock=clock).rest("GET", "orders/1.json") == {"order": {"id": 1}}
    assert clock.sleeps == [2.0]


def test_rest_sends_json_and_records_the_call_limit(shop, admin):
    admin.expect_request("/admin/api/2026-04/orders/450789469.json", method="PUT").respond_with_json(
        {"order": {"id": 450789469, "tags": "vip"}}, headers={"X-Shopify-Shop-Api-Call-Limit": "3/40"}
    )
    usage = empty_result_meta()

    result = ShopifyClient(shop, usage=usage).rest("put", "orders/450789469.json", {"order": {"tags": "vip"}})

    request = only_request(admin)
    assert request.method == "PUT"
    assert request.get_data() == b'{"order":{"tags":"vip"}}'
    assert request.headers["X-Shopify-Access-Token"] == "shpat_test_token"
    assert result == {"order": {"id": 450789469, "tags": "vip"}}
    assert usage["shopify_admin_rest_api_requests_count"] == 1
    assert usage["shopify_admin_graphql_api_requests_count"] == 0
    state = ShopRateLimitState.objects.get(shop=shop)
    assert (state.rest_used, state.rest_limit) == (3, 40)


def test_rest_empty_body_is_none(shop, admin):
    admin.expect_request("/admin/api/2026-04/customers/1.json", method="DELETE").respond_with_data(
        "", status=200
    )

    assert ShopifyClient(shop).rest("DELETE", "customers/1.json") is None


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            422,
            {"errors": {"base": ["Add at least 1 product"]}},
            "Received a Shopify error (resource invalid): Add at least 1 product",
        ),
        (
            422,
            {"errors": {"title": ["can't be blank"]}},
            "Received a Shopify error (resource invalid): title can't be blank",
        ),
        (404, {"errors": "Not Found"}, "Received a Shopify error (not found): Not Found"),
        (
            403,
            {"errors": "This action requires merchant approval for write_orders scope."},
            "Received a Shopify error (forbidden): This action requires merchant approval for write_orders scope.",
        ),
    ],
)
def test_rest_errors_name_kind_and_messages(shop, admin, status, body, message):
    admin.expect_request("/admin/api/2026-04/draft_orders.json").respond_with_json(body, status=status)

    with pytest.raises(ShopifyPermanentError) as caught:
        ShopifyClient(shop).rest("POST", "draft_orders.json", {"draft_order": {}})

    assert str(caught.value) == message


def test_throttling_past_the_allowance_raises_a_permanent_error(shop, admin):
    admin.expect_request("/admin/api/2026-04/orders.json").respond_with_response(
        Response('{"errors":"Exceeded"}', status=429, headers={"Retry-After": "7"})
    )
    clock = FakeClock()

    with pytest.raises(ShopifyThrottledError) as caught:
        ShopifyClient(shop, clock=clock).rest("GET", "orders.json")

    assert clock.sleeps == [7.0] * 8 + [4.0]
    assert str(caught.value) == (
        "Shopify API rate limit did not recover: still throttled after 9 waits "
        "(60.0 s in total; the limit is 10 waits or 60 s)"
    )
    assert caught.value.permanent is True


def test_error_helpers():
    assert error_kind(500) == "internal server error"
    assert error_kind(999) == "http 999"
    assert error_messages({"errors": ["one", {"message": "two"}]}) == ["one", "two"]
    assert error_messages({"error": "invalid_request"}) == ["invalid_request"]
