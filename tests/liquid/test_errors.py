"""Error messages with line, column and a caret (spec/liquid.md §1.6)."""

import pytest

from tasks_app.liquid import LiquidError, TaskRenderError

from .helpers import text


def test_render_error_points_at_the_filter():
    with pytest.raises(LiquidError) as info:
        text("{% if x %}\n  {{ 1 | divided_by: 0 }}\n{% endif %}", {"x": True})
    err = info.value
    assert err.message == "Liquid error (line 2, column 10): divided_by: divided by 0"
    assert err.details == "  {{ 1 | divided_by: 0 }}\n         ^"
    assert (err.line, err.column) == (2, 10)
    assert isinstance(err, TaskRenderError)


def test_unknown_filters_are_parse_errors_naming_the_filter():
    with pytest.raises(LiquidError) as info:
        text("{% if false %}{{ x | nope }}{% endif %}")
    assert info.value.message == "Liquid error (line 1, column 22): unknown filter 'nope'"


def test_unknown_tags_and_render_are_syntax_errors():
    with pytest.raises(LiquidError) as info:
        text("a{% nosuchtag %}")
    assert info.value.message == "Liquid error (line 1, column 5): unknown tag 'nosuchtag'"
    with pytest.raises(LiquidError) as info:
        text("{% render 'x' %}")
    assert info.value.message == (
        "Liquid error (line 1, column 4): unknown tag 'render': Mechanic has no template files"
    )


def test_parse_json_error_and_silent():
    with pytest.raises(LiquidError, match=r"line 1, column 11\): parse_json: invalid JSON"):
        text('{{ "{{" | parse_json }}')
    assert text('{{ "{{" | parse_json: silent: true | json }}') == "null"


def test_an_unknown_filter_names_the_closest_filter():
    with pytest.raises(LiquidError) as info:
        text('{% assign x = "A" %}\n{{ x | downcaes }}')
    err = info.value
    assert (
        err.message == "Liquid error (line 2, column 8): unknown filter 'downcaes'; did you mean 'downcase'?"
    )
    assert err.details == "{{ x | downcaes }}\n       ^"
    assert (err.line, err.column) == (2, 8)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% iff x %}{% endif %}", "Liquid error (line 1, column 4): unknown tag 'iff'; did you mean 'if'?"),
        ("{% asign x = 1 %}", "Liquid error (line 1, column 4): unknown tag 'asign'; did you mean 'assign'?"),
        ("{% lgo 'x' %}", "Liquid error (line 1, column 4): unknown tag 'lgo'; did you mean 'log'?"),
        ("{% endif %}", "Liquid error (line 1, column 4): unexpected tag 'endif'"),
        ("{% else %}", "Liquid error (line 1, column 4): unexpected tag 'else'"),
    ],
)
def test_an_unknown_tag_names_the_closest_tag(source, message):
    with pytest.raises(LiquidError) as info:
        text(source)
    assert info.value.message == message


def test_an_unknown_tag_error_points_at_its_line():
    with pytest.raises(LiquidError) as info:
        text("{% log 'a' %}\n  {% unles x %}{% endunless %}")
    err = info.value
    assert err.message == "Liquid error (line 2, column 6): unknown tag 'unles'; did you mean 'unless'?"
    assert err.details == "  {% unles x %}{% endunless %}\n     ^"


def test_a_render_error_inside_a_loop_names_its_line_and_column():
    with pytest.raises(LiquidError) as info:
        text('{% for i in (1..2) %}\n  {% if "a" > i %}{% endif %}{% endfor %}')
    assert info.value.message == "Liquid error (line 2, column 13): comparison of String with 1 failed"
    assert info.value.details == '  {% if "a" > i %}{% endif %}{% endfor %}\n            ^'
