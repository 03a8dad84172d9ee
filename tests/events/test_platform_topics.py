"""The platform topics (issue 9; spec/platform.md §2.2, §2.3). ``app/uninstalled``: the shop is
marked uninstalled, its token dropped, later deliveries dropped and its pending runs failed; a
reinstall restores it. ``shop/update`` refreshes the stored shop."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Event
from integrations.models import Shop
from integrations.signals import shop_installed
from runs.engine import perform_run
from runs.inline import perform_event_now
from runs.models import ActionRun, EventRun, TaskRun
from runs.models.runs import SHOP_UNINSTALLED
from tests.conftest import WEBHOOKS_DIR
from tests.events.test_shopify_webhooks import ORDERS_PAID, _secrets, deliver  # noqa: F401  (fixture)
from tests.integrations.oauth_helpers import services_fixture, staff_client_fixture, start_connect  # noqa: F401
from tests.integrations.test_oauth_shopify import SHOP_RESOURCE
from tests.runs.engine_helpers import emit, ingest, make_task

UNINSTALLED_BODY = json.dumps({"id": 548380009, "name": "Super Toys", "domain": None}).encode()


@pytest.fixture
def installed(shop):
    Shop.objects.filter(pk=shop.pk).update(access_token="shpat_live")
    return Shop.objects.get(pk=shop.pk)


def uninstall(client) -> int:
    response = deliver(
        client, UNINSTALLED_BODY, X_Shopify_Topic="app/uninstalled", X_Shopify_Webhook_Id="uninstall-1"
    )
    return response.status_code


def test_an_uninstall_delivery_marks_the_shop_and_drops_its_token_and_makes_no_event(installed):
    client = Client()

    assert uninstall(client) == 200

    shop = Shop.objects.get(pk=installed.pk)
    assert shop.uninstalled_at is not None
    assert shop.access_token == ""
    assert not Event.objects.exists()


def test_deliveries_after_the_uninstall_are_answered_200_and_dropped(installed):
    client = Client()
    make_task(installed, subscriptions=["shopify/orders/paid"], script='{% action "echo", n: 1 %}')
    uninstall(client)

    response = deliver(client, ORDERS_PAID, X_Shopify_Webhook_Id="after-uninstall")

    assert response.status_code == 200
    assert not Event.objects.exists()


def test_a_pending_event_of_an_uninstalled_shop_performs_nothing_and_emits_no_error_event(installed):
    make_task(installed, subscriptions=["user/a/b"], script='{% action "echo", n: 1 %}')
    installed.mark_uninstalled(installed.created_at)

    event = emit(installed, "user/a/b")

    run = EventRun.objects.get(event=event)
    assert (run.status, run.error, run.permanent) == ("failed", SHOP_UNINSTALLED, True)
    assert not TaskRun.objects.exists()
    assert list(Event.objects.values_list("topic", flat=True)) == ["user/a/b"]


def test_a_task_run_created_before_the_uninstall_fails_when_it_comes_up(installed):
    make_task(installed, subscriptions=["user/a/b"], script='{% action "echo", n: 1 %}')
    event = ingest(installed, "user/a/b")
    perform_run(EventRun.claim(event.run.pk), enqueue=False)  # the task run is now due
    Shop.objects.get(pk=installed.pk).mark_uninstalled(installed.created_at)

    perform_event_now(event)

    task_run = TaskRun.objects.get(event=event)
    assert (task_run.status, task_run.error) == ("failed", SHOP_UNINSTALLED)
    assert not ActionRun.objects.exists()


def test_a_reinstall_clears_the_mark_and_stores_the_new_token(staff_client, services, db):
    services.expect_request("/admin/shop.json").respond_with_json({"shop": SHOP_RESOURCE})
    services.expect_oneshot_request("/admin/oauth/access_token").respond_with_json(
        {"access_token": "shpat_again", "scope": "read_orders"}
    )
    Shop.objects.create(myshopify_domain="example.myshopify.com").mark_uninstalled(timezone.now())
    _, params = start_connect(staff_client, "shopify")
    installs = []
    shop_installed.connect(lambda sender, shop, **kw: installs.append(shop.pk), weak=False, dispatch_uid="t")

    try:
        staff_client.get(
            "/accounts/shopify/login/callback/",
            {"code": "c0de", "state": params["state"], "shop": "example.myshopify.com"},
        )
    finally:
        shop_installed.disconnect(dispatch_uid="t")

    shop = Shop.objects.get()
    assert (shop.uninstalled_at, shop.access_token) == (None, "shpat_again")
    assert installs == [shop.pk]  # its webhook subscriptions are synced next (tasks_app.receivers)


def test_a_shop_update_delivery_refreshes_the_stored_shop_and_is_an_event_too(installed):
    client = Client()
    body = json.loads((WEBHOOKS_DIR / "shop-update.json").read_bytes())
    body["iana_timezone"] = "America/Toronto"
    Shop.objects.filter(pk=installed.pk).update(data={**installed.data, "kept_key": "kept"})
    make_task(installed, subscriptions=["shopify/shop/update"], script='{% action "echo", name: shop.name %}')

    response = deliver(client, json.dumps(body).encode(), X_Shopify_Topic="shop/update")

    assert response.status_code == 200
    shop = Shop.objects.get(pk=installed.pk)
    assert shop.data["name"] == body["name"]
    assert shop.data["kept_key"] == "kept"  # keys the delivery does not carry stay
    assert shop.timezone_name == "America/Toronto"
    (event,) = Event.objects.all()
    assert event.topic == "shopify/shop/update"
