"""The stand-in's Admin GraphQL endpoint: schema, resolvers, query cost, throttling and bulk operations.

Answers in Shopify's wire format: ``{"data", "errors"?, "extensions": {"cost":
{"requestedQueryCost", "actualQueryCost", "throttleStatus"}}}``, and
``THROTTLED`` errors (HTTP 200) when the bucket cannot pay for a query.
"""

from __future__ import annotations

import base64
import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    execute,
    parse,
    validate,
)
from graphql.utilities import value_from_ast_untyped

from standin.defaults import default_value, named_type, records_of
from standin.store import Store, gid_number, gid_type

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"
MAX_QUERY_COST = 1000
MUTATION_COST = 10
MAX_PAGE_SIZE = 250
# Connections that take larger pages: a single product's variants (up to the 2,048-variant limit),
# customer segment members (Shopify's documented maximum page size of 1,000).
PAGE_SIZES = {("Product", "variants"): 2048, ("Query", "customerSegmentMembers"): 1000}
THROTTLED_DOCS = "https://shopify.dev/api/usage/rate-limits"
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


@cache
def schema() -> GraphQLSchema:
    """The stand-in's schema, built once from ``schema.graphql``."""
    return build_schema(SCHEMA_FILE.read_text())


@dataclass
class Context:
    """Per-request state: the store, the API version in the path, and bulk mode (no page limits)."""

    store: Store
    api_version: str = "unstable"
    bulk: bool = False


# --- connections and search ---------------------------------------------------------------------------


def encode_cursor(record_id: str) -> str:
    """The opaque cursor of ``record_id``: base64 of ``{"last_id": record_id}``."""
    return base64.b64encode(json.dumps({"last_id": record_id}).encode()).decode()


def decode_cursor(cursor: str) -> str:
    """The record id in a cursor made by ``encode_cursor``; raises ``GraphQLError`` for any other."""
    try:
        return json.loads(base64.b64decode(cursor))["last_id"]
    except (ValueError, KeyError, TypeError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}") from None


def _search_key(record: dict, name: str) -> str | None:
    """The record key a search field names (``product_type`` → ``productType``, ``tag`` → ``tags``)."""
    key = "tags" if name == "tag" else re.sub(r"_([a-z])", lambda match: match.group(1).upper(), name)
    return key if key in record else None


# Order search values Shopify derives from several fields.
FINANCIAL_GROUPS = {"unpaid": ("pending", "authorized", "partially_paid", "expired")}
FULFILLMENT_ALIASES = {
    "unshipped": ("unfulfilled",),
    "unfulfilled": ("unfulfilled",),
    "shipped": ("fulfilled",),
    "fulfilled": ("fulfilled",),
    "partial": ("partially_fulfilled",),
}


def _order_status(record: dict) -> str:
    if record.get("cancelledAt"):
        return "cancelled"
    return "closed" if record.get("closedAt") else "open"


def _search_value(record: dict, name: str, store: Store | None) -> tuple[bool, Any]:
    """``(known, value)`` of search field ``name`` for ``record``; unknown fields match anything."""
    typename = record.get("__typename")
    if name == "status" and typename == "Order":
        return True, _order_status(record)
    if name == "financial_status" and "displayFinancialStatus" in record:
        return True, str(record.get("displayFinancialStatus") or "").lower()
    if name == "fulfillment_status" and "displayFulfillmentStatus" in record:
        return True, str(record.get("displayFulfillmentStatus") or "").lower()
    if name in ("product_id", "customer_id", "location_id") and f"_{name[:-3]}" in record:
        return True, record.get(f"_{name[:-3]}")
    if name == "inventory_total" and typename == "Product" and store is not None:
        total = 0
        for variant_id in record.get("_variants", []):
            item = store.get((store.get(variant_id) or {}).get("_inventoryItem"))
            for level_id in (item or {}).get("_levels", []):
                total += store.get(level_id)["_quantities"].get("available", 0)
        return True, total
    key = _search_key(record, name)
    return (key is not None), (record.get(key) if key is not None else None)


