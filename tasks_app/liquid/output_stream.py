"""Reading a script's output as a stream of action/log/error JSON objects (spec/liquid.md §1.2)."""

from __future__ import annotations

import json

_KEYS = frozenset(["action", "log", "error"])
_WHITESPACE = " \t\n\r\f\v\ufeff"
EXCERPT_LENGTH = 60


def _reject_constant(name: str):
    raise ValueError(f"invalid JSON constant {name}")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_output_stream(text: str) -> tuple[list[dict], tuple[int, str, str] | None]:
    """Split ``text`` into result objects.

    Returns ``(objects, None)`` or ``([], (offset, excerpt, reason))`` where ``offset`` is the
    1-based character offset of the failure and ``excerpt`` the 60 characters from there.
    """
    objects: list[dict] = []
    pos, size = 0, len(text)
    while True:
        while pos < size and (text[pos] in _WHITESPACE or text[pos].isspace()):
            pos += 1
        if pos >= size:
            return objects, None
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except ValueError:
            return [], (pos + 1, text[pos : pos + EXCERPT_LENGTH], "not a JSON value")
        if not isinstance(value, dict):
            return [], (pos + 1, text[pos : pos + EXCERPT_LENGTH], "not a JSON object")
        if len(value) != 1 or next(iter(value)) not in _KEYS:
            return [], (
                pos + 1,
                text[pos : pos + EXCERPT_LENGTH],
                "expected one member: action, log or error",
            )
        objects.append(value)
        pos = end
