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
    nodes { id topic uri filter includeFields metafieldNamespaces metafields { namespace key } }
    pageInfo { hasNextPage endCursor }
  }
}"""
CREATE_MUTATION = """mutation HubWebhookSubscriptionCreate(
  $topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri filter includeFields metafieldNamespaces metafields { namespace key } }
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
class Payload:
    """What a subscription asks Shopify to filter and keep: filter (search syntax), top-level
    include fields, metafield namespaces and ``namespace.key`` metafields."""

    filter: str | None = None
    include_fields: tuple[str, ...] = ()
    metafield_namespaces: tuple[str, ...] = ()
    metafields: tuple[str, ...] = ()

    def as_input(self) -> dict[str, Any]:
        """The ``WebhookSubscriptionInput`` fields that are set."""
        fields: dict[str, Any] = {}
        if self.filter:
            fields["filter"] = self.filter
        if self.include_fields:
            fields["includeFields"] = list(self.include_fields)
        if self.metafield_namespaces:
            fields["metafieldNamespaces"] = list(self.metafield_namespaces)
        if self.metafields:
            fields["metafields"] = [
                dict(zip(("namespace", "key"), item.split(".", 1), strict=True)) for item in self.metafields
            ]
        return fields


@dataclass(frozen=True)
class WebhookSubscription:
    """One subscription as Shopify lists it: gid, topic enum (``ORDERS_CREATE``), address, and
    what it filters and keeps."""

    id: str
    topic: str
    uri: str
    payload: Payload = Payload()

    @property
    def filter(self) -> str | None:
        """The subscription's filter, None when it has none."""
        return self.payload.filter

    @classmethod
    def of(cls, node: dict[str, Any]) -> WebhookSubscription:
        """From a ``WebhookSubscription`` node."""
        payload = Payload(
            filter=node.get("filter") or None,
            include_fields=tuple(node.get("includeFields") or ()),
            metafield_namespaces=tuple(node.get("metafieldNamespaces") or ()),
            metafields=tuple(f"{item['namespace']}.{item['key']}" for item in node.get("metafields") or ()),
        )
        return cls(id=node["id"], topic=node["topic"], uri=node.get("uri") or "", payload=payload)


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


def create_subscription(
    client: ShopifyClient, topic: str, uri: str, payload: Payload | None = None
) -> WebhookSubscription:
    """Subscribe the shop to ``topic`` (enum, ``ORDERS_CREATE``) at ``uri``, filtered and trimmed
    as ``payload`` says; the new subscription. Raises ``ShopifyPermanentError`` with Shopify's
    ``userErrors`` when refused."""
    fields = {"uri": uri, "format": "JSON", **(payload.as_input() if payload else {})}
    variables = {"topic": topic, "webhookSubscription": fields}
    body = client.graphql(CREATE_MUTATION, variables)
    what = f"subscribing to {topic}"
    payload = _accepted(_data(body, what).get("webhookSubscriptionCreate"), what)
    return WebhookSubscription.of(payload["webhookSubscription"])


def delete_subscription(client: ShopifyClient, subscription: WebhookSubscription) -> None:
    """Remove ``subscription``. Raises ``ShopifyPermanentError`` with Shopify's ``userErrors``."""
    body = client.graphql(DELETE_MUTATION, {"id": subscription.id})
    what = f"removing the {subscription.topic} subscription {subscription.id}"
    _accepted(_data(body, what).get("webhookSubscriptionDelete"), what)
