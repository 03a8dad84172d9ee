"""The Shopify install against a stand-in Admin host (HUB_SHOPIFY_ADMIN_URL) keeps the shop's token."""

from urllib.parse import parse_qsl, urlsplit

from django.utils import timezone

from integrations.models import Shop
from tests.integrations.oauth_helpers import (  # noqa: F401  (fixtures)
    CALLBACK,
    form_of,
    services_fixture,
    staff_client_fixture,
    start_connect,
)

SHOP_RESOURCE = {
    "id": 548380009,
    "name": "Example Shop",
    "email": "owner@example.com",
    "myshopify_domain": "example.myshopify.com",
    "iana_timezone": "America/New_York",
    "currency": "USD",
}


def test_the_install_runs_against_the_stand_in_and_stores_the_offline_token(staff_client, services, db):
    endpoint, params = start_connect(staff_client, "shopify")

    assert endpoint == services.url_for("/admin/oauth/authorize")
    assert params == {  # a shop Hub does not know yet has no tasks: no scope is asked for
        "client_id": "shopify-client",
        "redirect_uri": CALLBACK.format(service="shopify"),
        "response_type": "code",
        "state": params["state"],
        "shop": "example.myshopify.com",
    }

    services.expect_request("/admin/oauth/access_token", method="POST").respond_with_json(
        {
            "access_token": "shpat_offline",
            "scope": "read_products,read_orders",
            "expires_in": 3600,
            "refresh_token": "shprt_1",
            "refresh_token_expires_in": 7776000,
        }
    )
    services.expect_request(
        "/admin/shop.json", headers={"X-Shopify-Access-Token": "shpat_offline"}
    ).respond_with_json({"shop": SHOP_RESOURCE})

    staff_client.get(
        "/accounts/shopify/login/callback/",
        {"code": "c0de", "state": params["state"], "shop": "example.myshopify.com"},
    )

    assert form_of(services.log[0][0]) == {
        "redirect_uri": CALLBACK.format(service="shopify"),
        "grant_type": "authorization_code",
        "code": "c0de",
        "client_id": "shopify-client",
        "client_secret": "shopify-secret",
        "expiring": "1",
    }
    shop = Shop.objects.get()
    assert (shop.connection, shop.refresh_token, shop.granted_scopes) == (
        "oauth",
        "shprt_1",
        ["read_orders", "read_products"],
    )
    assert 3590 < (shop.token_expires_at - timezone.now()).total_seconds() <= 3600
    assert 7775990 < (shop.refresh_token_expires_at - timezone.now()).total_seconds() <= 7776000
    assert (shop.myshopify_domain, shop.access_token, shop.data) == (
        "example.myshopify.com",
        "shpat_offline",
        SHOP_RESOURCE,
    )


def test_the_shop_parameter_must_still_be_a_myshopify_domain(staff_client, services, db):
    response = staff_client.post("/accounts/shopify/login/?process=connect&shop=127.0.0.1:8000")

    assert (response.status_code, response.content) == (400, b"Invalid `shop` parameter")


def test_a_known_shop_is_asked_for_the_scopes_its_tasks_need(staff_client, services, db):
    Shop.objects.create(
        myshopify_domain="example.myshopify.com",
        required_scopes=["read_customers", "write_orders"],
        read_all_orders=True,
    )

    _endpoint, params = start_connect(staff_client, "shopify")

    assert params["scope"] == "read_all_orders,read_customers,write_orders"


def test_the_shop_owner_who_signs_in_through_shopify_becomes_its_owner_member(client, services, db):
    from integrations.models import ShopMember

    services.expect_request("/admin/oauth/access_token", method="POST").respond_with_json(
        {"access_token": "shpat_owner", "scope": "read_orders"}
    )
    services.expect_request("/admin/shop.json").respond_with_json({"shop": SHOP_RESOURCE})
    response = client.post("/accounts/shopify/login/?shop=example.myshopify.com")
    state = dict(parse_qsl(urlsplit(response["Location"]).query))["state"]

    client.get(
        "/accounts/shopify/login/callback/", {"code": "c0de", "state": state, "shop": "example.myshopify.com"}
    )

    (member,) = ShopMember.objects.all()
    assert (member.shop.myshopify_domain, member.role, member.user.email) == (
        "example.myshopify.com",
        "owner",
        "owner@example.com",
    )
    assert member.user.is_staff is False


def test_a_staff_user_connecting_a_shop_does_not_become_its_member(staff_client, services, db):
    from integrations.models import ShopMember

    services.expect_request("/admin/oauth/access_token", method="POST").respond_with_json(
        {"access_token": "shpat_x", "scope": "read_orders"}
    )
    services.expect_request("/admin/shop.json").respond_with_json({"shop": SHOP_RESOURCE})
    _endpoint, params = start_connect(staff_client, "shopify")

    staff_client.get(
        "/accounts/shopify/login/callback/",
        {"code": "c0de", "state": params["state"], "shop": "example.myshopify.com"},
    )

    assert Shop.objects.get().access_token == "shpat_x"
    assert not ShopMember.objects.exists()
