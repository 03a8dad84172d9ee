"""Relay connections as Shopify pages them: cursors, page sizes, ``sortKey``, ``reverse``, ``query``."""

from __future__ import annotations

import base64
import json
from typing import Any

from graphql import GraphQLError

from standin.registry import Context
from standin.search import matches_search
from standin.store import gid_number

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