# One search term: ``field:"quoted value"`` (spaces inside quotes), a quoted phrase, or a word.
SEARCH_TOKEN = re.compile(r"""\(*-?[\w.]+:[<>=]*(?:"[^"]*"|'[^']*')\)*|"[^"]*"|'[^']*'|\S+""")


def _search_terms(query: str) -> list[list[str]]:
    """The query's terms, grouped by top-level ``OR`` (parentheses and ``AND`` dropped)."""
    terms = SEARCH_TOKEN.findall(query)
    groups: list[list[str]] = [[]]
    for term in terms:
        term = term.strip("()") if not term.endswith(("'", '"')) else term.lstrip("(")
        if not term or term.upper() in ("AND", "NOT"):
            continue
        if term.upper() == "OR":
            groups.append([])
            continue
        groups[-1].append(term)
    return [group for group in groups if group] or [[]]


def matches_search(record: dict, query: str | None, store: Store | None = None) -> bool:
    """The part of Shopify's search syntax library tasks use: ``field:value``, ``-field:value``,
    ``AND``/``OR`` (parentheses flattened), comparisons and comma-separated alternatives.

    ``tag:x`` matches a tag (case-insensitive), ``field:''`` an empty value,
    ``value*`` a prefix, ``id:123`` a gid's number; ``>``/``<``/``>=``/``<=``
    compare as strings (ISO timestamps) or numbers; ``past_week`` and the other relative dates
    mean on or after that long ago. Orders also answer ``status``
    (open, closed, cancelled), ``financial_status`` (``unpaid`` for any not yet paid) and
    ``fulfillment_status`` (``unshipped``, ``shipped``...); products ``inventory_total``;
    ``product_id``/``customer_id`` follow relations. Unknown fields are ignored; a bare
    word searches title, name, email and SKU.
    """
    if not query or not query.strip():
        return True
    return any(all(_matches_term(record, term, store) for term in group) for group in _search_terms(query))


def _matches_term(record: dict, term: str, store: Store | None) -> bool:
    negate = term.startswith("-")
    term = term.lstrip("-")
    if ":" not in term:
        haystack = " ".join(
            str(record.get(key) or "") for key in ("title", "name", "email", "displayName", "sku")
        ).lower()
        return (term.strip("'\"").lower() in haystack) != negate
    name, _, value = term.partition(":")
    known, actual = _search_value(record, name, store)
    if not known:
        return True
    symbol = re.match(r"[<>]=?", value)
    if symbol:
        value = symbol.group() + value[symbol.end() :].strip("'\"")
    value = value.strip("'\"") if value not in ("''", '""') else ""
    value = _relative_date(value)
    alternatives = [value] if value[:1] in "<>" else value.split(",")
    expanded = []
    for alternative in alternatives:
        if name == "financial_status":
            expanded += FINANCIAL_GROUPS.get(alternative.lower(), (alternative,))
        elif name == "fulfillment_status":
            expanded += FULFILLMENT_ALIASES.get(alternative.lower(), (alternative,))
        else:
            expanded.append(alternative)
    return any(_compare(actual, alternative) for alternative in expanded) != negate


# Shopify's relative date values (``created_at:past_week``), as the age they reach back to.
RELATIVE_DATES = {
    "today": timedelta(days=0),
    "yesterday": timedelta(days=1),
    "past_week": timedelta(days=7),
    "past_month": timedelta(days=30),
    "past_quarter": timedelta(days=90),
    "past_year": timedelta(days=365),
}


def _relative_date(value: str) -> str:
    """``past_week`` (and the other ``RELATIVE_DATES``) as ``>=<ISO timestamp>``; other values as given.

    ``today`` and ``yesterday`` reach back to the start of that UTC day.
    """
    age = RELATIVE_DATES.get(value.lower())
    if age is None:
        return value
    start = datetime.now(UTC) - age
    if value.lower() in ("today", "yesterday"):
        start = start.replace(hour=0, minute=0, second=0)
    return ">=" + start.replace(microsecond=0).isoformat().replace("+00:00", "Z")


