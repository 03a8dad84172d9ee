"""The part of Shopify's search syntax the stand-in understands (``query:`` arguments).

``matches_search`` is the entry point; connections and ``<things>Count`` fields filter with it.
"""

from __future__ import annotations

import operator
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from standin.store import Store, gid_number


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
