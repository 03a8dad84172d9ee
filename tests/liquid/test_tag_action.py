"""``action`` in every form (spec/liquid.md §2.2)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import script


def test_untyped_block_reads_type_options_and_meta_from_the_body():
    source = '{% action %}{"type":"cache","options":["set","k",1],"meta":{"m":1}}{% endaction %}'
    assert script(source) == [{"action": {"type": "cache", "options": ["set", "k", 1], "meta": {"m": 1}}}]


def test_typed_block_parses_a_json_body_as_options():
    source = '{% action "email" %}{"to": {{ to | json }}}{% endaction %}'
    assert script(source, {"to": "a@example.com"}) == [
        {"action": {"type": "email", "options": {"to": "a@example.com"}}}
    ]


def test_shopify_block_with_graphql_keeps_the_stripped_text():
    source = (
        '{% action "shopify" %}\n  mutation { tagsAdd(id: "x", tags: ["a"]) { node { id } } }\n'
        "{% endaction %}"
    )
    assert script(source) == [
        {
            "action": {
                "type": "shopify",
                "options": 'mutation { tagsAdd(id: "x", tags: ["a"]) { node { id } } }',
            }
        }
    ]


def test_one_positional_argument_is_the_options_with_or_without_comma():
    assert script('{% action "echo", x %}{% action "echo" x %}', {"x": 5}) == [
        {"action": {"type": "echo", "options": 5}},
        {"action": {"type": "echo", "options": 5}},
    ]


def test_several_positionals_make_an_array():
    assert script('{% action "cache", "set", key, value %}', {"key": "k", "value": True}) == [
        {"action": {"type": "cache", "options": ["set", "k", True]}}
    ]


def test_two_positionals_starting_with_a_hash_are_options_and_meta():
    assert script('{% action "http", opts, m %}', {"opts": {"method": "get"}, "m": {"n": 1}}) == [
        {"action": {"type": "http", "options": {"method": "get"}, "meta": {"n": 1}}}
    ]


def test_keywords_form_the_options_hash_in_argument_order():
    assert script('{% action "echo", b: 1, a: x %}', {"x": "y"}) == [
        {"action": {"type": "echo", "options": {"b": 1, "a": "y"}}}
    ]


def test_options_and_meta_keywords():
    assert script('{% action "http", options: opts, meta: m %}', {"opts": {"a": 1}, "m": "mm"}) == [
        {"action": {"type": "http", "options": {"a": 1}, "meta": "mm"}}
    ]


def test_multi_line_mapped_arguments_without_comma_after_type():
    source = '{% action "shopify"\n  query: q,\n  variables: v\n%}'
    assert script(source, {"q": "query { shop { id } }", "v": {"a": 1}}) == [
        {"action": {"type": "shopify", "options": {"query": "query { shop { id } }", "variables": {"a": 1}}}}
    ]


def test_control_parameters_on_a_block_opener():
    source = '{% action "email", __perform_event: false %}{"to":"a"}{% endaction %}'
    assert script(source) == [{"action": {"type": "email", "options": {"to": "a"}, "__perform_event": False}}]


def test_meta_control_parameter_on_an_inline_action_wins():
    source = '{% action "cache", "set", "k", "v", __meta: m, __perform_event: false %}'
    assert script(source, {"m": {"x": 1}}) == [
        {
            "action": {
                "type": "cache",
                "options": ["set", "k", "v"],
                "meta": {"x": 1},
                "__perform_event": False,
            }
        }
    ]


def test_other_double_underscore_keys_are_options():
    assert script('{% action "echo", __error: "boom" %}') == [
        {"action": {"type": "echo", "options": {"__error": "boom"}}}
    ]


def test_action_in_a_liquid_tag_takes_its_body_from_echo():
    source = '{% liquid\n  action "email"\n    echo \'{"to": "hello@example.com"}\'\n  endaction\n%}'
    assert script(source) == [{"action": {"type": "email", "options": {"to": "hello@example.com"}}}]


def test_a_captured_action_is_a_result_only_where_printed():
    source = '{% capture a %}{% action "echo", 1 %}{% endcapture %}{{ a }}{{ a }}'
    assert script(source) == [{"action": {"type": "echo", "options": 1}}] * 2


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{% action "email" %}{% endaction %}', "Liquid error (line 1, column 4): empty action body"),
        (
            '{% action "x", 1, b: 2 %}',
            "Liquid error (line 1, column 4): action arguments are either all positional or all keywords",
        ),
        ('{% action "x", a: 1, a: 2 %}', "Liquid error (line 1, column 22): duplicate argument 'a'"),
        ("{% action t, 1 %}", "Liquid error (line 1, column 4): action type must be a string"),
    ],
)
def test_action_errors(source, message):
    with pytest.raises(LiquidError) as info:
        script(source, {"t": 5})
    assert info.value.message == message


def test_invalid_json_body_of_a_non_shopify_action_is_an_error():
    with pytest.raises(LiquidError) as info:
        script('{% action "email" %}not json{% endaction %}')
    assert info.value.message.startswith("Liquid error (line 1, column 4): invalid JSON in action body")
