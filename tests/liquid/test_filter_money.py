"""``currency`` (spec/liquid.md §4.4) and ``money``/``money_with_currency`` (§4.9)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import text


@pytest.mark.parametrize(
    ("source", "currency", "locale", "expected"),
    [
        ('{{ "100000.0" | currency }}', "USD", "en", "$100,000.00"),
        ('{{ 100000.0 | currency: "EUR" }}', "USD", "en", "€100,000.00"),
        ('{{ 100000 | currency: "EUR", locale: "fr" }}', "USD", "en", "€100 000,00"),
        ('{{ 100000 | currency: locale: "fr" }}', "USD", "en", "$100 000,00"),
        ("{{ 1234.5 | currency }}", "EUR", "de", "€1.234,50"),
        ("{{ 1234.5 | currency }}", "CAD", "en-CA", "$1,234.50"),
        ('{{ 1234.5 | currency: "JPY" }}|{{ 1.2345 | currency: "KWD" }}', "USD", "en", "¥1,234|KWD 1.234"),
        (
            '{{ 0.125 | currency }}|{{ 0.135 | currency }}|{{ "2.675" | currency }}',
            "USD",
            "en",
            "$0.12|$0.14|$2.68",
        ),
        (
            '{{ -5 | currency }}|{{ 0 | currency }}|{{ "-0.001" | currency }}',
            "USD",
            "en",
            "-$5.00|$0.00|$0.00",
        ),
        (
            '{{ 9.99 | currency: "GBP" }}|{{ 9.99 | currency: "CHF" }}|{{ 9.99 | currency: "SEK" }}',
            "USD",
            "en",
            "£9.99|CHF 9.99|kr 9.99",
        ),
        ('{{ 9.99 | currency: "brl" }}|{{ 9.99 | currency: "XYZ" }}', "USD", "en", "R$9.99|XYZ 9.99"),
        ('{{ 1000 | currency: "USD", locale: "xx" }}', "USD", "en", "$1,000.00"),
        ("{{ 1234 | money }}|{{ 1234 | money_with_currency }}", "USD", "en", "$12.34|$12.34 USD"),
        ('{{ "10.00" | times: 100 | money_with_currency }}', "EUR", "fr", "€10,00 EUR"),
        ("[{{ nil | money }}][{{ '' | money_with_currency }}]", "USD", "en", "[][]"),
        ("{{ 'abc' | money }}", "USD", "en", "$0.00"),
    ],
)
def test_money_filter(source, currency, locale, expected):
    assert text(source, currency=currency, locale=locale) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("${{amount}}", "$1,234,567.89"),
        ("{{ amount_no_decimals }} kr", "1,234,568 kr"),
        ("{{amount_with_comma_separator}} €", "1.234.567,89 €"),
        ("{{amount_no_decimals_with_comma_separator}}", "1.234.568"),
        ("{{amount_with_apostrophe_separator}} CHF", "1'234'567.89 CHF"),
        ("{{amount_no_decimals_with_space_separator}}", "1 234 568"),
        ("{{amount_with_space_separator}}", "1 234 567,89"),
        ("{{amount_with_period_and_space_separator}}", "1 234 567.89"),
        ("<span>{{amount}} {{unknown}}</span>", "<span>1,234,567.89 {{unknown}}</span>"),
    ],
)
def test_money_uses_the_shop_formats(fmt, expected):
    shop = {"money_format": fmt, "money_with_currency_format": fmt + " X"}
    assert text("{{ 123456789 | money }}|{{ 123456789 | money_with_currency }}", {"shop": shop}) == (
        f"{expected}|{expected} X"
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{{ "abc" | currency }}', "currency: 'abc' is not a number"),
        ("{{ nil | currency }}", "currency: '' is not a number"),
        ('{{ 1 | currency: "EURO" }}', "currency: 'EURO' is not an ISO 4217 currency code"),
    ],
)
def test_currency_errors(source, message):
    with pytest.raises(LiquidError) as info:
        text(source)
    assert info.value.message.split("): ", 1)[1] == message
