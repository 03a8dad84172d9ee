"""Hub's filters, grouped by kind (spec/liquid.md §4). ``register_filters`` replaces
python-liquid's filter table with exactly Mechanic's: the supported filters (§4.2–§4.7), the
deprecated ones (§4.8) and the undocumented-but-used ones (§4.9). Any other name, such as
``camelcase``, ``remove_all`` or ``url_escape``, is an unknown filter (a syntax error, §4.1)."""

from __future__ import annotations

from typing import Any

from . import array, browser, crypto, data, date, deprecated, math, money, regex, string
from . import hash as hash_filters

MODULES = (data, browser, string, crypto, regex, math, money, array, hash_filters, date, deprecated)
# Ruby Liquid 5.4's own alias of ``escape`` (golden corpus, filter.escape).
ALIASES = {"h": "escape"}
# §4.9: used by the library or docs, not in the supported list.
UNDOCUMENTED = ("money", "money_with_currency", "url_param_escape")


def all_filters() -> dict[str, Any]:
    """Every Hub filter by name (aliases included)."""
    table: dict[str, Any] = {}
    for module in MODULES:
        table.update(module.FILTERS)
    for alias, target in ALIASES.items():
        table[alias] = table[target]
    return table


def register_filters(env: Any) -> None:
    """Make ``env``'s filters exactly Hub's (python-liquid's built-ins are all replaced or
    dropped, so no engine default leaks into the dialect)."""
    env.filters.clear()
    for name, func in all_filters().items():
        env.add_filter(name, func)
