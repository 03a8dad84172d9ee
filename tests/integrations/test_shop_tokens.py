"""A shop's access token over its life against the stand-in over real HTTP (issue 9, item 1):
expiring offline tokens refreshed before their end and on a 401, a refusal marking the shop
"needs re-authorization", the client-credentials grant (``connect_shop``), scopes asked for from
the enabled tasks."""

from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qsl

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from integrations.models import Shop
from integrations.shopify import ShopifyClient, ShopifyPermanentError, tokens
from standin.install import StaffLogin, install
from standin.server import StandinServer
from standin.store import Store
from tasks_app.models import Task

QUERY = "{ shop { name } }"
SECRET = "app-secret"


@pytest.fixture
def standin(settings):
    store = Store.from_file()
    server = StandinServer(store, api_secret=SECRET).start()
    settings.HUB_SHOPIFY_ADMIN_URL = server.url
    settings.HUB_SHOPIFY_API_SECRET = SECRET
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "shopify": {"APP": {"client_id": "hub-app", "secret": SECRET}},
    }
    yield server
    server.stop()


def token_requests(server) -> list[dict]:
    """The token requests the stand-in received, each body parsed from its form encoding."""
    return [
        {**entry, "body": dict(parse_qsl(entry["body"]))}
        for entry in server.store.requests
        if entry["path"] == "/admin/oauth/access_token"
    ]


def tokens_sent(server) -> list[str]:
    return [
        entry["headers"].get("X-Shopify-Access-Token")
        for entry in server.store.requests
        if entry["path"].endswith("/graphql.json")
    ]


def oauth_shop(server, *, expires_in_s: float) -> Shop:
    """A shop holding an expiring offline token and refresh token the stand-in issued."""
    status, answer = server.httpd.grants.answer(
        {
            "client_id": "hub-app",
            "client_secret": SECRET,
            "code": server.httpd.grants.new_code(None),
            "expiring": "1",
        }
    )
    assert status == 200
    shop = Shop.objects.create(myshopify_domain="example.myshopify.com")
    tokens.store_grant(shop, answer, "oauth")
    Shop.objects.filter(pk=shop.pk).update(token_expires_at=timezone.now() + timedelta(seconds=expires_in_s))
    return Shop.objects.get(pk=shop.pk)


def test_a_token_near_its_end_is_refreshed_before_the_call_and_the_refresh_token_rotates(standin, db):
    shop = oauth_shop(standin, expires_in_s=60)
    old_token, old_refresh = shop.access_token, shop.refresh_token

    body = ShopifyClient(shop).graphql(QUERY)

    assert body["data"]["shop"]["name"]
    shop.refresh_from_db()
    assert shop.access_token != old_token and shop.refresh_token != old_refresh
    assert 3590 < (shop.token_expires_at - timezone.now()).total_seconds() <= 3600
    (refresh,) = token_requests(standin)[-1:]
    assert refresh["body"] == {
        "client_id": "hub-app",
        "client_secret": SECRET,
        "grant_type": "refresh_token",
        "refresh_token": old_refresh,
    }
    assert tokens_sent(standin) == [shop.access_token]
    reused = {"client_id": "hub-app", "client_secret": SECRET, "grant_type": "refresh_token"}
    assert standin.httpd.grants.answer({**reused, "refresh_token": old_refresh})[0] == 400  # used up


def test_a_token_far_from_its_end_is_used_as_it_is(standin, db):
    shop = oauth_shop(standin, expires_in_s=3000)

    ShopifyClient(shop).graphql(QUERY)

    assert len(token_requests(standin)) == 0
    assert tokens_sent(standin) == [shop.access_token]


def test_a_401_makes_the_client_refresh_once_and_send_again(standin, db):
    shop = oauth_shop(standin, expires_in_s=3000)
    standin.httpd.grants.revoked.add(shop.access_token)
    revoked = shop.access_token

    body = ShopifyClient(shop).graphql(QUERY)

    assert body["data"]["shop"]["name"]
    shop.refresh_from_db()
    assert tokens_sent(standin) == [revoked, shop.access_token]


def test_a_refused_refresh_marks_the_shop_and_every_call_fails_saying_so(standin, db):
    shop = oauth_shop(standin, expires_in_s=60)
    standin.httpd.grants.refresh_tokens.clear()  # Shopify no longer knows the refresh token

    with pytest.raises(ShopifyPermanentError) as refused:
        ShopifyClient(shop).graphql(QUERY)

    message = str(refused.value)
    assert message.startswith("shop example.myshopify.com needs re-authorization: the refresh_token grant")
    assert "was refused (400): The refresh token is invalid, expired or was already used" in message
    assert Shop.objects.get(pk=shop.pk).needs_reauthorization == message
    calls = len(standin.store.requests)
    with pytest.raises(ShopifyPermanentError, match="needs re-authorization"):
        ShopifyClient(Shop.objects.get(pk=shop.pk)).graphql(QUERY)
    assert len(standin.store.requests) == calls  # nothing more was sent


def test_connect_shop_uses_the_client_credentials_grant(standin, db):
    out = StringIO()

    call_command("connect_shop", "example", "--client-credentials", stdout=out)

    shop = Shop.objects.get(myshopify_domain="example.myshopify.com")
    assert shop.connection == "client_credentials"
    assert shop.refresh_token == ""
    assert 86390 < (shop.token_expires_at - timezone.now()).total_seconds() <= 86399
    assert shop.data["myshopify_domain"] == "example.myshopify.com"
    assert token_requests(standin)[0]["body"] == {
        "client_id": "hub-app",
        "client_secret": SECRET,
        "grant_type": "client_credentials",
    }
    assert out.getvalue().startswith("Connected example.myshopify.com through the client-credentials grant")
    assert shop.granted_scopes == sorted(standin.httpd.granted_scopes.split(","))


