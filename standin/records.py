"""The stand-in's record resolvers: Query lookups and listings, relations, metafields, direct edits.

Query roots (``shop``, ``node(s)``, one record by id, listings, ``discountNode``), the relations
between customers, orders, line items, products, variants and inventory, metafields, and the
mutations that edit records directly (``tagsAdd``/``tagsRemove``, ``metafieldsSet``,
``orderUpdate``, ``customerUpdate``). Importing the module registers them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from standin.connections import connection
from standin.registry import RESOLVERS, Resolver, lookup, resolves, store_of, user_error
from standin.store import Store, gid_type

TAGGABLE = ("Order", "Customer", "Product", "DraftOrder", "Article")
METAFIELD_OWNERS = (
    "Order",
    "Customer",
    "Product",
    "ProductVariant",
    "Shop",
    "Collection",
    "Company",
    "DraftOrder",
)


@resolves("Query", "shop")
def resolve_shop(_root, info):
    """``Query.shop``: the store's shop record."""
    return store_of(info).shop


@resolves("Query", "node")
def resolve_node(_root, info, id):  # noqa: A002 - GraphQL argument name
    """``Query.node(id)``: the record with that gid, or None."""
    return lookup(info, id)


@resolves("Query", "nodes")
def resolve_nodes(_root, info, ids):
    """``Query.nodes(ids)``: a record, or None, per gid, in order."""
    return [lookup(info, record_id) for record_id in ids]


def _by_id(typename: str) -> Resolver:
    def resolve(_root, info, id=None):  # noqa: A002
        if id is None:
            records = store_of(info).of_type(typename)
            return records[0] if records else None
        return lookup(info, id, typename)

    return resolve


for _type, _field in (
    ("Order", "order"),
    ("Customer", "customer"),
    ("Product", "product"),
    ("ProductVariant", "productVariant"),
    ("InventoryItem", "inventoryItem"),
    ("Location", "location"),
):
    RESOLVERS[("Query", _field)] = _by_id(_type)


def _listing(typename: str) -> Resolver:
    def resolve(_root, info, **args):
        return connection(store_of(info).of_type(typename), info, **args)

    return resolve


for _type, _field in (
    ("Order", "orders"),
    ("Customer", "customers"),
    ("Product", "products"),
    ("ProductVariant", "productVariants"),
    ("Location", "locations"),
):
    RESOLVERS[("Query", _field)] = _listing(_type)


@resolves("Query", "discountNode")
def resolve_discount_node(_root, info, id):  # noqa: A002
    """``Query.discountNode(id)``: the discount as a ``DiscountNode``; the gids of code and automatic
    discount nodes (what discount webhooks carry) name the same discount."""
    record = lookup(info, id)
    if record is None:
        return None
    if record["__typename"] == "DiscountCodeNode":
        return {**record, "__typename": "DiscountNode", "discount": record.get("codeDiscount")}
    if record["__typename"] == "DiscountAutomaticNode":
        return {**record, "__typename": "DiscountNode", "discount": record.get("automaticDiscount")}
    return record if record["__typename"] == "DiscountNode" else None


@resolves("Customer", "displayName")
def resolve_display_name(record, _info):
    """``Customer.displayName``: first and last name, else the email, else ``""``."""
    name = " ".join(part for part in (record.get("firstName"), record.get("lastName")) if part)
    return name or record.get("email") or ""


@resolves("Customer", "defaultEmailAddress")
def resolve_default_email(record, _info):
    """``Customer.defaultEmailAddress``: ``{"emailAddress": email}``, or None without an email."""
    return {"emailAddress": record["email"]} if record.get("email") else None


def _customer_orders(record: dict, info: Any) -> list[dict]:
    return [order for order in store_of(info).of_type("Order") if order.get("_customer") == record["id"]]


@resolves("Customer", "orders")
def resolve_customer_orders(record, info, **args):
    """``Customer.orders``: a connection over the orders of this customer."""
    return connection(_customer_orders(record, info), info, **args)


