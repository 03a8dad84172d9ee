"""``match`` and ``scan`` (spec/liquid.md §4.3): Ruby regular expressions on Python's ``re``."""

from __future__ import annotations

import re
from typing import Any

from ..values import HubRenderError, to_s

_POSIX = {
    "alpha": r"a-zA-Z",
    "digit": r"0-9",
    "alnum": r"a-zA-Z0-9",
    "upper": r"A-Z",
    "lower": r"a-z",
    "space": r"\s",
    "punct": r"!-/:-@\[-`{-~",
    "xdigit": r"0-9A-Fa-f",
    "word": r"\w",
}


def ruby_pattern(source: str) -> re.Pattern:
    """Compile a Ruby regexp source: ``(?<name>…)`` groups, POSIX bracket classes, ``\\A``/``\\z``."""
    text = re.sub(r"\(\?<(?![=!])", "(?P<", source)
    text = re.sub(r"\[:(\w+):\]", lambda m: _POSIX.get(m.group(1), m.group(0)), text)
    text = text.replace(r"\z", r"\Z").replace(r"\h", r"[0-9a-fA-F]")
    try:
        return re.compile(text, re.MULTILINE)
    except re.error as exc:
        raise HubRenderError(f"invalid regular expression {source!r}: {exc}") from exc


class MatchResult:
    """A match object: prints as the matched text; ``captures`` and ``named_captures``."""

    def __init__(self, match: re.Match):
        self._match = match

    def __str__(self) -> str:
        return self._match.group(0)

    def __getitem__(self, key: Any) -> Any:
        if key == "captures":
            return list(self._match.groups())
        if key == "named_captures":
            return dict(self._match.groupdict())
        if isinstance(key, int):
            return self._match.group(key)
        if isinstance(key, str) and key in self._match.groupdict():
            return self._match.group(key)
        raise KeyError(key)

    def to_liquid_json(self) -> str:
        """JSON form: the matched text (§1.7 decision)."""
        return self._match.group(0)


def match(value: Any, pattern: Any = "") -> MatchResult | None:
    """``match`` (§4.3): the first match of the pattern, or nil."""
    found = ruby_pattern(to_s(pattern)).search(to_s(value))
    return MatchResult(found) if found else None


def scan(value: Any, pattern: Any = "") -> list[MatchResult]:
    """``scan`` (§4.3): every non-overlapping match."""
    return [MatchResult(m) for m in ruby_pattern(to_s(pattern)).finditer(to_s(value))]


FILTERS = {"match": match, "scan": scan}
