"""The objects a script sees (spec/liquid.md §5): ``event``, ``shop``, ``cache``, ``action``,
``bulkOperation`` and the legacy Shopify objects (§5.5).

Objects are plain dicts and lists wherever plain data behaves right, so filters, ``json`` and
printing need no special cases. Where Mechanic adds behaviour to a lookup that the data does
not answer, the object is a ``dict``/``list`` subclass whose ``liquid_missing`` the render
context calls for a key the data lacks (environment.py ``HubRenderContext.get_item``):

- ``BulkObject``: ``object.__parent`` is the object of the same ``bulkOperation.objects``
  array whose ``id`` is this object's ``__parentId`` (§5.4), nil when absent.
- ``LegacyObject`` / ``LegacyCollection``: REST-backed lookups (``shop.orders.any``,
  ``shop.customers[…]``, ``order.reload``, ``order.transactions``, ``x.metafields.ns.key``…)
  that the payload cannot answer. Hub does not call Shopify's REST Admin API (Shopify is
  removing it), so they read as nil, or as an empty collection for lists, and record one
  notice per lookup on the run's ``RenderSettings.notices``.
- ``NamedList``: ``order.note_attributes.color`` and ``line_item.properties["Name"]``.

Copies made by ``assign`` into subscripts and by filters are plain dicts and lists: only the
data keeps its behaviour, which is also how Mechanic's stub data loses it (§6.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_PARENT_GENERATIONS = 5
"""``event.parent`` resolves this many generations back; the next is nil (spec/runtime.md §2.6)."""

EVENT_KEYS = (
    "id",
    "topic",
    "data",
    "source",
    "created_at",
    "shopify_topic",
    "webhook_request_id",
    "flow_action_run_id",
    "parent",
)


class HubDict(dict):
    """A hash with lookups beyond its data."""

    __slots__ = ()

    def liquid_missing(self, key: object, context: Any) -> object:
        """The value of ``key`` when the data has no such key; raises KeyError for nil."""
        raise KeyError(key)


class HubList(list):
    """An array with lookups beyond ``size``/``first``/``last`` and indexes."""

    __slots__ = ()

    def liquid_missing(self, key: object, context: Any) -> object:
        """The value of a string ``key``; raises KeyError for nil."""
        raise KeyError(key)


# -- event, cache, action --------------------------------------------------------------------


def event_object(event: Mapping | None, *, generation: int = 0) -> dict | None:
    """The ``event`` object (spec/liquid.md §5.1): its documented keys in order, ``parent``
    recursively up to 5 generations (nil beyond), and ``preview: true`` only when the event
    is a preview event (the key is absent otherwise, never false)."""
    if not isinstance(event, Mapping):
        return None
    obj = {key: event.get(key) for key in EVENT_KEYS}
    for key, value in event.items():
        if key not in obj and key != "preview":
            obj[key] = value
    parent = event.get("parent")
    obj["parent"] = (
        event_object(parent, generation=generation + 1) if generation < MAX_PARENT_GENERATIONS else None
    )
    if generation == 0 and event.get("preview") is True:
        obj["preview"] = True
    return obj


def cache_object(cache: Mapping | None) -> dict:
    """The ``cache`` object: lookups by key, iteration in key order (spec/liquid.md §5.1)."""
    return dict(sorted((cache or {}).items()))


def action_object(data: Any) -> Any:
    """The ``action`` variable of ``mechanic/actions/perform`` (spec/runtime.md §10.2): ``type``,
    ``options``, ``meta`` (nil when absent) and ``run`` first, then any other keys."""
    if not isinstance(data, Mapping):
        return data
    obj = {key: data.get(key) for key in ("type", "options", "meta", "run")}
    obj.update((key, value) for key, value in data.items() if key not in obj)
    return obj


# -- bulk operations -------------------------------------------------------------------------


class BulkObject(HubDict):
    """One line of a bulk operation's result; ``__parent`` looks up its parent (§5.4)."""

    __slots__ = ("index",)

    def liquid_missing(self, key: object, context: Any) -> object:
        """``__parent``: the object whose ``id`` is this one's ``__parentId``, or nil."""
        if key == "__parent":
            parent_id = self.get("__parentId")
            return self.index.get(parent_id) if isinstance(parent_id, str) else None
        raise KeyError(key)