@resolves("Customer", "numberOfOrders")
def resolve_number_of_orders(record, info):
    """``Customer.numberOfOrders``: how many orders the customer has, as a string (``UnsignedInt64``)."""
    return str(len(_customer_orders(record, info)))


@resolves("Customer", "amountSpent")
def resolve_amount_spent(record, info):
    """``Customer.amountSpent``: ``MoneyV2`` of ``_amountSpent`` (default ``0.00``) in the shop's currency."""
    return {
        "amount": record.get("_amountSpent", "0.00"),
        "currencyCode": store_of(info).shop.get("currencyCode"),
    }


def _money(amount: str, info: Any) -> dict:
    money = {"amount": amount, "currencyCode": store_of(info).shop.get("currencyCode", "USD")}
    return {"shopMoney": money, "presentmentMoney": dict(money)}


@resolves("Order", "customer")
def resolve_order_customer(record, info):
    """``Order.customer``: the order's customer, or None."""
    return store_of(info).get(record.get("_customer"), "Customer")


@resolves("Order", "lineItems")
def resolve_line_items(record, info, **args):
    """``Order.lineItems``: a connection over the order's line items."""
    store = store_of(info)
    return connection([store.get(item_id) for item_id in record.get("_lineItems", [])], info, **args)


@resolves("Order", "totalPriceSet", "subtotalPriceSet")
def resolve_order_total(record, info):
    """``Order.totalPriceSet``/``subtotalPriceSet``: ``_totalPrice`` (default ``0.00``) as a ``MoneyBag``."""
    return _money(record.get("_totalPrice", "0.00"), info)


@resolves("LineItem", "variant")
def resolve_line_item_variant(record, info):
    """``LineItem.variant``: the line's variant, or None."""
    return store_of(info).get(record.get("_variant"), "ProductVariant")


@resolves("LineItem", "product")
def resolve_line_item_product(record, info):
    """``LineItem.product``: the line's product, or None."""
    return store_of(info).get(record.get("_product"), "Product")


@resolves("LineItem", "originalUnitPriceSet")
def resolve_line_item_price(record, info):
    """``LineItem.originalUnitPriceSet``: the line's ``price`` (default ``0.00``) as a ``MoneyBag``."""
    return _money(record.get("price", "0.00"), info)


def _variants(record: dict, info: Any) -> list[dict]:
    store = store_of(info)
    return [store.get(variant_id) for variant_id in record.get("_variants", [])]


@resolves("Product", "variants")
def resolve_variants(record, info, **args):
    """``Product.variants``: a connection over the product's variants (pages of up to 2,048)."""
    return connection(_variants(record, info), info, **args)


def _available(item: dict, info: Any) -> int:
    store = store_of(info)
    return sum(store.get(level_id)["_quantities"]["available"] for level_id in item.get("_levels", []))


@resolves("Product", "totalInventory")
def resolve_total_inventory(record, info):
    """``Product.totalInventory``: ``available`` summed over every variant's inventory levels."""
    store = store_of(info)
    return sum(_available(store.get(variant["_inventoryItem"]), info) for variant in _variants(record, info))


@resolves("ProductVariant", "product")
def resolve_variant_product(record, info):
    """``ProductVariant.product``: the variant's product."""
    return store_of(info).get(record["_product"])


@resolves("ProductVariant", "inventoryItem")
def resolve_variant_item(record, info):
    """``ProductVariant.inventoryItem``: the variant's inventory item."""
    return store_of(info).get(record["_inventoryItem"])


@resolves("ProductVariant", "inventoryQuantity")
def resolve_variant_quantity(record, info):
    """``ProductVariant.inventoryQuantity``: ``available`` summed over its inventory levels (int)."""
    return _available(store_of(info).get(record["_inventoryItem"]), info)


@resolves("ProductVariant", "displayName")
def resolve_variant_display_name(record, info):
    """``ProductVariant.displayName``: ``<product title> - <variant title>``."""
    return f"{store_of(info).get(record['_product'])['title']} - {record['title']}"


@resolves("InventoryItem", "variant")
def resolve_item_variant(record, info):
    """``InventoryItem.variant``: the item's variant."""
    return store_of(info).get(record["_variant"])


