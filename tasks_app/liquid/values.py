"""How Mechanic Liquid sees values: printing (§1.8), JSON (§1.7), blank/empty (§3.4),
equality and ordering (§2.9) and number coercion (§4.1) of spec/liquid.md."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, DecimalException, InvalidOperation
from typing import Any

from liquid.exceptions import LiquidError


class HubRenderError(LiquidError):
    """A render-time failure raised by Hub's tags and filters (spec §1.6 item 2)."""

    def __init__(self, message: str, token=None):
        super().__init__(message, token=token)


class _Keyword:
    """The value of the ``blank`` and ``empty`` literals: prints nothing, compares specially."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return ""


BLANK = _Keyword("blank")
EMPTY = _Keyword("empty")

_RUBY_SPACE = re.compile(r"\A[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\Z")


def is_blank(value: Any) -> bool:
    """ActiveSupport ``blank?``: nil, false, whitespace-only strings, empty arrays and hashes (§3.4)."""
    if value is None or value is False or value is BLANK or value is EMPTY:
        return True
    if isinstance(value, str):
        return bool(_RUBY_SPACE.match(value))
    if isinstance(value, (list, tuple, dict)):
        return not value
    return False


def is_empty(value: Any) -> bool:
    """``== empty``: "", [] and {} (nil is not empty; §3.4)."""
    if value is EMPTY:
        return True
    return isinstance(value, (str, list, tuple, dict)) and not value


def is_truthy(value: Any) -> bool:
    """Only nil and false are falsy (§2.9)."""
    return not (value is None or value is False)


def is_number(value: Any) -> bool:
    """True for integers, floats and decimals, never for booleans."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def liquid_eq(left: Any, right: Any) -> bool:
    """Ruby ``==`` as Liquid uses it, with Rails ``blank`` and Liquid ``empty`` (§2.9, §3.4)."""
    kind = type(left)
    if kind is type(right) and (kind is str or kind is int):
        return left == right
    if left is BLANK or right is BLANK:
        other = right if left is BLANK else left
        return is_blank(other)
    if left is EMPTY or right is EMPTY:
        other = right if left is EMPTY else left
        return is_empty(other)
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(liquid_eq(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(liquid_eq(left[k], right[k]) for k in left)
    try:
        return bool(left == right)
    except (TypeError, ValueError, ArithmeticError):  # an == that raises (Decimal sNaN...) is unequal
        return False


def ruby_class(value: Any) -> str:
    """The Ruby class name a value would have, for error messages."""
    if value is None:
        return "NilClass"
    if value is True:
        return "TrueClass"
    if value is False:
        return "FalseClass"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, (float, Decimal)):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, (list, tuple)):
        return "Array"
    if isinstance(value, dict):
        return "Hash"
    return type(value).__name__


def _ruby_operand(value: Any) -> str:
    # Ruby names special constants and numbers by value, everything else by class.
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return ruby_inspect(value)
    return ruby_class(value)


_ORDERING = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def compare(op: str, left: Any, right: Any) -> bool:
    """Evaluate ``==``, ``!=``, ``<>``, ``<``, ``>``, ``<=``, ``>=`` and ``contains`` (§2.9).

    Ordering is false when either side is nil or a hash; a number against a string (or any
    other pair Ruby cannot order) raises HubRenderError with Ruby's message.
    """
    if op == "==":
        return liquid_eq(left, right)
    if op in ("!=", "<>"):
        return not liquid_eq(left, right)
    if op == "contains":
        return contains(left, right)
    comparable_left = is_number(left) or isinstance(left, str)
    comparable_right = is_number(right) or isinstance(right, str)
    if not (comparable_left and comparable_right):
        # Ruby Liquid only orders values that respond to `<`; anything else is false.
        return False
    if (is_number(left) and is_number(right)) or (isinstance(left, str) and isinstance(right, str)):
        return _ORDERING[op](left, right)
    raise HubRenderError(f"comparison of {ruby_class(left)} with {_ruby_operand(right)} failed")


def contains(left: Any, right: Any) -> bool:
    """``contains``: substring, array element (no coercion) or hash key; false for nil (§2.9)."""
    if left is None or right is None or right is False:
        return False
    if isinstance(left, str):
        return to_s(right) in left
    if isinstance(left, dict):
        return isinstance(right, str) and right in left
    if isinstance(left, (list, tuple)):
        return any(liquid_eq(item, right) for item in left)
    if isinstance(left, range):
        return is_number(right) and right in left
    return False


# -- printing ---------------------------------------------------------------------------


def format_float(value: float) -> str:
    """Ruby-like float text: always a fraction part; Python ``repr`` for exponent forms (§1.8)."""
    if value != value or value in (float("inf"), float("-inf")):
        return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[repr(value)]
    text = repr(value)
    return text