COMPARISONS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


def _compare(actual: Any, value: str) -> bool:
    if isinstance(actual, list):
        return any(_compare(item, value) for item in actual)
    if actual is None:
        return value == ""
    if not isinstance(actual, str | int | float | bool):
        return True
    text = str(actual).lower()
    for symbol, compare in COMPARISONS.items():
        if value.startswith(symbol):
            bound = value[len(symbol) :].lower()
            if isinstance(actual, int | float) and not isinstance(actual, bool):
                try:
                    return compare(actual, float(bound))
                except ValueError:
                    return False
            return compare(text, bound)
    value = value.lower()
    if value.endswith("*"):
        return text.startswith(value[:-1])
    if value.isdigit() and text.startswith("gid://"):
        return gid_number(text) == value
    return text == value


# sortKey values the stand-in orders by, and the record field each sorts on.
SORT_FIELDS = {
    "CREATED_AT": "createdAt",
    "CREATED": "createdAt",
    "UPDATED_AT": "updatedAt",
    "PROCESSED_AT": "processedAt",
    "TITLE": "title",
    "FULL_TITLE": "title",
    "NAME": "name",
    "NUMBER": "name",
    "ORDER_NUMBER": "name",
    "ID": "id",
    "SKU": "sku",
    "POSITION": "position",
    "VENDOR": "vendor",
    "PRODUCT_TYPE": "productType",
}


def _sort_value(record: dict, key: str) -> tuple:
    value = record.get(key)
    if key == "id":
        return (0, int(gid_number(value)) if gid_number(value).isdigit() else 0, "")
    if isinstance(value, int | float):
        return (0, value, "")
    return (1, 0, str(value or "").lower())


def connection(
    items: list[dict],
    info: Any,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool | None = False,
    query: str | None = None,
    **_ignored: Any,
) -> dict:
    """A Relay connection over ``items`` with both ``edges { cursor node }`` and ``nodes``.

    Outside bulk operations Shopify requires ``first`` or ``last`` (at most 250, or the
    field's own limit in ``PAGE_SIZES``).
    """
    ctx: Context = info.context
    if not ctx.bulk:
        if first is None and last is None:
            raise GraphQLError("you must provide one of first or last")
        limit = PAGE_SIZES.get((info.parent_type.name, info.field_name), MAX_PAGE_SIZE)
        for name, size in (("first", first), ("last", last)):
            if size is not None and not 0 <= size <= limit:
                raise GraphQLError(f"The '{name}' argument must be between 0 and {limit}.")
    items = [item for item in items if matches_search(item, query, ctx.store)]
    sort_key = _ignored.get("sortKey")
    if sort_key in SORT_FIELDS:
        items = sorted(items, key=lambda item: _sort_value(item, SORT_FIELDS[sort_key]))
    if reverse:
        items = list(reversed(items))
    ids = [item["id"] for item in items]
    start, end = 0, len(items)
    if after is not None:
        cursor_id = decode_cursor(after)
        start = ids.index(cursor_id) + 1 if cursor_id in ids else len(items)
    if before is not None:
        cursor_id = decode_cursor(before)
        end = ids.index(cursor_id) if cursor_id in ids else end
    window = items[start:end]
    if not ctx.bulk:
        if first is not None:
            window = window[:first]
        elif last is not None:
            window = window[-last:] if last else []
    if window:
        first_index, last_index = ids.index(window[0]["id"]), ids.index(window[-1]["id"])
    else:
        first_index, last_index = start, start - 1
    return {
        "edges": [{"cursor": encode_cursor(item["id"]), "node": item} for item in window],
        "nodes": window,
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": last_index + 1 < len(items),
            "hasPreviousPage": first_index > 0,
            "startCursor": encode_cursor(window[0]["id"]) if window else None,
            "endCursor": encode_cursor(window[-1]["id"]) if window else None,
        },
    }


