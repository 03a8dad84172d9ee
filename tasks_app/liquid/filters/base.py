"""Helpers shared by Hub's filters: Mechanic's calling convention (spec/liquid.md §4.1)."""

from __future__ import annotations

from typing import Any


def split_options(args: tuple, kwargs: dict) -> tuple[list, dict]:
    """Mechanic/Ruby calling convention (§4.1): keyword arguments travel as one hash in the
    last position, so a trailing hash argument is read as the options. Template keyword
    arguments win over keys of that hash."""
    positional = list(args)
    options: dict = {}
    if positional and isinstance(positional[-1], dict):
        options.update(positional.pop())
    options.update(kwargs)
    return positional, options


def settings_of(context: Any) -> Any:
    """The run's RenderSettings carried by the render context (defaults when absent)."""
    settings = getattr(context, "settings", None)
    if settings is None:
        from ..api import RenderSettings

        settings = RenderSettings()
    return settings


def as_list(value: Any) -> list:
    """Ruby ``InputIterator``: nil → [], arrays flattened, a hash or scalar → [value] (§4.1)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return _flatten(value)
    if isinstance(value, range):
        return list(value)
    return [value]


def _flatten(items: Any) -> list:
    out: list = []
    for item in items:
        if isinstance(item, (list, tuple)):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out
