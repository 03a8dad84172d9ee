"""What the stand-in answers for fields its records do not hold, derived from the schema alone.

A field a record does not carry reads as Shopify would answer for an empty shop: nullable
fields are null, non-null ones get an empty value of their type (``""``, ``0``, ``false``,
``[]``, an empty connection, zero money, the first enum value). Relations kept as gids under
``_<field>`` are followed. This lets ``schema.graphql`` grow by declaration: a new field needs
a resolver only when its value means something.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)

from standin.store import SEED_TIMESTAMP, Store

SCALAR_DEFAULTS: dict[str, Any] = {
    "Int": 0,
    "Float": 0.0,
    "Boolean": False,
    "Decimal": "0.0",
    "Money": "0.0",
    "DateTime": SEED_TIMESTAMP,
    "Date": SEED_TIMESTAMP[:10],
    "UnsignedInt64": "0",
    "JSON": {},
    "Color": "#000000",
}


def named_type(type_: Any) -> tuple[Any, bool]:
    """``(the named type inside NonNull/List wrappers, whether a list wraps it)``."""
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


def empty_connection() -> dict:
    """A connection with no nodes."""
    return {
        "edges": [],
        "nodes": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        "totalCount": 0,
    }


def money(store: Store, amount: Any = "0.0") -> dict:
    """``MoneyV2`` in the shop's currency."""
    return {"amount": str(amount), "currencyCode": store.shop.get("currencyCode", "USD")}


def money_bag(store: Store, amount: Any = "0.0") -> dict:
    """``MoneyBag``: the same amount in shop and presentment money."""
    return {"shopMoney": money(store, amount), "presentmentMoney": money(store, amount)}


def default_value(type_: Any, store: Store) -> Any:
    """The value of an unset field of GraphQL type ``type_`` (see the module docstring)."""
    if not isinstance(type_, GraphQLNonNull):
        return None
    inner = type_.of_type
    if isinstance(inner, GraphQLList):
        return []
    if isinstance(inner, GraphQLScalarType):
        return SCALAR_DEFAULTS.get(inner.name, "")
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    if isinstance(inner, GraphQLInterfaceType | GraphQLUnionType):
        return None
    if isinstance(inner, GraphQLObjectType):
        if inner.name.endswith("Connection"):
            return empty_connection()
        if inner.name == "MoneyV2":
            return money(store)
        if inner.name == "MoneyBag":
            return money_bag(store)
        if inner.name == "Count":
            return {"count": 0, "precision": "EXACT"}
        return {}
    return None


def records_of(store: Store, schema: Any, type_: Any) -> list[dict]:
    """Every record of an object type, or of any object type an interface or union covers."""
    if isinstance(type_, GraphQLObjectType):
        return store.of_type(type_.name)
    if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
        names = {possible.name for possible in schema.get_possible_types(type_)}
        return [record for record in store.records.values() if record.get("__typename") in names]
    return []