# --- resolvers ----------------------------------------------------------------------------------------

Resolver = Callable[..., Any]
RESOLVERS: dict[tuple[str, str], Resolver] = {}


def resolves(type_name: str, *field_names: str) -> Callable[[Resolver], Resolver]:
    """Decorator: register the resolver of ``type_name``'s ``field_names`` in ``RESOLVERS``.

    It is called as ``func(source, info, **field_arguments)``: the parent record (the root value
    for Query and Mutation fields) and graphql-core's resolve info.
    """

    def register(func: Resolver) -> Resolver:
        for name in field_names:
            RESOLVERS[(type_name, name)] = func
        return func

    return register


def field_resolver(source: Any, info: Any, **args: Any) -> Any:
    """A registered resolver, else the record's value, a ``_<field>`` relation, or the default.

    Query and Mutation fields without a resolver are answered from their types
    (``resolve_query_field``, ``resources.resolve_mutation``).
    """
    func = RESOLVERS.get((info.parent_type.name, info.field_name))
    if func is not None:
        return func(source, info, **args)
    if info.parent_type.name == "Query":
        return resolve_query_field(info, args)
    if info.parent_type.name == "Mutation":
        from standin.resources import resolve_mutation

        return resolve_mutation(info, args)
    if isinstance(source, dict):
        name = info.field_name
        if name in source:
            return source[name]
        if f"_{name}" in source:
            return follow(source[f"_{name}"], info, args)
        return default_value(info.return_type, store_of(info))
    return getattr(source, info.field_name, None)


def follow(link: Any, info: Any, args: dict) -> Any:
    """The record(s) a ``_<field>`` relation names: one gid, or a list of gids."""
    store = store_of(info)
    named, _is_list = named_type(info.return_type)
    if isinstance(link, list):
        records = [record for record in (store.get(item) for item in link) if record is not None]
        if named.name.endswith("Connection"):
            return connection(records, info, **args)
        return records
    return store.get(link) if link is not None else None


def _typename_for(field_name: str) -> str:
    """``draftOrders`` → ``DraftOrder``, ``inventoryItems`` → ``InventoryItem``."""
    singular = field_name[:-1] if field_name.endswith("s") else field_name
    return singular[:1].upper() + singular[1:]


def resolve_query_field(info: Any, args: dict) -> Any:
    """A Query field from its type: ``<things>Count`` counts, connections list every record of
    the node type, ``(id:)`` looks a record up, ``(handle:)`` finds one by handle."""
    store = store_of(info)
    named, _is_list = named_type(info.return_type)
    name = info.field_name
    if named.name == "Count" and name.endswith("Count"):
        records = store.of_type(_typename_for(name[: -len("Count")]))
        matched = [record for record in records if matches_search(record, args.get("query"), store)]
        limit = args.get("limit")
        count = len(matched) if limit is None else min(len(matched), limit)
        return {"count": count, "precision": "EXACT"}
    if named.name.endswith("Connection"):
        node_type, _ = named_type(named.fields["nodes"].type)
        return connection(records_of(store, schema(), node_type), info, **args)
    if args.get("id") is not None:
        record = lookup(info, args["id"])
        if record is not None and isinstance(named, GraphQLObjectType) and record["__typename"] != named.name:
            return None
        return record
    if args.get("handle") is not None:
        return next(
            (
                record
                for record in records_of(store, schema(), named)
                if record.get("handle") == args["handle"]
            ),
            None,
        )
    return default_value(info.return_type, store)


def store_of(info: Any) -> Store:
    """The ``Store`` of the request being answered."""
    return info.context.store


