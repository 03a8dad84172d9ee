"""Hub's filters, grouped by kind (spec/liquid.md §4). ``register_filters`` installs them over
python-liquid's and drops the built-ins Mechanic does not have (unknown filters are syntax
errors, §4.1)."""

from __future__ import annotations

from typing import Any

from . import array, browser, data, date, hash, math, money, regex, string

# python-liquid extras that are not Mechanic filters.
REMOVED_FILTERS = ("safe", "escapejs", "find", "find_index", "has", "reject", "squish")


def register_filters(env: Any) -> None:
    """Register every Hub filter on ``env``."""
    for name in REMOVED_FILTERS:
        env.filters.pop(name, None)
    for module in (data, browser, string, regex, math, money, array, hash, date):
        for name, func in module.FILTERS.items():
            env.add_filter(name, func)
    env.add_filter("h", env.filters["escape"])
