"""Relay connections as Shopify pages them: cursors, page sizes, ``sortKey``, ``reverse``, ``query``."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from standin.registry import Context
from standin.search import matches_search
from standin.store import Store, gid_number

MAX_PAGE_SIZE = 250
# Connections that take larger pages: a single product's variants (up to the 2,048-variant limit),
# customer segment members (Shopify's documented maximum page size of 1,000).
PAGE_SIZES = {("Product", "variants"): 2048, ("Query", "customerSegmentMembers"): 1000}


def encode_cursor(record_id: str) -> str:
    """The opaque cursor of ``record_id``: base64 of ``{"last_id": record_id}``."""
    return base64.b64encode(json.dumps({"last_id": record_id}).encode()).decode()


def decode_cursor(cursor: str) -> str:
    """The record id in a cursor made by ``encode_cursor``; raises ``GraphQLError`` for any other."""
    try:
        return json.loads(base64.b64decode(cursor))["last_id"]
    except (ValueError, KeyError, TypeError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}") from None


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


@dataclass(frozen=True)
class Paging:
    """A connection field's paging arguments, as graphql-core passes them (``Paging.of(args)``).

    ``first``/``last`` count nodes, ``after``/``before`` are cursors from ``encode_cursor``,
    ``query`` is Shopify search syntax (``search.matches_search``) and ``sort_key`` a key of
    ``SORT_FIELDS``; ``reverse`` flips the order after sorting.
    """

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    reverse: bool | None = False
    query: str | None = None
    sort_key: str | None = None

    @classmethod
    def of(cls, args: dict[str, Any]) -> Paging:
        """The paging arguments among a field's ``args``; the field's other arguments are ignored."""
        return cls(
            first=args.get("first"),
            after=args.get("after"),
            last=args.get("last"),
            before=args.get("before"),
            reverse=args.get("reverse", False),
            query=args.get("query"),
            sort_key=args.get("sortKey"),
        )

    def check_size(self, limit: int) -> None:
        """Raise ``GraphQLError`` unless ``first`` or ``last`` is given, and each given is 0 to ``limit``."""
        if self.first is None and self.last is None:
            raise GraphQLError("you must provide one of first or last")
        for name, size in (("first", self.first), ("last", self.last)):
            if size is not None and not 0 <= size <= limit:
                raise GraphQLError(f"The '{name}' argument must be between 0 and {limit}.")

    def cut(self, window: list[dict]) -> list[dict]:
        """The first ``first`` records of ``window``, else its last ``last``, else all of it."""
        if self.first is not None:
            return window[: self.first]
        if self.last is not None:
            return window[-self.last :] if self.last else []
        return window


def connection(items: list[dict], info: Any, **args: Any) -> dict:
    """A Relay connection over ``items`` with both ``edges { cursor node }`` and ``nodes``.

    ``args`` are the field's arguments; ``Paging`` takes those that page, filter and sort.
    Outside bulk operations Shopify requires ``first`` or ``last`` (at most 250, or the
    field's own limit in ``PAGE_SIZES``): ``GraphQLError`` otherwise, as for a cursor that
    ``encode_cursor`` did not make.
    """
    ctx: Context = info.context
    paging = Paging.of(args)
    if not ctx.bulk:
        paging.check_size(PAGE_SIZES.get((info.parent_type.name, info.field_name), MAX_PAGE_SIZE))
    items = _matching(items, paging, ctx.store)
    ids = [item["id"] for item in items]
    start, end = _bounds(ids, paging)
    window = items[start:end] if ctx.bulk else paging.cut(items[start:end])
    return _connection_of(items, ids, window, start)


def _matching(items: list[dict], paging: Paging, store: Store) -> list[dict]:
    """``items`` that match ``paging.query``, sorted by ``paging.sort_key``, reversed on ``reverse``."""
    items = [item for item in items if matches_search(item, paging.query, store)]
    if paging.sort_key in SORT_FIELDS:
        key = SORT_FIELDS[paging.sort_key]
        items = sorted(items, key=lambda item: _sort_value(item, key))
    if paging.reverse:
        items = list(reversed(items))
    return items


def _bounds(ids: list[str], paging: Paging) -> tuple[int, int]:
    """``(start, end)`` of the records between the ``after`` and ``before`` cursors.

    An ``after`` cursor of a record not in ``ids`` leaves nothing; such a ``before`` is ignored.
    """
    start, end = 0, len(ids)
    if paging.after is not None:
        cursor_id = decode_cursor(paging.after)
        start = ids.index(cursor_id) + 1 if cursor_id in ids else len(ids)
    if paging.before is not None:
        cursor_id = decode_cursor(paging.before)
        end = ids.index(cursor_id) if cursor_id in ids else end
    return start, end


def _connection_of(items: list[dict], ids: list[str], window: list[dict], start: int) -> dict:
    """The connection of ``window``, the page of ``items`` (ids ``ids``) that begins at ``start``."""
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