def lookup(info: Any, record_id: Any, typename: str | None = None) -> dict | None:
    """The record with gid ``record_id`` (of ``typename`` when given), or None.

    Reading a ``BulkOperation`` moves it on (``Store.observe_bulk_operation``).
    """
    record = store_of(info).get(record_id, typename)
    if record is not None and record["__typename"] == "BulkOperation":
        store_of(info).observe_bulk_operation(record)
    return record


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


@resolves("Query", "currentBulkOperation")
def resolve_current_bulk_operation(_root, info, type="QUERY"):  # noqa: A002
    """``Query.currentBulkOperation(type)``: the newest operation of ``type``, or None.

    The read moves the operation on (``Store.observe_bulk_operation``).
    """
    operations = [op for op in store_of(info).of_type("BulkOperation") if op["type"] == type]
    if not operations:
        return None
    store_of(info).observe_bulk_operation(operations[-1])
    return operations[-1]


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


def user_error(field: list | None, message: str, code: str | None = None) -> dict:
    """A ``userErrors`` entry: ``{"field": field path or None, "message": message, "code": code}``."""
    return {"field": field, "message": message, "code": code}


def _tags_mutation(adding: bool) -> Resolver:
    def resolve(_root, info, id, tags):  # noqa: A002
        store = store_of(info)
        with store.lock:
            record = store.get(id)
            if record is None or record["__typename"] not in TAGGABLE:
                return {"node": None, "userErrors": [user_error(["id"], "Resource not found")]}
            (store.add_tags if adding else store.remove_tags)(record, tags)
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


def bulk_limit(api_version: str) -> int:
    """Concurrent bulk operations of one type per shop: 5 from API version 2026-01, else 1."""
    return 5 if api_version == "unstable" or api_version >= "2026-01" else 1


def _start_bulk_operation(
    info: Any, kind: str, query: str, lines: list[dict], error_code: str | None
) -> dict:
    store = store_of(info)
    with store.lock:
        running = store.running_bulk_operations(kind)
        if len(running) >= bulk_limit(info.context.api_version):
            label = "query" if kind == "QUERY" else "mutation"
            message = (
                f"A bulk {label} operation for this app and shop is already in progress: {running[0]['id']}."
            )
            return {"bulkOperation": None, "userErrors": [user_error(None, message)]}
        operation = store.add(
            {
                "__typename": "BulkOperation",
                "id": store.new_gid("BulkOperation"),
                "status": "CREATED",
                "type": kind,
                "errorCode": None,
                "createdAt": store.now(),
                "completedAt": None,
                "objectCount": "0",
                "rootObjectCount": "0",
                "fileSize": None,
                "url": None,
                "partialDataUrl": None,
                "query": query,
                "_lines": lines,
                "_error_code": error_code,
                "_reads_left": store.bulk_reads_to_complete,
            }
        )
        if error_code is not None:
            operation["_reads_left"] = 0
        return {"bulkOperation": operation, "userErrors": []}


def flatten(value: Any, parent_id: str | None, out: list[dict]) -> None:
    """Shopify's bulk JSONL layout: every node a line; nested connections become lines with ``__parentId``."""
    for node in _connection_nodes(value):
        line: dict = {}
        children = []
        for key, item in node.items():
            if _is_connection(item):
                children.append(item)
            else:
                line[key] = item
        if parent_id is not None:
            line["__parentId"] = parent_id
        out.append(line)
        for child in children:
            flatten(child, node.get("id"), out)


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("edges"), list) or isinstance(value.get("nodes"), list)
    )


def _connection_nodes(value: Any) -> list[dict]:
    if _is_connection(value):
        if isinstance(value.get("edges"), list):
            return [edge["node"] for edge in value["edges"] if isinstance(edge, dict) and edge.get("node")]
        return [node for node in value["nodes"] if isinstance(node, dict)]
    if isinstance(value, dict):
        return [value]
    return []


