"""The demo's install: Hub's real Shopify OAuth flow against the stand-in, scripted as a merchant's
browser (``standin.install``; issue 9, item 6): the shop ends up with a sealed token from the
stand-in's token exchange, and Hub is told of the install (its webhook subscriptions follow)."""

import pytest
from django.contrib.auth import get_user_model

from integrations.models import Shop
from integrations.signals import shop_installed
from standin.install import InstallError, StaffLogin, install
from standin.server import StandinServer
from standin.store import Store

DOMAIN = "demo-hub.myshopify.com"


@pytest.fixture
def standin(settings):
    store = Store.from_file()
    store.shop["myshopifyDomain"] = DOMAIN
    server = StandinServer(store, api_secret=settings.HUB_SHOPIFY_API_SECRET).start()
    settings.HUB_SHOPIFY_ADMIN_URL = server.url
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "shopify": {"APP": {"client_id": "hub-demo", "secret": settings.HUB_SHOPIFY_API_SECRET}},
    }
    yield server
    server.stop()


@pytest.fixture
def staff(db):
    get_user_model().objects.create_user("admin", password="pw-demo", is_staff=True, is_superuser=True)
    return StaffLogin("admin", "pw-demo")


@pytest.mark.django_db(transaction=True)
def test_the_scripted_install_connects_the_shop_with_a_token_from_the_stand_in(standin, live_server, staff):
    installs = []
    shop_installed.connect(
        lambda sender, shop, **kw: installs.append(shop.myshopify_domain), weak=False, dispatch_uid="t"
    )
    try:
        install(live_server.url, DOMAIN, staff)
    finally:
        shop_installed.disconnect(dispatch_uid="t")

    shop = Shop.objects.get(myshopify_domain=DOMAIN)
    assert shop.access_token in standin.store.tokens
    assert shop.access_token.startswith("shpat_")
    assert installs == [DOMAIN]


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_stops_the_install_naming_the_step(standin, live_server, staff):
    with pytest.raises(InstallError, match="as 'admin' failed"):
        install(live_server.url, DOMAIN, StaffLogin("admin", "wrong"))

    assert not Shop.objects.exists()
