"""``match`` and ``scan`` (spec/liquid.md §4.3): Ruby (Onigmo) regular expressions translated
to Python's regular expression syntax and run by the ``regex`` package (its ``re``-compatible
VERSION0 mode) with a time limit: the run's time left, so a pattern that backtracks without end
(``(a|aa)+$``) stops the run with its time limit instead of holding a worker (§6). Match objects
print as the matched text (§1.7, §1.8)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import regex

from ..limits import current_meter
from ..values import HubRenderError, to_s


class RegexpSyntaxError(ValueError):
    """A Ruby regexp construct that is malformed or has no Python equivalent."""


# Ruby's \d \w \s \b are ASCII-only; POSIX brackets and \p{…} are Unicode-aware.
_ASCII_ESCAPES = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[a-zA-Z0-9_]",
    "W": "[^a-zA-Z0-9_]",
    "s": "[ \\t\\n\\v\\f\\r]",
    "S": "[^ \\t\\n\\v\\f\\r]",
    "h": "[0-9a-fA-F]",
    "H": "[^0-9a-fA-F]",
    "z": "\\Z",
    "Z": "(?=\\n?\\Z)",
    "b": "(?:(?<=[a-zA-Z0-9_])(?![a-zA-Z0-9_])|(?<![a-zA-Z0-9_])(?=[a-zA-Z0-9_]))",
    "B": "(?:(?<=[a-zA-Z0-9_])(?=[a-zA-Z0-9_])|(?<![a-zA-Z0-9_])(?![a-zA-Z0-9_]))",
    "R": "(?:\\r\\n|[\\n\\v\\f\\r\\x85\\u2028\\u2029])",
    "e": "\\x1b",
    "a": "\\x07",
}
_CLASS_ESCAPES = {"d": "0-9", "w": "a-zA-Z0-9_", "s": " \\t\\n\\v\\f\\r", "h": "0-9a-fA-F"}
_PUNCT = (
    "!-/:-@\\[-`{-~\\u00a1\\u00a7\\u00ab\\u00b6\\u00b7\\u00bb\\u00bf\\u2010-\\u2027"
    "\\u2030-\\u205e\\u3001-\\u3003\\u3008-\\u3011"
)
# name → ("in", text usable inside a class) or ("alt", an atom matched as an alternative).
_POSIX: dict[str, tuple[str, str]] = {
    "alpha": ("alt", "[^\\W\\d_]"),
    "alnum": ("alt", "[^\\W_]"),
    "upper": ("in", "A-Z\\u00c0-\\u00d6\\u00d8-\\u00de\\u0391-\\u03a9\\u0410-\\u042f"),
    "lower": ("in", "a-z\\u00df-\\u00f6\\u00f8-\\u00ff\\u03b1-\\u03c9\\u0430-\\u044f"),
    "digit": ("in", "\\d"),
    "xdigit": ("in", "0-9A-Fa-f"),
    "space": ("in", "\\s"),
    "blank": ("in", " \\t"),
    "word": ("in", "\\w"),
    "punct": ("in", _PUNCT),
    "cntrl": ("in", "\\x00-\\x1f\\x7f"),
    "ascii": ("in", "\\x00-\\x7f"),
    "graph": ("alt", "[^\\s\\x00-\\x1f\\x7f]"),
    "print": ("alt", "[^\\x00-\\x1f\\x7f]"),
}
_PROPERTIES = {
    "l": "alpha", "letter": "alpha", "alpha": "alpha", "alnum": "alnum", "n": "digit",
    "nd": "digit", "digit": "digit", "lu": "upper", "upper": "upper", "ll": "lower",
    "lower": "lower", "p": "punct", "punct": "punct", "space": "space", "word": "word",
    "xdigit": "xdigit", "blank": "blank", "cntrl": "cntrl", "ascii": "ascii",
    "graph": "graph", "print": "print",
}  # fmt: skip
_CLASS_SPECIAL = set("\\]^-[&|~")
_FLAG_MAP = {"i": "i", "m": "s", "x": "x"}


class _Translator:
    def __init__(self, source: str):
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.named = re.search(r"\(\?(<(?![=!])|')", source) is not None
        # Per open group: how many "(?flags:" were opened for isolated "(?flags)" options.
        self.extra = [0]

    def run(self) -> str:
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char == "\\":
                self.out.append(self._escape())
            elif char == "[":
                self.out.append(self._char_class())
            elif char == "(":
                self._open_group()
            elif char == ")":
                if len(self.extra) == 1:
                    raise RegexpSyntaxError("unmatched close parenthesis")
                self.out.append(")" * self.extra.pop() + ")")
                self.pos += 1
            else:
                self.out.append(char)
                self.pos += 1
        if len(self.extra) > 1:
            raise RegexpSyntaxError("end pattern with unmatched parenthesis")
        self.out.append(")" * self.extra[0])
        return "".join(self.out)

    def _escape(self) -> str:
        src = self.src
        if self.pos + 1 >= len(src):
            raise RegexpSyntaxError("too short escape sequence")
        char = src[self.pos + 1]
        self.pos += 2
        if char in _ASCII_ESCAPES:
            return _ASCII_ESCAPES[char]
        if char == "k" and self.pos < len(src) and src[self.pos] in "<'":
            close = ">" if src[self.pos] == "<" else "'"
            end = src.find(close, self.pos + 1)
            if end < 0:
                raise RegexpSyntaxError("invalid backref name")
            name = src[self.pos + 1 : end]
            self.pos = end + 1
            return f"(?P={name})"
        if char in "pP":
            kind, text = self._property(negated=char == "P")
            if kind == "in":
                return f"[{text}]"
            return text
        if char == "u" and self.pos < len(src) and src[self.pos] == "{":
            return self._unicode_braces()
        if char in "GKXy":
            raise RegexpSyntaxError(f"\\{char} is not supported")
        return "\\" + char

    def _unicode_braces(self) -> str:
        end = self.src.find("}", self.pos)
        if end < 0:
            raise RegexpSyntaxError("invalid Unicode escape")
        codes = self.src[self.pos + 1 : end].split()
        self.pos = end + 1
        try:
            return "".join(re.escape(chr(int(code, 16))) for code in codes)
        except ValueError as exc:
            raise RegexpSyntaxError("invalid Unicode escape") from exc

    def _property(self, negated: bool) -> tuple[str, str]:
        src = self.src
        if self.pos >= len(src) or src[self.pos] != "{":
            raise RegexpSyntaxError("invalid character property name")
        end = src.find("}", self.pos)
        if end < 0:
            raise RegexpSyntaxError("invalid character property name")
        name = src[self.pos + 1 : end]
        self.pos = end + 1
        if name.startswith("^"):
            negated, name = not negated, name[1:]
        posix = _PROPERTIES.get(name.lower().replace("_", ""))
        if posix is None:
            raise RegexpSyntaxError(f"invalid character property name {{{name}}}")
        kind, text = _POSIX[posix]
        if not negated:
            return ("in", text) if kind == "in" else ("alt", text)
        if kind == "in":
            return "alt", f"[^{text}]"
        return "alt", f"(?:(?!{text})[\\s\\S])"

    def _char_class(self) -> str:
        negated, inside, alts = self._class_items()
        if not alts:
            if not inside:
                raise RegexpSyntaxError("empty char-class")
            return f"[{'^' if negated else ''}{inside}]"
        if negated:
            rest = f"[^{inside}]" if inside else "[\\s\\S]"
            return f"(?:(?!{'|'.join(alts)}){rest})"
        options = ([f"[{inside}]"] if inside else []) + alts
        return f"(?:{'|'.join(options)})"

    def _class_items(self) -> tuple[bool, str, list[str]]:
        src = self.src
        self.pos += 1  # "["
        negated = src.startswith("^", self.pos)
        if negated:
            self.pos += 1
        inside: list[str] = []
        alts: list[str] = []
        first = True
        while True:
            if self.pos >= len(src):
                raise RegexpSyntaxError("premature end of char-class")
            char = src[self.pos]
            if char == "]" and not first:
                self.pos += 1
                return negated, "".join(inside), alts
            first = False
            if src.startswith("&&", self.pos):
                raise RegexpSyntaxError("character class intersection (&&) is not supported")
            if src.startswith("[:", self.pos):
                self._posix_bracket(inside, alts)
            elif char == "[":
                nested_negated, nested_inside, nested_alts = self._class_items()
                if nested_negated:
                    raise RegexpSyntaxError("negated nested character classes are not supported")
                inside.append(nested_inside)
                alts.extend(nested_alts)
            elif char == "\\":
                self._class_escape(inside, alts)
            else:
                inside.append("\\" + char if char in _CLASS_SPECIAL - {"-"} else char)
                self.pos += 1

    def _posix_bracket(self, inside: list[str], alts: list[str]) -> None:
        # "[:alpha:]" inside a class.
        src = self.src
        end = src.find(":]", self.pos + 2)
        name = src[self.pos + 2 : end] if end > 0 else ""
        if name.lstrip("^") not in _POSIX:
            raise RegexpSyntaxError(f"invalid POSIX bracket type [:{name}:]")
        if name.startswith("^"):
            raise RegexpSyntaxError(f"negated POSIX bracket [:{name}:] is not supported")
        kind, text = _POSIX[name]
        (inside if kind == "in" else alts).append(text)
        self.pos = end + 2

    def _class_escape(self, inside: list[str], alts: list[str]) -> None:
        # A backslash inside a class: shorthand classes, properties, \u{...}; others kept as they are.
        src = self.src
        if self.pos + 1 >= len(src):
            raise RegexpSyntaxError("premature end of char-class")
        nxt = src[self.pos + 1]
        if nxt in _CLASS_ESCAPES:
            inside.append(_CLASS_ESCAPES[nxt])
            self.pos += 2
            if src.startswith("-", self.pos) and not src.startswith("-]", self.pos):
                # "[\w-x]": after a shorthand class a hyphen is a literal in Ruby.
                inside.append("\\-")
                self.pos += 1
        elif nxt in "pP":
            self.pos += 2
            kind, text = self._property(negated=nxt == "P")
            (inside if kind == "in" else alts).append(text)
        elif nxt == "u" and src.startswith("{", self.pos + 2):
            self.pos += 2
            inside.append(self._unicode_braces())
        else:
            inside.append(src[self.pos : self.pos + 2])
            self.pos += 2

    def _open_group(self) -> None:
        src = self.src
        rest = src[self.pos + 1 :]
        if not rest.startswith("?"):
            self.out.append("(?:" if self.named else "(")
            self.pos += 1
            self.extra.append(0)
            return
        named = re.match(r"\?(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')", rest)
        if named:
            self.out.append(f"(?P<{named.group(1) or named.group(2)}>")
            self.pos += 1 + named.end()
            self.extra.append(0)
            return
        flags = re.match(r"\?([imx]*)(?:-([imx]*))?([:)])", rest)
        if flags and (flags.group(1) or flags.group(2) is not None):
            on = "".join(_FLAG_MAP[f] for f in flags.group(1))
            off = "".join(_FLAG_MAP[f] for f in flags.group(2) or "")
            spec = on + (f"-{off}" if off else "")
            self.pos += 1 + flags.end()
            if flags.group(3) == ":":
                self.out.append(f"(?{spec}:" if spec else "(?:")
                self.extra.append(0)
            else:
                # An isolated option applies to the rest of the enclosing group (Onigmo:
                # /a(?i)b|c/ == /a(?i:b|c)/).
                self.out.append(f"(?{spec}:" if spec else "(?:")
                self.extra[-1] += 1
            return
        if rest.startswith("?#"):
            end = src.find(")", self.pos)
            if end < 0:
                raise RegexpSyntaxError("end pattern in group")
            self.pos = end + 1
            return
        if rest[:2] in ("?:", "?=", "?!", "?>") or rest[:3] in ("?<=", "?<!"):
            width = 3 if rest[:3] in ("?<=", "?<!") else 2
            self.out.append("(" + rest[:width])
            self.pos += 1 + width
            self.extra.append(0)
            return
        raise RegexpSyntaxError("undefined group option")


@lru_cache(maxsize=256)
def ruby_pattern(source: str) -> regex.Pattern:
    """Compile a Ruby regexp source for Python ``re``.

    ``^``/``$`` are line anchors (Ruby); ``\\d \\w \\s \\b`` are ASCII; ``(?<name>…)`` and
    ``\\k<name>``; with named groups, plain groups do not capture (Onigmo); ``(?m)`` is
    Python's DOTALL; isolated ``(?i)`` options apply to the rest of their group; POSIX
    brackets (``[[:punct:]]``) and ``\\p{…}`` are Unicode-aware; ``\\A \\z \\Z \\h \\R``.
    Raises RegexpSyntaxError (or ``regex.error``) for invalid or unsupported syntax.
    """
    return regex.compile(_Translator(source).run(), regex.MULTILINE | regex.VERSION0)


def _compile(pattern: Any, filter_name: str) -> regex.Pattern:
    source = to_s(pattern)
    try:
        return ruby_pattern(source)
    except (RegexpSyntaxError, regex.error) as exc:
        raise HubRenderError(f"{filter_name}: invalid regular expression /{source}/: {exc}") from exc


# A match first runs inline with this much time; a slower one is run again in a thread the render
# waits for until its deadline (regex's own timeout counts CPU time, not wall time, so on a busy
# machine it fires late; the thread, with the GIL released, is abandoned at the wall-clock limit
# and ends by its own timeout).
_INLINE_S = 0.05


def _bounded(call: Callable[[float | None], Any]) -> Any:
    """``call(timeout)`` under the current run's time left; raises the run's time-limit error."""
    meter = current_meter()
    left = meter.seconds_left() if meter is not None else None
    try:
        return call(_INLINE_S if left is None or left > _INLINE_S else left)
    except TimeoutError:
        if left is None or left <= _INLINE_S:
            raise _time_limit_error() from None
    left = meter.seconds_left() if meter is not None else None
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = call(left)
        except BaseException as exc:  # noqa: BLE001  (handed to the waiting render)
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="hub-regex", daemon=True)
    thread.start()
    thread.join(left)
    if thread.is_alive() or isinstance(outcome.get("error"), TimeoutError):
        raise _time_limit_error()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _time_limit_error() -> Exception:
    meter = current_meter()
    return meter.error("time") if meter is not None else HubRenderError("regular expression took too long")


class MatchResult:
    """A Ruby ``MatchData``: prints (and encodes as JSON) as the matched text (§1.7, §1.8).

    Lookups: ``captures`` (array), ``named_captures`` (hash), ``pre_match``, ``post_match``,
    ``size`` (groups + 1), ``[n]`` (group n, 0 = whole match), ``["name"]`` (named group).
    """

    __slots__ = ("_match",)

    def __init__(self, match: regex.Match):
        self._match = match

    def __str__(self) -> str:
        return self._match.group(0)

    def __repr__(self) -> str:
        return f"#<MatchData {self._match.group(0)!r}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MatchResult):
            return self._match.group(0) == other._match.group(0) and self._match.span() == other._match.span()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._match.group(0))

    def __getitem__(self, key: Any) -> Any:
        match = self._match
        if key == "captures":
            return list(match.groups())
        if key == "named_captures":
            return dict(match.groupdict())
        if key == "pre_match":
            return match.string[: match.start()]
        if key == "post_match":
            return match.string[match.end() :]
        if key == "size":
            return len(match.groups()) + 1
        if isinstance(key, int) and not isinstance(key, bool):
            if -len(match.groups()) - 1 <= key <= len(match.groups()):
                return match.group(key % (len(match.groups()) + 1))
            return None
        if isinstance(key, str) and key in match.groupdict():
            return match.group(key)
        raise KeyError(key)

    def to_liquid_json(self) -> str:
        """JSON form: the matched text (§1.7 decision)."""
        return self._match.group(0)


def match(value: Any, pattern: Any = "") -> MatchResult | None:
    """``match`` (§4.3): ``input | match: "ruby regexp"`` → a match object for the first
    match, or nil. An invalid pattern is a render error naming the pattern."""
    compiled, text = _compile(pattern, "match"), to_s(value)
    found = _bounded(lambda timeout: compiled.search(text, timeout=timeout, concurrent=True))
    return MatchResult(found) if found else None


def scan(value: Any, pattern: Any = "") -> list[MatchResult]:
    """``scan`` (§4.3): an array of match objects, one per non-overlapping match (use
    ``map: "captures"`` / ``map: "named_captures"`` on it)."""
    compiled, text = _compile(pattern, "scan"), to_s(value)
    found = _bounded(lambda timeout: list(compiled.finditer(text, timeout=timeout, concurrent=True)))
    return [MatchResult(item) for item in found]


FILTERS = {"match": match, "scan": scan}