@resolves("Mutation", "bulkOperationRunQuery")
def resolve_bulk_query(_root, info, query, groupObjects=None):  # noqa: N803
    """``bulkOperationRunQuery``: runs ``query`` now, without page limits, as a ``QUERY`` operation.

    The result is kept as JSONL lines (``flatten``); the operation finishes after
    ``Store.bulk_reads_to_complete`` reads. A query that does not parse, does not validate or is
    not exactly one query operation answers a user error. One that fails while running starts an
    operation with no lines that ends ``FAILED`` with ``errorCode`` ``INTERNAL_SERVER_ERROR``.
    ``groupObjects`` is ignored; concurrency follows ``bulk_limit``.
    """
    try:
        document = parse(query)
    except GraphQLError as exc:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["query"], f"Invalid bulk query: {exc.message}")],
        }
    errors = validate(schema(), document)
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    if not errors and (len(operations) != 1 or operations[0].operation != OperationType.QUERY):
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["query"], "Bulk queries must contain exactly one query operation.")],
        }
    if errors:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["query"], f"Invalid bulk query: {errors[0].message}")],
        }
    ctx = Context(store=store_of(info), api_version=info.context.api_version, bulk=True)
    result = execute(schema(), document, context_value=ctx, field_resolver=field_resolver)
    lines: list[dict] = []
    if not result.errors:
        for value in (result.data or {}).values():
            flatten(value, None, lines)
    return _start_bulk_operation(
        info, "QUERY", query, lines, "INTERNAL_SERVER_ERROR" if result.errors else None
    )


@resolves("Mutation", "bulkOperationRunMutation")
def resolve_bulk_mutation(_root, info, mutation, stagedUploadPath, **_ignored):  # noqa: N803
    """``bulkOperationRunMutation``: runs ``mutation`` once per JSONL line of the staged upload.

    Starts a ``MUTATION`` operation with one result line (``data``, ``errors``, ``__lineNumber``)
    per non-blank input line; a line that is not JSON gets an error line. A mutation that does
    not parse, validate or is not exactly one mutation, or an unknown ``stagedUploadPath``,
    answers a user error.
    """
    store = store_of(info)
    try:
        document = parse(mutation)
    except GraphQLError as exc:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["mutation"], f"Invalid mutation: {exc.message}")],
        }
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation != OperationType.MUTATION:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["mutation"], "Bulk mutations must contain exactly one mutation.")],
        }
    errors = validate(schema(), document)
    if errors:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["mutation"], f"Invalid mutation: {errors[0].message}")],
        }
    content = store.staged_uploads.get(stagedUploadPath)
    if content is None:
        message = f"The staged upload {stagedUploadPath!r} was not found; upload the JSONL file first."
        return {"bulkOperation": None, "userErrors": [user_error(["stagedUploadPath"], message)]}
    lines = []
    ctx = Context(store=store, api_version=info.context.api_version)
    for number, text in enumerate(content.decode("utf-8").splitlines()):
        if not text.strip():
            continue
        try:
            variables = json.loads(text)
        except ValueError:
            lines.append({"errors": [{"message": "Invalid JSON on this line"}], "__lineNumber": number})
            continue
        result = execute(
            schema(), document, context_value=ctx, variable_values=variables, field_resolver=field_resolver
        )
        line: dict = {"data": result.data}
        if result.errors:
            line["errors"] = [error.formatted for error in result.errors]
        line["__lineNumber"] = number
        lines.append(line)
    return _start_bulk_operation(info, "MUTATION", mutation, lines, None)


@resolves("Mutation", "bulkOperationCancel")
def resolve_bulk_cancel(_root, info, id):  # noqa: A002
    """``bulkOperationCancel(id)``: cancels a running bulk operation.

    An unknown operation, or one already finished, answers a user error.
    """
    store = store_of(info)
    operation = store.get(id, "BulkOperation")
    if operation is None:
        return {"bulkOperation": None, "userErrors": [user_error(["id"], "Bulk operation does not exist")]}
    if operation["status"] in ("COMPLETED", "FAILED", "CANCELED", "EXPIRED"):
        message = f"A bulk operation cannot be canceled when it is {operation['status'].lower()}"
        return {"bulkOperation": operation, "userErrors": [user_error(None, message)]}
    store.finish_bulk_operation(id, status="CANCELED")
    return {"bulkOperation": operation, "userErrors": []}


