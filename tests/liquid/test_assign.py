"""``assign`` with subscript targets and by-value semantics (spec/liquid.md §2.6)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import text


def test_array_grows_by_subscript_assignment():
    source = (
        '{% assign x = array %}{% assign x[0] = "one" %}{% assign x[x.size] = "two" %}'
        '{% assign i = 2 %}{% assign x[i] = "three" %}{{ x | json }}'
    )
    assert text(source) == '["one","two","three"]'


def test_hash_keys_and_chained_subscripts():
    source = '{% assign o = hash %}{% assign o[ip] = hash %}{% assign o[ip]["n"] = 3 %}{{ o | json }}'
    assert text(source, {"ip": "1.2.3.4"}) == '{"1.2.3.4":{"n":3}}'


def test_assignment_is_by_value():
    source = "{% assign a = array %}{% assign b = a %}{% assign b[0] = 9 %}{{ a | json }}|{{ b | json }}"
    assert text(source) == "[]|[9]"


def test_a_stored_container_does_not_follow_later_changes():
    source = (
        '{% assign y = hash %}{% assign x = hash %}{% assign x["k"] = y %}'
        '{% assign y["z"] = 1 %}{{ x | json }}|{{ y | json }}'
    )
    assert text(source) == '{"k":{}}|{"z":1}'


def test_input_variables_are_never_changed():
    order = {"tags": ["a"]}
    assert text('{% assign order["tags"][1] = "b" %}{{ order.tags | join: "," }}', {"order": order}) == "a,b"
    assert order == {"tags": ["a"]}


def test_padding_negative_index_and_integer_hash_keys():
    assert (
        text("{% assign x = array %}{% assign x[2] = 1 %}{% assign x[-1] = 2 %}{{ x | json }}")
        == "[null,null,2]"
    )
    assert text("{% assign h = hash %}{% assign h[5] = 1 %}{{ h | json }}") == '{"5":1}'


def test_empty_array_takes_a_string_key_as_a_hash():
    assert text('{% assign x = array %}{% assign x["foo"] = "bar" %}{{ x.foo }}') == "bar"


def test_multi_line_assign_with_filters():
    source = '{% assign v = array %}{% assign v[v.size]\n = "a"\n | append: "b"\n%}{{ v | json }}'
    assert text(source) == '["ab"]'


def test_reserved_words_are_names():
    source = (
        "{% assign limit = 2 %}{% assign offset = 1 %}"
        "{% for i in (1..5) limit:limit offset:offset %}{{ i }}{% endfor %}"
        '|{{ null }}|{% assign null = "x" %}{{ null }}'
    )
    assert text(source) == "23||x"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "{% assign x[0] = 2 %}",
            "Liquid error (line 1, column 4): cannot assign to x[0]: not an array or hash (nil)",
        ),
        (
            "{% assign x = array %}{% assign x[-1] = 2 %}",
            "Liquid error (line 1, column 26): cannot assign to x[-1]: index -1 out of range",
        ),
        (
            "{% assign a.b = 1 %}",
            "Liquid error (line 1, column 12): assign targets take [subscripts], not dots",
        ),
        (
            "{% assign hash = 1 %}",
            "Liquid error (line 1, column 11): cannot assign to the keyword literal 'hash'",
        ),
    ],
)
def test_assign_errors(source, message):
    with pytest.raises(LiquidError) as info:
        text(source)
    assert info.value.message == message