@resolves("InventoryItem", "sku")
def resolve_item_sku(record, info):
    """``InventoryItem.sku``: the ``sku`` of the item's variant."""
    return store_of(info).get(record["_variant"]).get("sku")


@resolves("InventoryItem", "inventoryLevels")
def resolve_item_levels(record, info, **args):
    """``InventoryItem.inventoryLevels``: a connection over the item's levels, one per location."""
    store = store_of(info)
    return connection([store.get(level_id) for level_id in record.get("_levels", [])], info, **args)


@resolves("InventoryItem", "inventoryLevel")
def resolve_item_level(record, info, locationId):  # noqa: N803 - GraphQL argument name
    """``InventoryItem.inventoryLevel(locationId)``: the item's level at that location, or None."""
    store = store_of(info)
    levels = [store.get(level_id) for level_id in record.get("_levels", [])]
    return next((level for level in levels if level["_location"] == locationId), None)


@resolves("InventoryLevel", "location")
def resolve_level_location(record, info):
    """``InventoryLevel.location``: the level's location."""
    return store_of(info).get(record["_location"])


@resolves("InventoryLevel", "item")
def resolve_level_item(record, info):
    """``InventoryLevel.item``: the level's inventory item."""
    return store_of(info).get(record["_item"])


@resolves("InventoryLevel", "quantities")
def resolve_level_quantities(record, _info, names):
    """``InventoryLevel.quantities(names)``: ``[{"name", "quantity"}]`` per name (0 when unset)."""
    return [{"name": name, "quantity": record["_quantities"].get(name, 0)} for name in names]


@resolves("Metafield", "jsonValue")
def resolve_json_value(record, _info):
    """``Metafield.jsonValue``: the value parsed as JSON for JSON, boolean, number and ``list.*`` types.

    A value that does not parse, and values of other types, are returned as the stored string.
    """
    value = record["value"]
    if record["type"] in ("json", "boolean", "number_integer", "number_decimal") or record["type"].startswith(
        "list."
    ):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@resolves("Metafield", "ownerType")
def resolve_owner_type(record, _info):
    """``Metafield.ownerType``: the owner's type in capitals (``ProductVariant`` → ``PRODUCT_VARIANT``)."""
    owner = gid_type(record["_owner"]) or ""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", owner).upper()


def _metafield(record, info, key, namespace=None):
    return store_of(info).find_metafield(record["id"], namespace or "$app", key)


def _metafields(record, info, namespace=None, **args):
    items = store_of(info).metafields_of(record["id"])
    if namespace is not None:
        items = [item for item in items if item["namespace"] == namespace]
    return connection(items, info, **args)


for _owner in METAFIELD_OWNERS:
    RESOLVERS[(_owner, "metafield")] = _metafield
    RESOLVERS[(_owner, "metafields")] = _metafields


# --- mutations ------------------------------------------------------------------------------------------


def _tags_mutation(adding: bool) -> Resolver:
    def resolve(_root, info, id, tags):  # noqa: A002
        store = store_of(info)
        with store.lock:
            record = store.get(id)
            if record is None or record["__typename"] not in TAGGABLE:
                return {"node": None, "userErrors": [user_error(["id"], "Resource not found")]}
            (store.add_tags if adding else store.remove_tags)(record, tags)
            store.record_changed(record)
            return {"node": record, "userErrors": []}

    return resolve


RESOLVERS[("Mutation", "tagsAdd")] = _tags_mutation(True)
RESOLVERS[("Mutation", "tagsRemove")] = _tags_mutation(False)

_TYPE_CHECKS: dict[str, Callable[[str], bool]] = {
    "json": lambda value: _json_ok(value),
    "number_integer": lambda value: re.fullmatch(r"-?\d+", value) is not None,
    "number_decimal": lambda value: re.fullmatch(r"-?\d+(\.\d+)?", value) is not None,
    "boolean": lambda value: value in ("true", "false"),
}


