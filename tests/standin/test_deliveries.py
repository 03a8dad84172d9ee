"""The stand-in delivers signed webhooks of its changes to the subscriptions Hub made (issue 9,
item 5): a REST order created in the stand-in reaches Hub's live server as a verified
``shopify/orders/create`` event and a task run; failed deliveries are tried again; an uninstall
delivers ``app/uninstalled`` and revokes the app."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from events.models import Event
from integrations.models import Shop
from runs.inline import perform_event_now
from runs.models import ActionRun
from standin.deliveries import DeliveryOptions
from standin.server import StandinServer
from standin.store import Store
from standin.webhooks import sign
from tasks_app import webhook_sync
from tests.runs.engine_helpers import make_task

SECRET = "standin-test-secret"
ORDER = {
    "order": {"line_items": [{"title": "Hat", "quantity": 1}], "shipping_address": {"country_code": "CA"}}
}


@pytest.fixture
def delivering(settings):
    """A stand-in delivering webhooks (fast retries), signing with Hub's app secret."""
    settings.HUB_SHOPIFY_API_SECRET = SECRET
    settings.HUB_SHOPIFY_API_SECRET_PREVIOUS = ""
    server = StandinServer(
        Store.from_file(), api_secret=SECRET, deliveries=DeliveryOptions(attempts=3, retry_s=0.05)
    ).start()
    settings.HUB_SHOPIFY_ADMIN_URL = server.url
    yield server
    server.stop()


def wait_for(predicate, timeout_s: float = 10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def create_order(server) -> dict:
    response = requests.post(f"{server.url}/admin/api/2026-07/orders.json", json=ORDER, timeout=5)
    assert response.status_code == 201
    return response.json()["order"]


@pytest.mark.django_db(transaction=True)
def test_an_order_created_in_the_stand_in_becomes_a_hub_event_and_a_task_run(
    delivering, live_server, settings
):
    settings.HUB_BASE_URL = live_server.url
    shop = Shop.objects.create(myshopify_domain="example.myshopify.com", access_token="shpat_x")
    make_task(
        shop,
        subscriptions=["shopify/orders/create"],
        script='{% action "echo", country: order.shipping_address.country_code %}',
    )
    webhook_sync.sync_shop(shop)

    order = create_order(delivering)

    event = wait_for(lambda: Event.objects.filter(topic="shopify/orders/create").first())
    assert event.source == "shopify"
    assert event.data["admin_graphql_api_id"] == order["admin_graphql_api_id"]
    assert event.data["shipping_address"]["country_code"] == "CA"
    perform_event_now(event)
    assert ActionRun.objects.get(task_run__event=event).result == {"country": "CA"}
    (delivery,) = delivering.deliverer.log
    assert (delivery["topic"], delivery["status"], delivery["attempt"]) == ("orders/create", 200, 1)


class Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first two deliveries, then 200; keeps what it received."""

    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(503 if len(self.received) <= 2 else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky():
    Flaky.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/shopify/webhooks", Flaky.received
    server.shutdown()


def subscribe(server, topic: str, uri: str, **extra) -> None:
    body = requests.post(
        f"{server.url}/admin/api/2026-07/graphql.json",
        json={
            "query": "mutation($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) {"
            " webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) { userErrors { message } } }",
            "variables": {"t": topic, "s": {"uri": uri, **extra}},
        },
        timeout=5,
    ).json()
    assert body["data"]["webhookSubscriptionCreate"]["userErrors"] == []


def test_a_failed_delivery_is_tried_again_with_the_same_ids_and_shopifys_headers(delivering, flaky):
    url, received = flaky
    subscribe(delivering, "CUSTOMERS_CREATE", url)

    requests.post(
        f"{delivering.url}/admin/api/2026-07/customers.json", json={"customer": {"email": "a@b.c"}}, timeout=5
    )
    delivering.deliverer.wait()

    assert [entry["status"] for entry in delivering.deliverer.log] == [503, 503, 200]
    assert len(received) == 3
    headers = [{name.lower(): value for name, value in got.items()} for got, _ in received]
    assert {h["x-shopify-webhook-id"] for h in headers} == {delivering.deliverer.log[0]["webhook_id"]}
    first, body = headers[0], received[0][1]
    assert first["x-shopify-topic"] == "customers/create"
    assert first["x-shopify-shop-domain"] == "example.myshopify.com"
    assert first["x-shopify-hmac-sha256"] == sign(body, SECRET)
    assert {"x-shopify-event-id", "x-shopify-triggered-at", "x-shopify-api-version"} <= set(first)
    assert json.loads(body)["email"] == "a@b.c"


def test_a_graphql_mutation_delivers_the_update_topic_trimmed_to_include_fields(delivering, flaky):
    url, received = flaky
    received.extend([None, None])  # answer 200 at once
    subscribe(delivering, "ORDERS_UPDATED", url, includeFields=["id", "tags"])
    order_id = delivering.store.of_type("Order")[0]["id"]

    requests.post(
        f"{delivering.url}/admin/api/2026-07/graphql.json",
        json={"query": 'mutation($id: ID!) { tagsAdd(id: $id, tags: ["vip"]) { userErrors { message } } }',
              "variables": {"id": order_id}},
        timeout=5,
    )  # fmt: skip
    delivering.deliverer.wait()

    payload = json.loads(received[2][1])
    assert set(payload) == {"id", "tags"}
    assert "vip" in payload["tags"]


def test_a_filtered_subscription_gets_only_matching_records(delivering, flaky):
    url, received = flaky
    received.extend([None, None])
    subscribe(delivering, "CUSTOMERS_CREATE", url, filter="email:y@vip.example")

    for email in ("x@plain.example", "y@vip.example"):
        requests.post(
            f"{delivering.url}/admin/api/2026-07/customers.json",
            json={"customer": {"email": email}},
            timeout=5,
        )
    delivering.deliverer.wait()

    assert [json.loads(body)["email"] for _, body in received[2:]] == ["y@vip.example"]


@pytest.mark.django_db(transaction=True)
def test_the_uninstall_command_delivers_app_uninstalled_and_hub_marks_the_shop(
    delivering, live_server, settings, capsys
):
    from django.core.management import call_command

    settings.HUB_BASE_URL = live_server.url
    shop = Shop.objects.create(myshopify_domain="example.myshopify.com", access_token="shpat_x")
    webhook_sync.sync_shop(shop)

    call_command("shopify_standin", "--url", delivering.url, "--uninstall", "example.myshopify.com")

    out = capsys.readouterr().out
    assert out == (
        f"Uninstalled the app from example.myshopify.com: app/uninstalled delivered to "
        f"{live_server.url}/shopify/webhooks.\n"
    )
    shop.refresh_from_db()
    assert shop.uninstalled_at is not None and shop.access_token == ""
    assert delivering.store.of_type("WebhookSubscription") == []


def test_uninstalling_another_shop_than_the_stand_ins_is_refused_and_revokes_nothing(delivering):
    from django.core.management import CommandError, call_command

    delivering.store.tokens.add("shpat_kept")

    with pytest.raises(
        CommandError, match="answered 404: this stand-in serves example.myshopify.com, not nope.myshopify.com"
    ):
        call_command("shopify_standin", "--url", delivering.url, "--uninstall", "nope.myshopify.com")

    assert "shpat_kept" in delivering.store.tokens
    assert delivering.httpd.grants.revoked == set()
