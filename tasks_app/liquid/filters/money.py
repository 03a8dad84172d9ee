"""Money filters: ``currency`` (spec/liquid.md §4.4) and the undocumented-but-used ``money``,
``money_with_currency`` (§4.9). A small built-in table covers symbols, minor units and the
grouping rules of the locales the library uses."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from liquid.filter import with_context

from ..values import HubRenderError, is_number, to_s
from .base import settings_of, split_options

_SYMBOLS = {
    "USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "SGD": "$", "HKD": "$", "MXN": "$",
    "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩", "CHF": "CHF ",
    "SEK": "kr ", "NOK": "kr ", "DKK": "kr ", "PLN": "zł ", "BRL": "R$", "ZAR": "R",
}  # fmt: skip
_ZERO_DECIMAL = frozenset(["JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD", "UGX"])
# (group separator, decimal separator) per language.
_SEPARATORS = {
    "en": (",", "."),
    "fr": ("\u202f", ","),
    "de": (".", ","),
    "es": (".", ","),
    "it": (".", ","),
    "nl": (".", ","),
    "pt": (".", ","),
    "sv": ("\u00a0", ","),
    "da": (".", ","),
    "nb": ("\u00a0", ","),
    "pl": ("\u00a0", ","),
    "ja": (",", "."),
}


def _amount(value: Any) -> Decimal:
    if is_number(value):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    try:
        return Decimal(to_s(value).strip())
    except InvalidOperation as exc:
        raise HubRenderError(f"currency: {to_s(value)!r} is not a number") from exc


def format_money(amount: Decimal, code: str, locale: str) -> str:
    """``$1,234.50``: symbol first, grouped digits, the currency's minor-unit decimals."""
    code = code.upper()
    places = 0 if code in _ZERO_DECIMAL else 2
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    group, point = _SEPARATORS.get(locale.split("-")[0].lower(), _SEPARATORS["en"])
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    digits = f"{int(whole):,}".replace(",", group)
    text = digits + (point + fraction if places else "")
    return f"{sign}{_SYMBOLS.get(code, code + ' ')}{text}"


@with_context
def currency(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> str:
    """``currency`` (§4.4): major-unit amount as money in the shop's (or given) currency and locale."""
    positional, options = split_options(args, kwargs)
    settings = settings_of(context)
    code = to_s(positional[0]) if positional and positional[0] is not None else settings.currency
    locale = to_s(options.get("locale") or settings.locale)
    return format_money(_amount(value), code, locale)


@with_context
def money(value: Any, context: Any = None) -> str:
    """``money`` (§4.9 decision): an amount in minor units (cents), formatted in the shop currency."""
    settings = settings_of(context)
    return format_money(_amount(value) / 100, settings.currency, settings.locale)


@with_context
def money_with_currency(value: Any, context: Any = None) -> str:
    """``money_with_currency`` (§4.9 decision): as ``money``, followed by the ISO code."""
    settings = settings_of(context)
    amount = format_money(_amount(value) / 100, settings.currency, settings.locale)
    return f"{amount} {settings.currency.upper()}"


FILTERS = {"currency": currency, "money": money, "money_with_currency": money_with_currency}