@resolves("Mutation", "stagedUploadsCreate")
def resolve_staged_uploads(_root, info, input):  # noqa: A002
    """``stagedUploadsCreate``: one target per input, a form POST to the stand-in's ``/staged-uploads``.

    The ``key`` parameter is the ``stagedUploadPath`` a bulk mutation then names.
    """
    store = store_of(info)
    targets = []
    for upload in input:
        key = f"tmp/standin/bulk/{store.new_number()}/{upload['filename']}"
        targets.append(
            {
                "url": f"{store.base_url}/staged-uploads",
                "resourceUrl": None,
                "parameters": [
                    {"name": "Content-Type", "value": upload["mimeType"]},
                    {"name": "success_action_status", "value": "201"},
                    {"name": "acl", "value": "private"},
                    {"name": "key", "value": key},
                ],
            }
        )
    return {"stagedTargets": targets, "userErrors": []}


# --- cost --------------------------------------------------------------------------------------------


def _unwrap(type_: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            is_list = True
        type_ = type_.of_type
    return type_, is_list


def _argument(node: FieldNode, name: str, variables: dict) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            return value_from_ast_untyped(argument.value, variables)
    return None


# Object types that are values embedded in their parent record rather than records of their own;
# selecting them costs nothing beyond their parent.
VALUE_TYPES = frozenset(
    {
        "MoneyV2",
        "MoneyBag",
        "PageInfo",
        "Count",
        "MailingAddress",
        "Attribute",
        "SEO",
        "Image",
        "Weight",
        "SelectedOption",
        "TrackingInfo",
        "InventoryQuantity",
    }
)


def selection_cost(
    selections: Any,
    parent: Any,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict,
    in_connection: bool = False,
) -> tuple[int, int]:
    """``(cost, once)`` of a selection set on ``parent``, after Shopify's documented field costs.

    Scalars and enums cost 0, an object 1 (values embedded in their parent, ``VALUE_TYPES``, 0),
    an interface or union the most expensive of its possible selections, and a connection 2
    plus its page size (``first``/``last``, counted up to ``MAX_PAGE_SIZE``) times the cost of
    one node: the node's own nested objects, at least 1 for the node itself. A connection
    selected inside another connection's nodes is charged once for the request (``once``), not
    once per parent node: Shopify's published rules do not multiply nesting out, and
    production library queries nest ``first: 100``-``250`` pages under ``first: 250`` parents.
    """
    total = once = 0
    alternatives: list[tuple[int, int]] = []
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__") or not hasattr(parent, "fields") or name not in parent.fields:
                continue
            named, _is_list = _unwrap(parent.fields[name].type)
            if not hasattr(named, "fields") and not isinstance(named, GraphQLUnionType):
                continue
            if named.name.endswith("Connection"):
                size = _argument(selection, "first", variables) or _argument(selection, "last", variables)
                size = min(int(size or 0), MAX_PAGE_SIZE)
                node, nested = selection_cost(selection.selection_set, named, fragments, variables, True)
                cost = 2 + size * max(1, node - 1) + nested
                if in_connection:
                    once += cost
                else:
                    total += cost
                continue
            inner, nested = selection_cost(
                selection.selection_set, named, fragments, variables, in_connection
            )
            once += nested
            free = named.name.endswith("Edge") or named.name in VALUE_TYPES
            if free or isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
                total += inner
            else:
                total += 1 + inner
        elif isinstance(selection, InlineFragmentNode):
            target = (
                schema().get_type(selection.type_condition.name.value) if selection.type_condition else parent
            )
            alternatives.append(
                selection_cost(selection.selection_set, target, fragments, variables, in_connection)
            )
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                target = schema().get_type(fragment.type_condition.name.value)
                alternatives.append(
                    selection_cost(fragment.selection_set, target, fragments, variables, in_connection)
                )
    if alternatives:
        total += max(cost for cost, _ in alternatives)
        once += max(nested for _, nested in alternatives)
    return total, once


def query_cost(document: Any, operation: OperationDefinitionNode, variables: dict) -> int:
    """The requested cost of ``operation``: 10 per mutation field, else the selection cost (at least 1)."""
    if operation.operation == OperationType.MUTATION:
        return MUTATION_COST * len(operation.selection_set.selections)
    fragments = {
        node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)
    }
    cost, once = selection_cost(operation.selection_set, schema().query_type, fragments, variables)
    return max(1, cost + once)


