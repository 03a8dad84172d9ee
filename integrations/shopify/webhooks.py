"""A shop's Shopify webhook subscriptions through the Admin GraphQL API (spec/platform.md §2.2).

Shopify names a topic ``orders/create`` in ``X-Shopify-Topic`` and ``ORDERS_CREATE`` in the
``WebhookSubscriptionTopic`` enum; Hub's event topic is ``shopify/orders/create``. The topics Hub
can subscribe to are data (``webhook_topics.txt``), not code. Every subscription Hub makes
delivers to ``callback_url()``: ``HUB_BASE_URL`` + ``/shopify/webhooks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from integrations.shopify.client import ShopifyClient, ShopifyPermanentError, graphql_errors

TOPICS_FILE = Path(__file__).with_name("webhook_topics.txt")
PAGE_SIZE = 250

LIST_QUERY = """query HubWebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes { id topic uri filter }
    pageInfo { hasNextPage endCursor }
  }
}"""
CREATE_MUTATION = """mutation HubWebhookSubscriptionCreate(
  $topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri filter }
    userErrors { field message }
  }
}"""
DELETE_MUTATION = """mutation HubWebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}"""


@cache
def webhook_topics() -> frozenset[str]:
    """The Shopify topics Hub can subscribe to, as Shopify writes them (``orders/create``)."""
    lines = (line.strip() for line in TOPICS_FILE.read_text().splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def shopify_topic(event_topic: str) -> str | None:
    """``orders/create`` for the event topic ``shopify/orders/create``; None when it is not a
    Shopify topic Hub can subscribe to."""
    if not event_topic.startswith("shopify/"):
        return None
    topic = event_topic.removeprefix("shopify/")
    return topic if topic in webhook_topics() else None


def topic_enum(topic: str) -> str:
    """The ``WebhookSubscriptionTopic`` value of a Shopify topic: ``orders/create`` → ``ORDERS_CREATE``."""
    return topic.upper().replace("/", "_")


def callback_url() -> str:
    """Where Shopify delivers to Hub: ``HUB_BASE_URL`` + ``/shopify/webhooks``."""
    return f"{settings.HUB_BASE_URL.rstrip('/')}/shopify/webhooks"


@dataclass(frozen=True)
class WebhookSubscription:
    """One subscription as Shopify lists it: gid, topic enum (``ORDERS_CREATE``), address, filter."""

    id: str
    topic: str
    uri: str
    filter: str | None = None

    @classmethod
    def of(cls, node: dict[str, Any]) -> WebhookSubscription:
        """From a ``WebhookSubscription`` node (``id topic uri filter``)."""
        return cls(id=node["id"], topic=node["topic"], uri=node.get("uri") or "", filter=node.get("filter"))


def _data(body: dict[str, Any], what: str) -> dict[str, Any]:
    """``body["data"]``, or a permanent error naming ``what`` and Shopify's messages."""
    errors = graphql_errors(body)
    if errors or not isinstance(body.get("data"), dict):
        messages = "; ".join(str(error.get("message")) for error in errors) or "no data in the answer"
        raise ShopifyPermanentError(f"{what} failed: {messages}")
    return body["data"]


def _accepted(payload: dict[str, Any] | None, what: str) -> dict[str, Any]:
    """A mutation's payload; a permanent error when it carries ``userErrors`` or is missing."""
    if payload is None:
        raise ShopifyPermanentError(f"{what} failed: Shopify answered no payload")
    if payload.get("userErrors"):
        messages = "; ".join(str(error.get("message")) for error in payload["userErrors"])
        raise ShopifyPermanentError(f"{what} refused: {messages}")
    return payload


def list_subscriptions(client: ShopifyClient) -> list[WebhookSubscription]:
    """Every webhook subscription of the app on the client's shop, all pages. Raises
    ``ShopifyError`` (a permanent one for GraphQL errors)."""
    found: list[WebhookSubscription] = []
    after = None
    while True:
        body = client.graphql(LIST_QUERY, {"first": PAGE_SIZE, "after": after})
        page = _data(body, "listing webhook subscriptions")["webhookSubscriptions"]
        found += [WebhookSubscription.of(node) for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def create_subscription(client: ShopifyClient, topic: str, uri: str) -> WebhookSubscription:
    """Subscribe the shop to ``topic`` (enum, ``ORDERS_CREATE``) at ``uri``; the new subscription.
    Raises ``ShopifyPermanentError`` with Shopify's ``userErrors`` when refused."""
    variables = {"topic": topic, "webhookSubscription": {"uri": uri, "format": "JSON"}}
    body = client.graphql(CREATE_MUTATION, variables)
    what = f"subscribing to {topic}"
    payload = _accepted(_data(body, what).get("webhookSubscriptionCreate"), what)
    return WebhookSubscription.of(payload["webhookSubscription"])


def delete_subscription(client: ShopifyClient, subscription: WebhookSubscription) -> None:
    """Remove ``subscription``. Raises ``ShopifyPermanentError`` with Shopify's ``userErrors``."""
    body = client.graphql(DELETE_MUTATION, {"id": subscription.id})
    what = f"removing the {subscription.topic} subscription {subscription.id}"
    _accepted(_data(body, what).get("webhookSubscriptionDelete"), what)
