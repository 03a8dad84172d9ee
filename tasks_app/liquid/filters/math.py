"""Math filters with Ruby Liquid coercion and decimal arithmetic (spec/liquid.md §4.4, §4.1)."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation
from typing import Any

from ..values import HubRenderError, from_number, to_number


def _operands(left: Any, right: Any) -> tuple[int | Decimal, int | Decimal]:
    if type(left) is int and type(right) is int:
        return left, right
    a, b = to_number(left), to_number(right)
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(a), Decimal(b)
    return a, b


MAX_RESULT_DIGITS = 10_000
# Integers are unbounded: a squaring loop would spend the run's time limit inside a single
# multiplication. Results are checked by bit length, ~3.32 bits per decimal digit.
_MAX_RESULT_BITS = int(MAX_RESULT_DIGITS * math.log2(10))


def _bounded(result: int | Decimal, filter_name: str) -> int | float:
    if type(result) is int:
        if result.bit_length() > _MAX_RESULT_BITS:
            raise HubRenderError(f"{filter_name}: result too large (more than {MAX_RESULT_DIGITS:,} digits)")
        return result
    return from_number(result)


def plus(value: Any, operand: Any = None) -> int | float:
    """``plus`` (§4.4)."""
    a, b = _operands(value, operand)
    return _bounded(a + b, "plus")


def minus(value: Any, operand: Any = None) -> int | float:
    """``minus`` (§4.4)."""
    a, b = _operands(value, operand)
    return _bounded(a - b, "minus")


def times(value: Any, operand: Any = None) -> int | float:
    """``times`` (§4.4): ``| times: 1`` casts numeric strings; an integer result of more than
    ``MAX_RESULT_DIGITS`` digits is a render error."""
    a, b = _operands(value, operand)
    return _bounded(a * b, "times")


def divided_by(value: Any, operand: Any = None) -> int | float:
    """``divided_by`` (§4.4): integers divide with floor; division by zero is an error."""
    a, b = _operands(value, operand)
    if b == 0:
        raise HubRenderError("divided_by: divided by 0")
    if isinstance(a, int) and isinstance(b, int):
        return a // b
    try:
        return from_number(a / b)
    except (DivisionByZero, InvalidOperation) as exc:
        raise HubRenderError("divided_by: divided by 0") from exc


def modulo(value: Any, operand: Any = None) -> int | float:
    """``modulo`` (§4.4): floored, the result takes the divisor's sign."""
    a, b = _operands(value, operand)
    if b == 0:
        raise HubRenderError("modulo: divided by 0")
    if isinstance(a, int) and isinstance(b, int):
        return a % b
    return from_number(a - b * (a / b).to_integral_value(rounding=ROUND_FLOOR))


def abs_(value: Any) -> int | float:
    """``abs`` (§4.4)."""
    return from_number(abs(to_number(value)))


def round_(value: Any, digits: Any = 0) -> int | float:
    """``round`` (§4.4): half away from zero on the decimal value; 0 digits gives an integer."""
    number = to_number(value)
    places = to_number(digits)
    places = int(places)
    if isinstance(number, int):
        if places >= 0:
            return number
        number = Decimal(number)
    try:
        rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return from_number(number)
    if places <= 0:
        return int(rounded)
    return float(rounded)


def ceil(value: Any) -> int:
    """``ceil`` (§4.4)."""
    number = to_number(value)
    if isinstance(number, int):
        return number
    return int(number.to_integral_value(rounding=ROUND_CEILING)) if number.is_finite() else math.inf


def floor(value: Any) -> int:
    """``floor`` (§4.4)."""
    number = to_number(value)
    if isinstance(number, int):
        return number
    return int(number.to_integral_value(rounding=ROUND_FLOOR)) if number.is_finite() else -math.inf


def at_least(value: Any, operand: Any = None) -> int | float:
    """``at_least`` (§4.4): the larger of input and argument."""
    a, b = to_number(value), to_number(operand)
    return from_number(a if a >= b else b)


def at_most(value: Any, operand: Any = None) -> int | float:
    """``at_most`` (§4.4): the smaller of input and argument."""
    a, b = to_number(value), to_number(operand)
    return from_number(a if a <= b else b)


FILTERS = {
    "plus": plus,
    "minus": minus,
    "times": times,
    "divided_by": divided_by,
    "modulo": modulo,
    "abs": abs_,
    "round": round_,
    "ceil": ceil,
    "floor": floor,
    "at_least": at_least,
    "at_most": at_most,
}