def bulk_objects(lines: Any) -> Any:
    """``bulkOperation.objects``: each hash line a ``BulkObject`` sharing one id index."""
    if not isinstance(lines, list):
        return lines
    index: dict[str, BulkObject] = {}
    objects: list = []
    for line in lines:
        if not isinstance(line, dict):
            objects.append(line)
            continue
        obj = BulkObject(line)
        obj.index = index
        if isinstance(obj.get("id"), str):
            index.setdefault(obj["id"], obj)
        objects.append(obj)
    return objects


def bulk_operation_object(data: Any) -> Any:
    """The ``bulkOperation`` variable: the BulkOperation data with ``objects`` as BulkObjects
    (an empty array when absent; spec/runtime.md §14.3 item 4)."""
    if not isinstance(data, Mapping):
        return data
    return {**data, "objects": bulk_objects(data.get("objects") or [])}


# -- legacy Shopify objects (§5.5) -------------------------------------------------------------

ONE, MANY, METAFIELDS = "one", "many", "metafields"
ORDER_SCOPES = frozenset(
    [
        "any",
        "open",
        "closed",
        "cancelled",
        "authorized",
        "pending",
        "paid",
        "partially_paid",
        "refunded",
        "voided",
        "partially_refunded",
        "unpaid",
        "shipped",
        "partial",
        "unshipped",
    ]
)
DRAFT_ORDER_SCOPES = frozenset(["open", "invoice_sent", "completed", "any"])
GIFT_CARD_SCOPES = frozenset(["enabled", "disabled"])
ARTICLE_SCOPES = frozenset(["tags", "authors"])

# kind → {missing key → (ONE | MANY | METAFIELDS, scopes of a MANY collection)}
RELATIONS: dict[str, dict[str, tuple[str, frozenset]]] = {
    "shop": {
        "collections": (MANY, frozenset()),
        "products": (MANY, frozenset()),
        "variants": (MANY, frozenset()),
        "orders": (MANY, ORDER_SCOPES),
        "draft_orders": (MANY, DRAFT_ORDER_SCOPES),
        "customers": (MANY, frozenset()),
        "price_rules": (MANY, frozenset()),
        "discount_codes": (MANY, frozenset()),
        "blogs": (MANY, frozenset()),
        "articles": (MANY, ARTICLE_SCOPES),
        "shipping_zones": (MANY, frozenset()),
        "locations": (MANY, frozenset()),
        "gift_cards": (MANY, GIFT_CARD_SCOPES),
        "themes": (MANY, frozenset()),
        "metafields": (METAFIELDS, frozenset()),
    },
    "order": {
        "customer": (ONE, frozenset()),
        "line_items": (MANY, frozenset()),
        "refunds": (MANY, frozenset()),
        "risks": (MANY, frozenset()),
        "transactions": (MANY, frozenset()),
        "fulfillments": (MANY, frozenset()),
        "fulfillment_orders": (MANY, frozenset()),
        "note_attributes": (MANY, frozenset()),
        "metafields": (METAFIELDS, frozenset()),
    },
    "customer": {
        "orders": (MANY, ORDER_SCOPES),
        "account_activation_url": (ONE, frozenset()),
        "unsubscribe_url": (ONE, frozenset()),
        "metafields": (METAFIELDS, frozenset()),
    },
    "line_item": {"product": (ONE, frozenset()), "variant": (ONE, frozenset())},
    "fulfillment": {
        "order": (ONE, frozenset()),
        "location": (ONE, frozenset()),
        "line_items": (MANY, frozenset()),
    },
    "fulfillment_event": {"order": (ONE, frozenset()), "fulfillment": (ONE, frozenset())},
    "refund": {
        "order": (ONE, frozenset()),
        "refund_line_items": (MANY, frozenset()),
        "transactions": (MANY, frozenset()),
    },
    "draft_order": {
        "order": (ONE, frozenset()),
        "customer": (ONE, frozenset()),
        "line_items": (MANY, frozenset()),
        "note_attributes": (MANY, frozenset()),
        "metafields": (METAFIELDS, frozenset()),
    },
    "dispute": {"order": (ONE, frozenset())},
    "inventory_level": {
        "inventory_item": (ONE, frozenset()),
        "variant": (ONE, frozenset()),
        "location": (ONE, frozenset()),
    },
    "inventory_item": {"variant": (ONE, frozenset()), "inventory_levels": (MANY, frozenset())},
    "variant": {
        "product": (ONE, frozenset()),
        "inventory_item": (ONE, frozenset()),
        "inventory_levels": (MANY, frozenset()),
        "metafields": (METAFIELDS, frozenset()),
    },
    "product": {
        "variants": (MANY, frozenset()),
        "collections": (MANY, frozenset()),
        "images": (MANY, frozenset()),
        "metafields": (METAFIELDS, frozenset()),
    },
    "collection": {"products": (MANY, frozenset()), "metafields": (METAFIELDS, frozenset())},
    "article": {"blog": (ONE, frozenset()), "metafields": (METAFIELDS, frozenset())},
    "blog": {"articles": (MANY, ARTICLE_SCOPES), "metafields": (METAFIELDS, frozenset())},
    "price_rule": {"discount_codes": (MANY, frozenset())},
    "gift_card": {"order": (ONE, frozenset()), "customer": (ONE, frozenset())},
    "theme": {"assets": (MANY, frozenset())},
    "fulfillment_order": {"order": (ONE, frozenset())},
    "page": {"metafields": (METAFIELDS, frozenset())},
}

