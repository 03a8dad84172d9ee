"""Hash filters (spec/liquid.md §4.6); ``compact``, ``except`` and ``slice`` on hashes live with
their array forms in ``array.py``."""

from __future__ import annotations

from typing import Any


def keys(value: Any) -> list:
    """``keys`` (§4.6): the keys in insertion order; [] for anything but a hash."""
    return list(value.keys()) if isinstance(value, dict) else []


def values(value: Any) -> list:
    """``values`` (§4.6): the values in insertion order; [] for anything but a hash."""
    return list(value.values()) if isinstance(value, dict) else []


FILTERS = {"keys": keys, "values": values}