# --- the endpoint --------------------------------------------------------------------------------------


def _formatted(errors: list[GraphQLError]) -> list[dict]:
    return [error.formatted for error in errors]


def handle_graphql(store: Store, payload: Any, *, api_version: str) -> tuple[int, dict]:
    """Answer one ``graphql.json`` POST body: ``(HTTP status, response body)``.

    Answers with ``errors`` are also kept in ``store.graphql_errors``.
    """
    status, body = _answer_graphql(store, payload, api_version=api_version)
    if isinstance(body, dict) and body.get("errors"):
        with store.lock:
            store.graphql_errors.append(
                {
                    "query": payload.get("query") if isinstance(payload, dict) else None,
                    "variables": payload.get("variables") if isinstance(payload, dict) else None,
                    "errors": body["errors"],
                }
            )
    return status, body


def _answer_graphql(store: Store, payload: Any, *, api_version: str) -> tuple[int, dict]:
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return 400, {"errors": {"query": "Required parameter missing or invalid"}}
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        return 200, {"errors": [{"message": "Variables must be an object"}]}
    try:
        document = parse(payload["query"])
    except GraphQLError as exc:
        return 200, {"errors": _formatted([exc])}
    errors = validate(schema(), document)
    if errors:
        return 200, {"errors": _formatted(errors)}
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    name = payload.get("operationName")
    operation = next((op for op in operations if name is None or (op.name and op.name.value == name)), None)
    if operation is None or (name is None and len(operations) > 1):
        return 200, {"errors": [{"message": "An operation name is required"}]}
    requested = query_cost(document, operation, variables)
    with store.lock:
        bucket = store.bucket
        bucket.refresh()
        if requested > MAX_QUERY_COST:
            return 200, {
                "errors": [
                    {
                        "message": f"Query cost is {requested}, which exceeds the single query max cost "
                        f"limit ({MAX_QUERY_COST}).",
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": requested,
                            "maxCost": MAX_QUERY_COST,
                        },
                    }
                ],
                "extensions": {
                    "cost": {
                        "requestedQueryCost": requested,
                        "actualQueryCost": None,
                        "throttleStatus": bucket.status(),
                    }
                },
            }
        if requested > bucket.available:
            return 200, {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {"code": "THROTTLED", "documentation": THROTTLED_DOCS},
                    }
                ],
                "extensions": {
                    "cost": {
                        "requestedQueryCost": requested,
                        "actualQueryCost": None,
                        "throttleStatus": bucket.status(),
                    }
                },
            }
        result = execute(
            schema(),
            document,
            context_value=Context(store=store, api_version=api_version),
            variable_values=variables,
            operation_name=name,
            field_resolver=field_resolver,
        )
        bucket.available -= requested
        body: dict = {}
        if result.errors:
            body["errors"] = _formatted(result.errors)
        body["data"] = result.data
        body["extensions"] = {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": requested,
                "throttleStatus": bucket.status(),
            }
        }
        return 200, body


# Derived fields and mutations beyond the basics register themselves on import.
from standin import resources  # noqa: E402, F401
