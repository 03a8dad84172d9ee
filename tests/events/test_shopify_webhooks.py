"""Shopify deliveries at ``/shopify/webhooks`` (spec/platform.md §2.3)."""

import base64
import hashlib
import hmac
import json
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Event, ShopifyDelivery
from tests.conftest import WEBHOOKS_DIR

SECRET = "test-shopify-secret"
ORDERS_PAID = (WEBHOOKS_DIR / "orders-paid.json").read_bytes()


@pytest.fixture(autouse=True)
def _secrets(settings):
    settings.HUB_SHOPIFY_API_SECRET = SECRET
    settings.HUB_SHOPIFY_API_SECRET_PREVIOUS = ""


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def deliver(client, body=ORDERS_PAID, *, path="/shopify/webhooks", signature=None, **headers):
    defaults = {
        "X-Shopify-Topic": "orders/paid",
        "X-Shopify-Shop-Domain": "example.myshopify.com",
        "X-Shopify-Hmac-Sha256": sign(body) if signature is None else signature,
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-API-Version": "2026-07",
    }
    defaults.update({name.replace("_", "-"): value for name, value in headers.items()})
    defaults = {name: value for name, value in defaults.items() if value is not None}
    return client.post(path, body, content_type="application/json", headers=defaults)


def test_a_signed_delivery_stores_the_payload_unchanged(client, shop):
    response = deliver(client)

    assert response.status_code == 200
    (event,) = Event.objects.all()
    assert event.shop == shop
    assert event.topic == "shopify/orders/paid"
    assert event.shopify_topic == "shopify/orders/paid"
    assert event.source == "shopify"
    assert event.data == json.loads(ORDERS_PAID)
    assert event.data["id"] == 820982911946154508


def test_the_event_run_is_created_due(client, shop):
    deliver(client)

    assert Event.objects.get().run.status == "due"


def test_the_path_with_a_trailing_slash_is_accepted(client, shop):
    response = deliver(client, path="/shopify/webhooks/")

    assert response.status_code == 200
    assert Event.objects.count() == 1


def test_a_wrong_hmac_answers_401_and_stores_nothing(client, shop):
    response = deliver(client, signature=sign(ORDERS_PAID, "someone-else"))

    assert response.status_code == 401
    assert not Event.objects.exists()
    assert not ShopifyDelivery.objects.exists()


def test_a_missing_hmac_answers_401_and_stores_nothing(client, shop):
    response = deliver(client, X_Shopify_Hmac_Sha256=None)

    assert response.status_code == 401
    assert not Event.objects.exists()


def test_a_tampered_body_answers_401(client, shop):
    response = deliver(
        client, ORDERS_PAID.replace(b"820982911946154508", b"1", 1), signature=sign(ORDERS_PAID)
    )

    assert response.status_code == 401
    assert not Event.objects.exists()


def test_the_previous_secret_is_accepted_while_rotating(client, shop, settings):
    settings.HUB_SHOPIFY_API_SECRET_PREVIOUS = "old-secret"

    response = deliver(client, signature=sign(ORDERS_PAID, "old-secret"))

    assert response.status_code == 200
    assert Event.objects.count() == 1


def test_a_blank_previous_secret_never_verifies(client, shop, settings):
    settings.HUB_SHOPIFY_API_SECRET = ""

    response = deliver(client, signature=sign(ORDERS_PAID, ""))

    assert response.status_code == 401


def test_an_unknown_shop_answers_200_stores_nothing_and_is_logged(client, shop, caplog):
    with caplog.at_level(logging.WARNING, logger="events"):
        response = deliver(client, X_Shopify_Shop_Domain="other.myshopify.com")

    assert response.status_code == 200
    assert not Event.objects.exists()
    assert "other.myshopify.com" in caplog.text


def test_a_redelivery_with_the_same_webhook_id_stores_one_event(client, shop):
    first = deliver(client)
    second = deliver(client)

    assert (first.status_code, second.status_code) == (200, 200)
    assert Event.objects.count() == 1
    assert ShopifyDelivery.objects.get().event == Event.objects.get()


def test_the_same_event_id_and_topic_under_new_webhook_ids_store_one_event(client, shop):
    deliver(client, X_Shopify_Event_Id="98880550-7158-44d4-b7cd-2c97c8a091b5", X_Shopify_Webhook_Id="w1")
    deliver(client, X_Shopify_Event_Id="98880550-7158-44d4-b7cd-2c97c8a091b5", X_Shopify_Webhook_Id="w2")

    assert Event.objects.count() == 1


def test_the_same_event_id_under_another_topic_is_a_new_event(client, shop):
    deliver(client, X_Shopify_Event_Id="e1", X_Shopify_Topic="orders/paid")
    deliver(client, X_Shopify_Event_Id="e1", X_Shopify_Topic="orders/updated")

    assert sorted(Event.objects.values_list("topic", flat=True)) == [
        "shopify/orders/paid",
        "shopify/orders/updated",
    ]


def test_a_repeat_after_the_dedup_window_is_a_new_event(client, shop, settings):
    deliver(client)
    ShopifyDelivery.objects.update(received_at=timezone.now() - timedelta(hours=49))

    deliver(client)

    assert Event.objects.count() == 2


def test_a_delivery_without_ids_is_stored_every_time(client, shop):
    deliver(client, X_Shopify_Webhook_Id=None)
    deliver(client, X_Shopify_Webhook_Id=None)

    assert Event.objects.count() == 2


def test_a_signed_body_that_is_not_json_answers_400_and_stores_nothing(client, shop):
    response = deliver(client, b'{"id": ')

    assert response.status_code == 400
    assert b"not valid JSON" in response.content
    assert not Event.objects.exists()
    assert not ShopifyDelivery.objects.exists()


def test_a_signed_delivery_without_a_topic_answers_400(client, shop):
    response = deliver(client, X_Shopify_Topic=None)

    assert response.status_code == 400
    assert not Event.objects.exists()


def test_get_answers_405(client, shop):
    assert client.get("/shopify/webhooks").status_code == 405


def test_a_body_over_the_limit_answers_413(client, shop, settings):
    settings.HUB_MAX_WEBHOOK_BYTES = 100

    response = deliver(client)

    assert response.status_code == 413
    assert not Event.objects.exists()


def test_a_number_too_large_for_a_float_answers_400_and_stores_nothing(client, shop):
    body = b'{"id": 1, "total": 1e400}'

    response = deliver(client, body)

    assert response.status_code == 400
    assert not Event.objects.exists()
