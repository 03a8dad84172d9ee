"""The stand-in delivering webhooks: when seeded data changes, every matching subscription gets a
signed delivery, as Shopify sends them (spec/platform.md §2.3).

A change is reported to the store (``Store.changed(topic, record)``, by the REST resources and the
GraphQL mutations): an order created (``orders/create``) or changed (``orders/updated``), a
customer created or changed (``customers/create``, ``customers/update``), a product created or
changed (``products/create``, ``products/update``), and ``app/uninstalled`` (``uninstall``). The
``Deliverer`` finds the subscriptions of that topic with an HTTP address whose ``filter`` (Shopify
search syntax) matches the record, renders the record in REST shape (trimmed to
``includeFields`` when set) and POSTs it with Shopify's headers and HMAC, one event id shared by
every subscription of the change. A delivery that is not answered 2xx is tried again, ``attempts``
times in all, after ``retry_s`` seconds and then twice as long each time (Shopify: 8 tries over
4 hours). Every try is recorded in ``Deliverer.log``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from standin.rest import RENDER
from standin.search import matches_search
from standin.store import Store, gid_number
from standin.subscriptions import is_http, subscriptions
from standin.webhooks import DeliveryIds, deliver_webhook

logger = logging.getLogger(__name__)


def topic_enum(topic: str) -> str:
    """``orders/create`` → ``ORDERS_CREATE``."""
    return topic.upper().replace("/", "_")


@dataclass(frozen=True)
class DeliveryOptions:
    """How a stand-in delivers: ``attempts`` tries per delivery, the first retry after
    ``retry_s`` seconds (then twice as long each time)."""

    attempts: int = 3
    retry_s: float = 1.0


@dataclass
class Deliverer:
    """Delivers the store's changes to its subscriptions (see the module docstring), signing with
    ``secret`` (the app's client secret); ``attempts`` tries per delivery, the first retry after
    ``retry_s`` seconds."""

    store: Store
    secret: str
    attempts: int = 3
    retry_s: float = 1.0
    timeout_s: float = 10.0
    log: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def changed(self, topic: str, record: dict) -> list[str]:
        """``record`` (an Order, Customer, Product, or the shop for ``app/uninstalled``) changed as
        ``topic`` says: start a delivery to each matching subscription; returns their addresses."""
        matching = [
            sub
            for sub in subscriptions(self.store, topic=topic_enum(topic))
            if is_http(sub["uri"])
            and (not sub["filter"] or matches_search(record, sub["filter"], self.store))
        ]
        if not matching:
            return []
        payload = self.payload(record)
        event_id = DeliveryIds().event_id
        for sub in matching:
            fields = sub["includeFields"]
            body = {key: value for key, value in payload.items() if key in fields} if fields else payload
            ids = DeliveryIds(event_id=event_id)
            thread = threading.Thread(
                target=self.deliver, args=(sub["uri"], topic, body, ids), name="standin-delivery", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        return [sub["uri"] for sub in matching]

    def payload(self, record: dict) -> dict:
        """``record`` in the REST shape a delivery carries."""
        render = RENDER.get(record.get("__typename", ""))
        if render is not None:
            return render(self.store, record)
        fields = {key: value for key, value in record.items() if not key.startswith("_")}
        return {**fields, "id": int(gid_number(record["id"])), "admin_graphql_api_id": record["id"]}

    def deliver(self, url: str, topic: str, payload: dict, ids: DeliveryIds) -> bool:
        """POST one delivery, trying again on failure; whether it was answered 2xx."""
        domain = str(self.store.shop.get("myshopifyDomain") or "example.myshopify.com")
        for attempt in range(1, self.attempts + 1):
            try:
                response = deliver_webhook(
                    url,
                    topic,
                    payload,
                    shop_domain=domain,
                    secret=self.secret,
                    ids=ids,
                    timeout=self.timeout_s,
                )
                status: int | None = response.status_code
            except requests.RequestException as exc:
                status = None
                logger.info("stand-in: delivery of %s to %s failed: %s", topic, url, exc)
            self._record(url, topic, ids, attempt, status)
            if status is not None and 200 <= status < 300:
                return True
            if attempt < self.attempts:
                time.sleep(self.retry_s * 2 ** (attempt - 1))
        return False

    def _record(self, url: str, topic: str, ids: DeliveryIds, attempt: int, status: int | None) -> None:
        entry = {
            "url": url, "topic": topic, "webhook_id": ids.webhook_id, "event_id": ids.event_id,
            "attempt": attempt, "status": status,
        }  # fmt: skip
        with self._lock:
            self.log.append(entry)

    def wait(self, timeout_s: float = 30.0) -> None:
        """Wait for the deliveries started so far to end (tests, ``uninstall``)."""
        deadline = time.monotonic() + timeout_s
        for thread in list(self._threads):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def uninstall(self) -> list[str]:
        """The merchant uninstalled the app: deliver ``app/uninstalled`` (the shop in REST shape) and
        wait for it, then revoke every token and drop every subscription, as Shopify does."""
        shop = self.store.shop
        record = {
            "__typename": "Shop",
            "id": shop.get("id", "gid://shopify/Shop/1"),
            "name": shop.get("name"),
            "email": shop.get("email"),
            "myshopify_domain": shop.get("myshopifyDomain"),
        }
        with self.store.lock:
            addresses = self.changed("app/uninstalled", record)
        self.wait()
        with self.store.lock:
            self.store.tokens.clear()
            for sub in subscriptions(self.store):
                del self.store.records[sub["id"]]
        return addresses