def test_a_client_credentials_token_near_its_end_is_bought_again(standin, db):
    call_command("connect_shop", "example.myshopify.com", "--client-credentials", stdout=StringIO())
    Shop.objects.update(token_expires_at=timezone.now() + timedelta(minutes=2))
    shop = Shop.objects.get()
    old = shop.access_token

    ShopifyClient(shop).graphql(QUERY)

    assert [entry["body"]["grant_type"] for entry in token_requests(standin)] == [
        "client_credentials",
        "client_credentials",
    ]
    assert Shop.objects.get().access_token != old


def test_connect_shop_with_a_wrong_secret_fails_naming_the_refusal(standin, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"shopify": {"APP": {"client_id": "hub-app", "secret": "wrong"}}}

    refused = r"shop example.myshopify.com was refused \(401\): Client authentication failed"
    with pytest.raises(CommandError, match=refused):
        call_command("connect_shop", "example", "--client-credentials")


def test_connect_shop_needs_the_grant_named(db):
    with pytest.raises(CommandError, match="say --client-credentials"):
        call_command("connect_shop", "example")


def test_the_hourly_pass_keeps_idle_tokens_alive(standin, db):
    shop = oauth_shop(standin, expires_in_s=3000)
    Shop.objects.filter(pk=shop.pk).update(refresh_token_expires_at=timezone.now() + timedelta(days=3))
    fresh = Shop.objects.create(
        myshopify_domain="fresh.myshopify.com", access_token="t", connection="oauth",
        refresh_token="r", refresh_token_expires_at=timezone.now() + timedelta(days=60),
    )  # fmt: skip

    assert tokens.renew_expiring() == 1

    shop.refresh_from_db()
    assert (shop.refresh_token_expires_at - timezone.now()).days >= 89
    assert Shop.objects.get(pk=fresh.pk).access_token == "t"


def test_missing_scopes_count_a_write_scope_as_its_read_scope(db):
    shop = Shop(
        granted_scopes=["write_orders", "read_products"],
        required_scopes=["read_orders", "read_customers", "write_products"],
    )

    assert shop.missing_scopes == ["read_customers", "write_products"]


@pytest.mark.django_db(transaction=True)
def test_an_install_asks_for_and_is_granted_the_scopes_the_enabled_tasks_need(
    standin, live_server, django_user_model
):
    shop = Shop.objects.create(myshopify_domain="example.myshopify.com")
    Task.objects.create(shop=shop, name="A", enabled=True, shopify_access_scopes_required=["write_orders"])
    Task.objects.create(shop=shop, name="B", enabled=True, shopify_access_scopes_required=["read_customers"])
    Task.objects.create(shop=shop, name="Off", enabled=False, shopify_access_scopes_required=["write_themes"])
    django_user_model.objects.create_user("admin", password="pw", is_staff=True, is_superuser=True)

    install(live_server.url, "example.myshopify.com", StaffLogin("admin", "pw"))

    shop.refresh_from_db()
    assert shop.required_scopes == ["read_customers", "write_orders"]
    assert shop.granted_scopes == ["read_customers", "write_orders"]
    assert shop.missing_scopes == []
    assert (shop.connection, bool(shop.refresh_token)) == ("oauth", True)
    assert shop.refresh_token in standin.httpd.grants.refresh_tokens


def test_the_shop_admin_offers_what_a_missing_scope_needs(admin_client, db):
    Shop.objects.create(
        myshopify_domain="oauth.myshopify.com", connection="oauth", required_scopes=["write_orders"]
    )
    Shop.objects.create(
        myshopify_domain="own.myshopify.com",
        connection="client_credentials",
        required_scopes=["write_orders"],
    )

    listing = admin_client.get("/admin/integrations/shop/").content.decode()
    oauth_page = admin_client.get(
        f"/admin/integrations/shop/{Shop.objects.get(connection='oauth').pk}/change/"
    )
    own_page = admin_client.get(
        f"/admin/integrations/shop/{Shop.objects.get(connection='client_credentials').pk}/change/"
    )

    assert listing.count("scopes: write_orders") == 2
    link = '<a href="/accounts/shopify/login/?process=connect&amp;shop=oauth.myshopify.com">Re-authorize</a>'
    assert f"write_orders &mdash; {link}" in oauth_page.content.decode()
    assert "add them to the app's access scopes in the Dev Dashboard" in own_page.content.decode()


def test_a_shopify_action_of_a_shop_needing_re_authorization_fails_with_that_message(standin, db):
    from runs.models import ActionRun
    from tests.runs.engine_helpers import action, emit, make_task

    shop = oauth_shop(standin, expires_in_s=3000)
    Shop.objects.filter(pk=shop.pk).update(
        needs_reauthorization="shop example.myshopify.com needs re-authorization: x"
    )
    make_task(
        shop,
        script=action(
            "shopify",
            'mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["a"]) { userErrors { message } } }',
        ),
    )

    event = emit(shop)

    run = ActionRun.objects.get(task_run__event=event)
    assert (run.status, run.permanent) == ("failed", True)
    assert run.error == "shop example.myshopify.com needs re-authorization: x"
    assert not [entry for entry in standin.store.requests if entry["path"].endswith("/graphql.json")]


def test_connect_shop_without_a_client_id_says_which_setting_to_set(db, settings):
    settings.HUB_SHOPIFY_API_KEY = ""
    settings.SOCIALACCOUNT_PROVIDERS = {"shopify": {"APP": {"client_id": "", "secret": "s"}}}

    with pytest.raises(CommandError, match="^set HUB_SHOPIFY_API_KEY to the app's client id"):
        call_command("connect_shop", "example", "--client-credentials")

    assert not Shop.objects.exists()
