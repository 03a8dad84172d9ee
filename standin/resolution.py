"""How the stand-in answers a field: its registered resolver, else from the record and the schema.

``field_resolver`` is the resolver graphql-core calls for every field. Without a registered
resolver, a record field reads the record (or follows a ``_<field>`` relation, or takes the
default of its type); a Query field is answered from its type (``resolve_query_field``).

A Mutation field without its own resolver (``resolve_mutation``) finds the record the arguments
name (``id``, ``orderId``, ``input.id``...), answers a ``NOT_FOUND`` user error when there is
none, applies the change a handler in ``MUTATIONS`` knows, and fills the payload's fields from
its type (the record where the type matches, a finished ``Job``, empty ``userErrors``).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType

from standin.connections import connection
from standin.defaults import default_value, named_type, records_of
from standin.registry import MUTATIONS, RESOLVERS, lookup, schema, store_of, user_error
from standin.search import matches_search
from standin.store import gid_type

# Arguments that name the record a mutation changes, in the order they are looked for.
TARGET_ARGUMENTS = ("id", "orderId", "customerId", "productId", "fulfillmentId", "draftOrderId")
TARGET_INPUTS = ("input", "product", "fulfillmentEvent")


def field_resolver(source: Any, info: Any, **args: Any) -> Any:
    """A registered resolver, else the record's value, a ``_<field>`` relation, or the default.

    Query and Mutation fields without a resolver are answered from their types
    (``resolve_query_field``, ``resolve_mutation``).
    """
    func = RESOLVERS.get((info.parent_type.name, info.field_name))
    if func is not None:
        return func(source, info, **args)
    if info.parent_type.name == "Query":
        return resolve_query_field(info, args)
    if info.parent_type.name == "Mutation":
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


# --- mutations without their own resolver ---------------------------------------------------------------


def target_id(args: dict) -> str | None:
    """The gid of the record a mutation's arguments name, if any."""
    for name in TARGET_ARGUMENTS:
        if isinstance(args.get(name), str):
            return args[name]
    for name in TARGET_INPUTS:
        value = args.get(name)
        if isinstance(value, dict):
            for key in ("id", "fulfillmentId"):
                if isinstance(value.get(key), str):
                    return value[key]
    return None


def resolve_mutation(info: Any, args: dict) -> dict:
    """Answer a Mutation field without its own resolver (see the module docstring)."""
    store = store_of(info)
    payload_type, _ = named_type(info.return_type)
    wanted = target_id(args)
    with store.lock:
        record = store.get(wanted) if wanted else None
        if wanted and record is None:
            error = user_error(["id"], f"{gid_type(wanted) or 'Resource'} does not exist", "NOT_FOUND")
            return {"userErrors": [error], "orderCancelUserErrors": [error]}
        handler = MUTATIONS.get(info.field_name)
        payload = {"userErrors": [], **(handler(store, record, args) if handler else {})}
        if record is not None and info.field_name not in MUTATIONS_THAT_DELETE:
            store.touch(record)
        if not payload["userErrors"]:
            report_change(store, record, payload, deleted=info.field_name in MUTATIONS_THAT_DELETE)
    payload.setdefault("orderCancelUserErrors", payload["userErrors"])
    for name, field in payload_type.fields.items():
        if name in payload:
            continue
        field_type, _ = named_type(field.type)
        if record is not None and _is_a(record, field_type):
            payload[name] = record
        elif field_type.name == "Job":
            payload[name] = {"id": store.new_gid("Job"), "done": True}
        elif field_type.name == "Shop":
            payload[name] = store.shop
    return payload


def report_change(store: Any, record: dict | None, payload: dict, *, deleted: bool) -> None:
    """Tell the store what a mutation changed (for webhook deliveries): the record it named, or
    the record it created (found in its payload)."""
    if deleted:
        return
    if record is not None:
        store.record_changed(record)
        return
    for value in payload.values():
        if isinstance(value, dict) and "__typename" in value and "id" in value:
            store.record_changed(value, created=True)


MUTATIONS_THAT_DELETE = ("productDelete", "collectionDelete", "draftOrderDelete", "webhookSubscriptionDelete")


def _is_a(record: dict, type_: Any) -> bool:
    name = record.get("__typename")
    if getattr(type_, "name", None) == name:
        return True
    if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
        return any(possible.name == name for possible in schema().get_possible_types(type_))
    return False
