"""Printing (§1.8), keyword literals (§3), blank/empty (§3.4) and comparisons (§2.9)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import text


def test_printing_rules():
    source = "[{{ nil }}]{{ true }}|{{ 1.0 }}|{{ 2.5 }}|{{ a }}|{{ h }}"
    variables = {"a": [[1, 2], [3]], "h": {"k": "v", "n": None, "x": 1.5}}
    assert text(source, variables) == '[]true|1.0|2.5|123|{"k" => "v", "n" => nil, "x" => 1.5}'


def test_first_and_last_of_a_hash_are_pairs():
    assert text(
        "{{ h | first | json }}|{{ h.first | json }}|{{ h | last | json }}", {"h": {"a": 1, "b": 2}}
    ) == ('["a",1]|["a",1]|["b",2]')


def test_keyword_literals():
    assert text("{{ array | json }}{{ hash | json }}{{ newline | json }}{{ x | default: array | json }}") == (
        '[]{}"\\n"[]'
    )


@pytest.mark.parametrize(
    ("value", "blank", "empty"),
    [
        (None, True, False),
        (False, True, False),
        ("", True, True),
        ("  ", True, False),
        ([], True, True),
        ({}, True, True),
        (0, False, False),
        ("a", False, False),
        ([1], False, False),
        (True, False, False),
    ],
)
def test_blank_and_empty(value, blank, empty):
    source = "{% if v == blank %}b{% endif %}{% if blank == v %}b{% endif %}{% if v == empty %}e{% endif %}"
    assert text(source, {"v": value}) == ("bb" if blank else "") + ("e" if empty else "")


def test_ordering_a_hash_or_nil_is_false():
    assert (
        text("{% if h > 0 %}y{% else %}n{% endif %}{% if x < 1 %}y{% else %}n{% endif %}", {"h": {"a": 1}})
        == "nn"
    )


def test_ordering_a_string_against_a_number_is_an_error():
    with pytest.raises(LiquidError) as info:
        text('{% if "1" > 0 %}y{% endif %}')
    assert info.value.message == "Liquid error (line 1, column 11): comparison of String with 0 failed"


def test_contains_does_not_coerce():
    assert text(
        "{% if a contains 1 %}y{% else %}n{% endif %}{% if s contains 1 %}y{% endif %}",
        {"a": ["1"], "s": "a1"},
    ) == ("ny")


def test_python_liquid_defaults_are_fixed():
    source = (
        '{{ "a,b,," | split: "," | size }}|{{ 2.5 | round }}|{{ -2.5 | round }}|{{ 1.005 | round: 2 }}'
        '|{{ "12abc" | plus: 1 }}|{{ a | slice: 0 | json }}|{{ a | slice: 0, 2 | json }}'
        "|{{ 0.1 | plus: 0.2 }}"
    )
    assert text(source, {"a": [1, 2, 3]}) == "2|3|-3|1.01|13|1|[1,2]|0.3"
