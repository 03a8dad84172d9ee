"""Helpers shared by Hub's filters: Mechanic's calling convention (spec/liquid.md §4.1),
strict argument reading, binary strings and secret resolution for the signing filters."""

from __future__ import annotations

import re
from typing import Any

from ..values import HubRenderError, ruby_inspect, to_s


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


_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def integer_arg(value: Any, filter_name: str, what: str = "argument") -> int:
    """Ruby Liquid ``Utils.to_integer``: an integer, or a string holding one (``"3"``).

    Anything else (floats, nil, booleans, ``"1.5"``) raises HubRenderError
    ``<filter>: invalid integer <what> <value>``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise HubRenderError(f"{filter_name}: invalid integer {what} {ruby_inspect(value)}")


def is_true(options: dict, key: str) -> bool:
    """An option counts as set only when it is literally ``true`` (Ruby ``== true``)."""
    return options.get(key) is True


def as_bytes(value: Any) -> bytes:
    """The bytes of a Liquid string: binary strings as they are, text as UTF-8."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return to_s(value).encode("utf-8")


def text_or_binary(data: bytes) -> str | bytes:
    """Ruby keeps decoded bytes as a string either way; Hub keeps valid UTF-8 as text and
    anything else as a binary string (printing replaces bad bytes, JSON refuses them, §1.7)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def force_utf8(data: bytes) -> str:
    """``force_utf8: true`` (§4.2, §4.8): the bytes as UTF-8 text, invalid sequences → U+FFFD."""
    return data.decode("utf-8", errors="replace")


def resolve_secret(context: Any, key: Any, filter_name: str) -> Any:
    """The signing filters' key (§4.3, spec/platform.md §5.3): secret references in a string
    key are replaced by raw values through ``RenderSettings.resolve_secret`` when the rendering
    layer set one; otherwise the key is used as given. Resolution failures are render errors."""
    resolver = getattr(settings_of(context), "resolve_secret", None)
    if resolver is None or not isinstance(key, str):
        return key
    try:
        return resolver(key)
    except HubRenderError:
        raise
    except Exception as exc:  # SecretNotFound & co. carry a value-free message
        raise HubRenderError(f"{filter_name}: {exc}") from exc