def to_s(value: Any) -> str:
    """Ruby ``to_s`` of a Liquid value, which is also what ``{{ }}`` prints (§1.8)."""
    kind = type(value)
    if kind is str:
        return value
    if value is None or value is BLANK or value is EMPTY:
        return ""
    if kind is int:
        try:
            return str(value)
        except ValueError:
            raise HubRenderError(f"integer too large to print ({int_too_long()})") from None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is float:
        return format_float(value)
    return _other_to_s(value)


def text_of(value: Any) -> str:
    """Ruby ``to_s`` as the string filters call it on their input and arguments: as ``to_s``, except
    that an array or a hash gives its inspect form (``["a", "b"]``), not the joined text that
    ``{{ }}`` prints (spec/liquid.md §1.8; ``{{ arr | upcase }}`` is ``["A", "B"]`` in Ruby)."""
    if type(value) is str:
        return value
    if isinstance(value, (list, tuple, dict)):
        return ruby_inspect(value)
    return to_s(value)


def _other_to_s(value: Any) -> str:
    # to_s past its common cases: subclasses, decimals, containers, dates, bytes, objects.
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return to_s(int(value))
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, Decimal):
        return format_float(float(value))
    if isinstance(value, (list, tuple)):
        return "".join(to_s(item) for item in value)
    if isinstance(value, dict):
        return ruby_inspect(value)
    if isinstance(value, range):
        return f"{value.start}..{value.stop - 1}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def ruby_inspect(value: Any) -> str:
    """Ruby ≥ 3.4 ``inspect``: ``{"k" => v}``, ``["a", 1]``, ``nil`` (§1.8 decision)."""
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(ruby_inspect(item) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{" + ", ".join(f"{ruby_inspect(k)} => {ruby_inspect(v)}" for k, v in value.items()) + "}"
    return to_s(value)


# -- JSON -------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, range):
        return f"{value.start}..{value.stop - 1}"
    if value is BLANK or value is EMPTY:
        return ""
    if isinstance(value, bytes):
        raise HubRenderError("cannot encode a binary (non UTF-8) string as JSON")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "to_liquid_json"):
        return value.to_liquid_json()
    if isinstance(value, Mapping):
        return dict(value)
    return to_s(value)


def to_json(value: Any) -> str:
    """Compact JSON with non-ASCII kept and no HTML escaping (§1.7).

    Raises HubRenderError for NaN/Infinity and binary strings.
    """
    try:
        text = json.dumps(
            value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json_default
        )
    except ValueError as exc:
        if is_int_text_limit(exc):
            raise HubRenderError(
                f"cannot encode value as JSON: integer too large ({int_too_long()})"
            ) from None
        raise HubRenderError(f"cannot encode value as JSON: {exc}") from exc
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise HubRenderError("cannot encode a string that is not valid UTF-8 as JSON") from exc
    return text


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def parse_json_text(text: str) -> Any:
    """Strict JSON parsing (no NaN/Infinity). Raises ValueError on invalid input."""
    return json.loads(text, parse_constant=_reject_constant)


# -- numbers ----------------------------------------------------------------------------


def int_too_long() -> str:
    """``more than 4300 digits``: Python's limit on integer text, which Hub keeps (printing
    or parsing a longer integer takes time quadratic in its length)."""
    return f"more than {sys.get_int_max_str_digits()} digits"


def is_int_text_limit(exc: BaseException) -> bool:
    """True for Python's ValueError for integer text over ``sys.get_int_max_str_digits()``."""
    return isinstance(exc, ValueError) and "integer string conversion" in str(exc)


def error_text(exc: Exception) -> str:
    """What an unexpected failure inside a filter or tag says to the user: its message, or,
    where that message is about Python rather than the value, what went wrong."""
    if isinstance(exc, DecimalException):
        return "number out of range"  # decimal's message is a list of signal classes
    if is_int_text_limit(exc):
        return f"integer too large ({int_too_long()})"
    return str(exc) or "failed"


_DECIMAL_STRING = re.compile(r"-?\d+\.\d+")
_LEADING_INT = re.compile(r"\s*([+-]?\d[\d_]*)")


def to_number(value: Any) -> int | Decimal:
    """Ruby Liquid ``Utils.to_number`` (§4.1): ints stay ints, floats and decimal strings
    become decimals of their shortest text, other strings their leading integer, else 0."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        if _DECIMAL_STRING.fullmatch(stripped):
            return Decimal(stripped)
        match = _LEADING_INT.match(value)
        if match:
            try:
                return int(match.group(1).replace("_", ""))
            except ValueError:
                # A plain ValueError: the filter reading the number prefixes its name.
                raise ValueError(f"number too large ({int_too_long()})") from None
        return 0
    return 0


def from_number(value: int | Decimal | float) -> int | float:
    """Decimals go back to floats, integers stay integers (§4.1)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_integer(value: Any, message: str = "invalid integer") -> int:
    """Ruby ``Utils.to_integer``: integers and integer strings; anything else is an error."""
    if isinstance(value, bool):
        raise HubRenderError(message)
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise HubRenderError(message)
