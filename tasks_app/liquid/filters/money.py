"""Money filters: ``currency`` (spec/liquid.md §4.4) and the undocumented-but-used ``money``
and ``money_with_currency`` (§4.9). Symbols, minor units and separators come from CLDR
(babel); the layout is the Ruby money gem's: sign, symbol, grouped digits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision, get_currency_symbol, get_decimal_symbol, get_group_symbol
from liquid.filter import with_context

from ..values import HubRenderError, is_number, to_number, to_s
from .base import settings_of, split_options

_CODE = re.compile(r"[A-Za-z]{3}")
# The docs print French grouping as a plain space (`€100 000,00`); CLDR uses U+202F/U+00A0.
_SPACES = {"\u202f": " ", "\u00a0": " "}


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    for candidate in (name, name.split("-")[0].split("_")[0], "en"):
        try:
            return Locale.parse(candidate.replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale.parse("en")


@lru_cache(maxsize=256)
def currency_symbol(code: str) -> str:
    """The currency's own symbol, independent of the locale (as the Ruby money gem keeps it):
    ``USD``/``CAD``/``AUD`` → ``$``, ``EUR`` → ``€``, ``BRL`` → ``R$``, ``SEK`` → ``kr``;
    the ISO code when CLDR has no symbol."""
    symbol = get_currency_symbol(code, "en")
    # "CA$", "A$", "MX$", "US$": a country prefix from the code itself disambiguates for English
    # readers; the money gem prints the bare sign.
    prefix = re.match(r"([A-Z]{1,2})(\W+)\Z", symbol)
    if prefix and code.startswith(prefix.group(1)):
        return prefix.group(2)
    if symbol == code:
        # "SEK" in English; the currency's home locale knows "kr" (ISO codes start with the
        # country code).
        try:
            home = Locale.parse(f"und_{code[:2]}")
            local = get_currency_symbol(code, home)
        except (UnknownLocaleError, ValueError, TypeError):
            local = symbol
        latin = all(ord(char) < 0x250 or unicodedata.category(char) == "Sc" for char in local)
        if local and local != code and latin and not re.fullmatch(r"[A-Z]{2,3}\W*", local):
            return local
    return symbol


def _precision(code: str) -> int:
    try:
        return int(get_currency_precision(code))
    except (KeyError, ValueError):
        return 2


def _grouped(digits: str, group: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return group.join(parts)


def format_money(amount: Decimal, code: str, locale: str) -> str:
    """``-$1,234.50``: minus sign, symbol, digits grouped by three with the locale's
    separators, the currency's minor-unit decimals (half-even rounding). A symbol ending in a
    letter or dot (``CHF``, ``kr.``) is followed by a space."""
    code = code.upper()
    places = _precision(code)
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    loc = _locale(locale)
    point = get_decimal_symbol(loc)
    group = get_group_symbol(loc)
    point, group = _SPACES.get(point, point), _SPACES.get(group, group)
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    text = _grouped(whole, group) + (point + fraction if places else "")
    symbol = currency_symbol(code)
    if symbol[-1:].isalpha() or symbol.endswith("."):
        symbol += " "
    sign = "-" if rounded < 0 else ""
    return f"{sign}{symbol}{text}"


def _currency_amount(value: Any) -> Decimal:
    if is_number(value):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        try:
            amount = Decimal(to_s(value).strip())
        except InvalidOperation:
            amount = Decimal("NaN")
    if not amount.is_finite():
        raise HubRenderError(f"currency: {to_s(value)!r} is not a number")
    return amount


@with_context
def currency(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> str:
    """``currency`` (§4.4): ``amount | currency[: "EUR"][, locale: "fr"]``.

    The amount is in major units (integer, float or numeric string). Defaults: the shop's
    currency and locale. ``"100000.0" | currency`` → ``$100,000.00``;
    ``100000 | currency: "EUR", locale: "fr"`` → ``€100 000,00``. The ISO code is not
    appended. A non-numeric amount or a malformed ISO code is a render error.
    """
    positional, options = split_options(args, kwargs)
    settings = settings_of(context)
    code = to_s(positional[0]) if positional and positional[0] not in (None, "") else settings.currency
    if not _CODE.fullmatch(code):
        raise HubRenderError(f"currency: {code!r} is not an ISO 4217 currency code")
    locale = to_s(options.get("locale") or settings.locale or "en")
    return format_money(_currency_amount(value), code, locale)


# -- Shopify money formats (§4.9) ---------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _shopify_amount(cents: Decimal, name: str) -> str | None:
    """Shopify's ``{{amount…}}`` placeholders."""
    layouts = {
        "amount": (2, ",", "."),
        "amount_no_decimals": (0, ",", "."),
        "amount_with_comma_separator": (2, ".", ","),
        "amount_no_decimals_with_comma_separator": (0, ".", ","),
        "amount_with_apostrophe_separator": (2, "'", "."),
        "amount_no_decimals_with_space_separator": (0, " ", ","),
        "amount_with_space_separator": (2, " ", ","),
        "amount_with_period_and_space_separator": (2, " ", "."),
    }
    if name not in layouts:
        return None
    places, group, point = layouts[name]
    major = (cents / 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{abs(major):f}".partition(".")
    return ("-" if major < 0 else "") + _grouped(whole, group) + (point + fraction if places else "")


def _shop_format(context: Any, key: str) -> str | None:
    shop = context.get(["shop"], token=None, default=None) if context is not None else None
    if isinstance(shop, Mapping):
        found = shop.get(key)
    else:
        try:
            found = shop[key] if shop is not None else None
        except (KeyError, IndexError, TypeError):
            found = None
    return found if isinstance(found, str) and found else None


def _money(value: Any, context: Any, with_currency: bool) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    number = to_number(value)
    cents = number if isinstance(number, Decimal) else Decimal(number)
    settings = settings_of(context)
    template = _shop_format(context, "money_with_currency_format" if with_currency else "money_format")
    if template is None:
        text = format_money(cents / 100, settings.currency, settings.locale)
        return f"{text} {settings.currency.upper()}" if with_currency else text

    def fill(match: re.Match) -> str:
        amount = _shopify_amount(cents, match.group(1))
        return match.group(0) if amount is None else amount

    return _PLACEHOLDER.sub(fill, template)


@with_context
def money(value: Any, context: Any = None) -> str:
    """``money`` (§4.9 decision): an amount in minor units (cents) formatted with the shop's
    ``money_format`` (``${{amount}}``); without one, as ``currency`` in the shop currency.

    Numbers and numeric strings follow §4.1 coercion; nil and ``""`` give ``""`` (the library
    applies it to REST fields that are empty in previews).
    """
    return _money(value, context, with_currency=False)


@with_context
def money_with_currency(value: Any, context: Any = None) -> str:
    """``money_with_currency`` (§4.9 decision): as ``money`` with the shop's
    ``money_with_currency_format`` (``${{amount}} USD``); without one, ``currency`` text
    followed by the ISO code. nil and ``""`` give ``""``."""
    return _money(value, context, with_currency=True)


FILTERS = {"currency": currency, "money": money, "money_with_currency": money_with_currency}
