"""Math filters with Ruby Liquid coercion (spec/liquid.md §4.4, §4.1)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ "10" | plus: 0 }}|{{ "10.50" | plus: 0 }}|{{ 0.1 | plus: 0.2 }}', "10|10.5|0.3"),
        (
            '{{ "12abc" | plus: 1 }}|{{ "abc" | plus: 1 }}|{{ "1e3" | plus: 0 }}|{{ nil | plus: 1 }}',
            "13|1|1|1",
        ),
        ("{{ 5 | minus: 7 }}|{{ 5.5 | minus: 0.5 }}|{{ true | minus: 1 }}", "-2|5.0|-1"),
        ('{{ "3.10" | times: 1 }}|{{ 3 | times: 1.0 }}|{{ 1.1 | times: 3 }}', "3.1|3.0|3.3"),
        ("{{ 7 | divided_by: 2 }}|{{ -7 | divided_by: 2 }}|{{ 7 | divided_by: 2.0 }}", "3|-4|3.5"),
        ("{{ 7 | modulo: 3 }}|{{ -7 | modulo: 3 }}|{{ 7 | modulo: -3 }}|{{ 7.5 | modulo: 2 }}", "1|2|-2|1.5"),
        ('{{ -3 | abs }}|{{ "-2.5" | abs }}|{{ nil | abs }}', "3|2.5|0"),
        (
            "{{ 2.5 | round }}|{{ -2.5 | round }}|{{ 1.005 | round: 2 }}|{{ 1234 | round: -2 }}",
            "3|-3|1.01|1200",
        ),
        ('{{ "x" | round }}|{{ 2 | round: 2 }}|{{ 1.5 | round: "1" }}', "0|2|1.5"),
        ('{{ 1.2 | ceil }}|{{ -1.2 | ceil }}|{{ "3.1" | floor }}|{{ -1.2 | floor }}', "2|-1|3|-2"),
        (
            "{{ 4 | at_least: 5 }}|{{ 4 | at_least: 3 }}|{{ 4 | at_most: 3.5 }}|{{ 4 | at_most: 5 }}",
            "5|4|3.5|4",
        ),
    ],
)
def test_math_filter(source, expected):
    assert text(source) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ 1 | divided_by: 0 }}", "divided_by: divided by 0"),
        ("{{ 1.5 | divided_by: 0.0 }}", "divided_by: divided by 0"),
        ('{{ 1 | divided_by: "x" }}', "divided_by: divided by 0"),
        ("{{ 1 | modulo: 0 }}", "modulo: divided by 0"),
        (
            "{% assign a = 9 %}{% for i in (1..100) %}{% assign a = a | times: a %}{% endfor %}",
            "times: result too large (more than 10,000 digits)",
        ),
        (
            "{% assign a = 9 %}{% for i in (1..14) %}{% assign a = a | times: a | minus: 1 %}{% endfor %}",
            "times: result too large (more than 10,000 digits)",
        ),
        ("{{ '" + "9" * 5000 + "' | plus: 1 }}", "plus: number too large (more than 4300 digits)"),
    ],
)
def test_math_filter_errors(source, message):
    with pytest.raises(LiquidError) as info:
        text(source)
    assert info.value.message.split("): ", 1)[1] == message


def test_integers_up_to_the_result_bound_still_compute():
    # 9^(2^13) has 7,844 digits: computed (and compared), though too long to print.
    source = "{% assign a = 9 %}{% for i in (1..13) %}{% assign a = a | times: a %}{% endfor %}"
    assert text(source + "{% if a > 1 %}big{% endif %}") == "big"
