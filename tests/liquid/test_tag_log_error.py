"""``log`` and ``error`` (spec/liquid.md §2.3, §2.4) and top-level ``break`` (§2.11)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import script


def test_log_forms():
    source = (
        '{% log "text" %}{% log x %}{% log message: "x", count: n %}'
        '{% log %}{"a": {{ a | json }}}{% endlog %}'
    )
    assert script(source, {"x": [1], "n": 3, "a": "é"}) == [
        {"log": "text"},
        {"log": [1]},
        {"log": {"message": "x", "count": 3}},
        {"log": {"a": "é"}},
    ]


def test_error_forms():
    source = '{% error "bad" %}{% error %}{{ m | json }}{% enderror %}{% error message: "m", details: d %}'
    assert script(source, {"m": "oops", "d": {"x": 1}}) == [
        {"error": "bad"},
        {"error": "oops"},
        {"error": {"message": "m", "details": {"x": 1}}},
    ]


def test_filters_in_mapped_arguments_take_one_argument_each():
    source = "{% log p: n | times: 100.0 | divided_by: m, q: 2 %}"
    assert script(source, {"n": 3, "m": 4}) == [{"log": {"p": 75.0, "q": 2}}]


def test_multi_line_mapped_log():
    assert script('{% log\n  a: 1,\n  b: "two"\n%}') == [{"log": {"a": 1, "b": "two"}}]


def test_several_positionals_are_a_syntax_error():
    with pytest.raises(LiquidError) as info:
        script("{% log a, b %}")
    assert (
        info.value.message
        == "Liquid error (line 1, column 11): 'log' takes one value or keyword arguments only"
    )


def test_top_level_break_keeps_the_output_so_far():
    assert script('{% log "a" %}{% if true %}{% break %}{% endif %}{% log "b" %}') == [{"log": "a"}]


def test_top_level_continue_also_stops():
    assert script('{% log "a" %}{% continue %}{% log "b" %}') == [{"log": "a"}]


def test_break_inside_a_log_body_completes_the_log_then_stops():
    assert script('{% log %}"a"{% break %}{% endlog %}{% log "after" %}') == [{"log": "a"}]


def test_break_inside_a_loop_only_ends_the_loop():
    source = (
        '{% for i in (1..5) %}{% if i == 3 %}{% break %}{% endif %}{% log i %}{% endfor %}{% log "end" %}'
    )
    assert script(source) == [{"log": 1}, {"log": 2}, {"log": "end"}]


def test_literal_json_objects_are_results():
    assert script(
        '{"log": {{ msg | json }}}\n{"action": {"type": "echo", "options": {}}}', {"msg": "hi"}
    ) == [
        {"log": "hi"},
        {"action": {"type": "echo", "options": {}}},
    ]


def test_permissions_prints_nothing_and_is_not_parsed_as_liquid():
    source = '{% permissions %}\n  read_orders,\n  {{ not liquid %}\n{% endpermissions %}{% log "ok" %}'
    assert script(source) == [{"log": "ok"}]
