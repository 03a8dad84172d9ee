"""The stand-in's GraphQL schema and the registries its resolver modules fill.

Every other GraphQL module builds on this one: resolver modules register with ``resolves`` and
``mutation``; ``resolution.field_resolver`` reads ``RESOLVERS`` and ``MUTATIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, build_schema

from standin.store import Store

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"


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


# --- resolvers ------------------------------------------------------------------------------------------

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


Handler = Callable[[Store, "dict | None", dict], dict]
MUTATIONS: dict[str, Handler] = {}


def mutation(*names: str) -> Callable[[Handler], Handler]:
    """Decorator: register the handler for the Mutation fields ``names`` in ``MUTATIONS``.

    A handler gets ``(store, record, args)``: the store, the record the arguments name (None when
    they name none) and the field's arguments. It runs under ``store.lock``, changes the store and
    returns payload fields (``userErrors`` to refuse); ``resolution.resolve_mutation`` fills
    in the rest.
    """

    def register(func: Handler) -> Handler:
        for name in names:
            MUTATIONS[name] = func
        return func

    return register


# --- helpers for resolvers ------------------------------------------------------------------------------


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


def user_error(field: list | None, message: str, code: str | None = None) -> dict:
    """A ``userErrors`` entry: ``{"field": field path or None, "message": message, "code": code}``."""
    return {"field": field, "message": message, "code": code}