def _json_ok(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _metafield_errors(store: Store, owner_id: str, data: dict, path: list) -> list[dict]:
    owner = store.get(owner_id)
    if owner is None or owner["__typename"] not in METAFIELD_OWNERS:
        return [user_error([*path, "ownerId"], "Owner does not exist.", "INVALID")]
    existing = store.find_metafield(owner_id, data.get("namespace") or "$app", data["key"])
    kind = data.get("type") or (existing or {}).get("type")
    if not kind:
        return [user_error([*path, "type"], "Type can't be blank.", "BLANK")]
    check = _TYPE_CHECKS.get(kind)
    if check is not None and not check(str(data["value"])):
        return [user_error([*path, "value"], f"Value is invalid for type {kind}.", "INVALID_VALUE")]
    return []


@resolves("Mutation", "metafieldsSet")
def resolve_metafields_set(_root, info, metafields):
    """``metafieldsSet``: creates or updates every metafield in ``metafields``, all or none.

    More than 25 answer ``LESS_THAN_OR_EQUAL_TO`` with ``metafields: null``; an unknown owner, a
    missing type or a value invalid for its type answers user errors and ``metafields: []``.
    """
    store = store_of(info)
    if len(metafields) > 25:
        return {
            "metafields": None,
            "userErrors": [
                user_error(
                    ["metafields"],
                    "Exceeded the maximum metafields input limit of 25.",
                    "LESS_THAN_OR_EQUAL_TO",
                )
            ],
        }
    with store.lock:
        errors = [
            error
            for index, data in enumerate(metafields)
            for error in _metafield_errors(store, data["ownerId"], data, ["metafields", str(index)])
        ]
        if errors:
            return {"metafields": [], "userErrors": errors}
        return {
            "metafields": [store.set_metafield(data["ownerId"], data) for data in metafields],
            "userErrors": [],
        }


def _apply_input(store: Store, record: dict, data: dict, fields: tuple[str, ...], payload_key: str) -> dict:
    with store.lock:
        errors = []
        for index, metafield in enumerate(data.get("metafields") or []):
            if metafield.get("id"):
                existing = store.get(metafield["id"], "Metafield")
                if existing is None:
                    errors.append(user_error(["metafields", str(index), "id"], "Metafield does not exist"))
                    continue
                metafield = {"namespace": existing["namespace"], "key": existing["key"], **metafield}
            if not metafield.get("key") or metafield.get("value") is None:
                errors.append(user_error(["metafields", str(index)], "Key and value are required"))
                continue
            errors.extend(_metafield_errors(store, record["id"], metafield, ["metafields", str(index)]))
        if errors:
            return {payload_key: None, "userErrors": errors}
        for name in fields:
            if name in data:
                record[name] = store.split_tags(data[name]) if name == "tags" else data[name]
        for metafield in data.get("metafields") or []:
            if metafield.get("id"):
                existing = store.get(metafield["id"])
                metafield = {"namespace": existing["namespace"], "key": existing["key"], **metafield}
            store.set_metafield(record["id"], metafield)
        store.touch(record)
        store.record_changed(record)
        return {payload_key: record, "userErrors": []}


@resolves("Mutation", "orderUpdate")
def resolve_order_update(_root, info, input):  # noqa: A002
    """``orderUpdate``: sets ``email``, ``note``, ``tags`` and metafields of order ``input.id``.

    All or none: invalid metafields answer user errors with ``order: null``, as does an unknown
    order.
    """
    store = store_of(info)
    record = store.get(input["id"], "Order")
    if record is None:
        return {"order": None, "userErrors": [user_error(["id"], "Order does not exist")]}
    return _apply_input(store, record, input, ("email", "note", "tags"), "order")


@resolves("Mutation", "customerUpdate")
def resolve_customer_update(_root, info, input):  # noqa: A002
    """``customerUpdate``: sets email, names, note, phone, tags and metafields of ``input.id``.

    All or none: invalid metafields answer user errors with ``customer: null``, as does an unknown
    customer.
    """
    store = store_of(info)
    record = store.get(input.get("id"), "Customer")
    if record is None:
        return {"customer": None, "userErrors": [user_error(["id"], "Customer does not exist")]}
    fields = ("email", "firstName", "lastName", "note", "phone", "tags")
    return _apply_input(store, record, input, fields, "customer")