# Payload members that are themselves legacy objects: key → kind (lists: kind of each item).
NESTED = {
    "customer": "customer",
    "line_items": "line_item",
    "fulfillments": "fulfillment",
    "refunds": "refund",
    "variants": "variant",
    "order": "order",
}
NAMED_LISTS = frozenset(["note_attributes", "properties"])


def _unavailable(context: Any, path: str, what: str) -> None:
    settings = getattr(context, "settings", None)
    if settings is not None and hasattr(settings, "notice"):
        settings.notice(f"legacy Shopify REST lookup {path} is not available; it reads as {what}")


class LegacyObject(HubDict):
    """A Shopify payload with the legacy REST lookups of its ``kind`` (§5.5), all offline."""

    __slots__ = ("kind", "path")

    def liquid_missing(self, key: object, context: Any) -> object:
        """``reload`` and the kind's relations: nil, or an empty ``LegacyCollection``."""
        if not isinstance(key, str):
            raise KeyError(key)
        path = f"{self.path}.{key}"
        if key == "reload":
            _unavailable(context, path, "nil")
            return None
        relation = RELATIONS.get(self.kind, {}).get(key)
        if relation is None:
            raise KeyError(key)
        arity, scopes = relation
        if arity == ONE:
            _unavailable(context, path, "nil")
            return None
        _unavailable(context, path, "an empty list")
        return LegacyCollection.make(path, scopes, metafields=arity == METAFIELDS)


class LegacyCollection(HubList):
    """An empty REST-backed collection: iterates nothing, ``size`` 0, every id or handle lookup
    nil; scopes (``shop.orders.any.paid``) and metafield namespaces are empty collections too."""

    __slots__ = ("path", "scopes", "metafields")

    @classmethod
    def make(cls, path: str, scopes: frozenset, *, metafields: bool = False) -> LegacyCollection:
        """An empty collection at ``path`` answering ``scopes``."""
        collection = cls()
        collection.path, collection.scopes, collection.metafields = path, scopes, metafields
        return collection

    def liquid_missing(self, key: object, context: Any) -> object:
        """A scope or metafield namespace: an empty collection; anything else: nil."""
        if isinstance(key, str) and (self.metafields or key in self.scopes):
            return LegacyCollection.make(f"{self.path}.{key}", self.scopes)
        return None


class NamedList(HubList):
    """``[{name, value}, …]`` that also answers ``list.NAME`` / ``list["NAME"]`` with the value."""

    __slots__ = ()

    def liquid_missing(self, key: object, context: Any) -> object:
        """The value of the first item named ``key``, else nil."""
        for item in self:
            if isinstance(item, Mapping) and item.get("name") == key:
                return item.get("value")
        return None


def legacy_object(data: Any, kind: str, path: str | None = None) -> Any:
    """Wrap a Shopify payload (hash or array of hashes) as legacy objects of ``kind``, with
    nested customers, line items, fulfillments… wrapped as theirs. Other data is returned as is."""
    path = path or kind
    if isinstance(data, list):
        return [legacy_object(item, kind, path) for item in data]
    if not isinstance(data, Mapping):
        return data
    obj = LegacyObject(data)
    obj.kind, obj.path = kind, path
    for key, value in data.items():
        if key in NESTED and isinstance(value, (dict, list)):
            obj[key] = legacy_object(value, NESTED[key], f"{path}.{key}")
        elif key in NAMED_LISTS and isinstance(value, list):
            obj[key] = NamedList(value)
    return obj
