"""The stand-in's webhook subscriptions: the ``webhookSubscriptions`` query and the
``webhookSubscriptionCreate`` / ``webhookSubscriptionDelete`` mutations, in Shopify's shape.

A subscription is a ``WebhookSubscription`` record: ``topic`` (the GraphQL enum, ``ORDERS_CREATE``),
``uri`` (and the deprecated ``callbackUrl`` and ``endpoint { ... on WebhookHttpEndpoint {
callbackUrl } }`` for HTTP ones), ``format``, ``filter``, ``includeFields`` and
``metafieldNamespaces``. As Shopify does, creating a second subscription with the same topic,
address and filter is refused (``Address for this topic has already been taken``); unlike Shopify,
plain ``http://`` addresses are accepted, so that Hub on a developer's machine can be subscribed.
"""

from __future__ import annotations

from typing import Any

from standin.connections import connection
from standin.registry import mutation, resolves, store_of, user_error
from standin.store import Store

TYPENAME = "WebhookSubscription"


def is_http(uri: str) -> bool:
    """Whether ``uri`` is an HTTP(S) address (not Pub/Sub or EventBridge)."""
    return uri.startswith(("https://", "http://"))


def subscriptions(store: Store, *, topic: str | None = None) -> list[dict]:
    """Every subscription of the store (of ``topic`` when given), oldest first."""
    return [record for record in store.of_type(TYPENAME) if topic is None or record["topic"] == topic]


@resolves("Query", "webhookSubscriptions")
def list_subscriptions(
    _root: Any,
    info: Any,
    topics: list[str] | None = None,
    uri: str | None = None,
    callbackUrl: str | None = None,  # noqa: N803  (the GraphQL argument's name)
    format: str | None = None,  # noqa: A002  (the GraphQL argument's name)
    **args: Any,
) -> dict:
    """``webhookSubscriptions``: a connection, filtered by ``topics``, ``uri`` (or the deprecated
    ``callbackUrl``) and ``format``."""
    address = uri or callbackUrl
    records = [
        record
        for record in subscriptions(store_of(info))
        if (not topics or record["topic"] in topics)
        and (address is None or record["uri"] == address)
        and (format is None or record["format"] == format)
    ]
    return connection(records, info, **args)


@resolves(TYPENAME, "endpoint")
def endpoint(record: dict, _info: Any) -> dict:
    """The deprecated ``endpoint`` union: an HTTP endpoint for an HTTP address."""
    uri = record["uri"]
    if is_http(uri):
        return {"__typename": "WebhookHttpEndpoint", "callbackUrl": uri}
    if uri.startswith("pubsub://"):
        project, _, topic = uri.removeprefix("pubsub://").partition(":")
        return {"__typename": "WebhookPubSubEndpoint", "pubSubProject": project, "pubSubTopic": topic}
    return {"__typename": "WebhookEventBridgeEndpoint", "arn": uri}


@mutation("webhookSubscriptionCreate")
def create_subscription(store: Store, _record: dict | None, args: dict) -> dict:
    """``webhookSubscriptionCreate``: a subscription of ``topic`` to ``webhookSubscription.uri`` (or
    the deprecated ``callbackUrl``), refused when the address is blank or already taken."""
    given = args["webhookSubscription"]
    uri = str(given.get("uri") or given.get("callbackUrl") or "").strip()
    if not uri:
        return {"userErrors": [user_error(["webhookSubscription", "uri"], "Address can't be blank")]}
    filter_ = given.get("filter") or None
    for existing in subscriptions(store, topic=args["topic"]):
        if existing["uri"] == uri and existing["filter"] == filter_:
            taken = "Address for this topic has already been taken"
            return {"userErrors": [user_error(["webhookSubscription", "uri"], taken)]}
    now = store.now()
    record = store.add(
        {
            "__typename": TYPENAME,
            "id": store.new_gid(TYPENAME),
            "topic": args["topic"],
            "uri": uri,
            "callbackUrl": uri if is_http(uri) else None,
            "format": given.get("format") or "JSON",
            "filter": filter_,
            "includeFields": list(given.get("includeFields") or []),
            "metafieldNamespaces": list(given.get("metafieldNamespaces") or []),
            "metafields": [dict(item) for item in given.get("metafields") or []],
            "createdAt": now,
            "updatedAt": now,
        }
    )
    return {"webhookSubscription": record}


@mutation("webhookSubscriptionDelete")
def delete_subscription(store: Store, record: dict, _args: dict) -> dict:
    """``webhookSubscriptionDelete``: removes the subscription; answers its id."""
    del store.records[record["id"]]
    return {"deletedWebhookSubscriptionId": record["id"]}
