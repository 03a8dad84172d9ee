"""Error messages with line, column and a caret (spec/liquid.md §1.6)."""

import pytest

from tasks_app.liquid import LiquidError, TaskRenderError

from .helpers import text


def test_render_error_points_at_the_filter():
    with pytest.raises(LiquidError) as info:
        text("{% if x %}\n  {{ 1 | divided_by: 0 }}\n{% endif %}", {"x": True})
    err = info.value
    assert err.message == "Liquid error (line 2, column 10): divided by 0"
    assert err.details == "  {{ 1 | divided_by: 0 }}\n         ^"
    assert (err.line, err.column) == (2, 10)
    assert isinstance(err, TaskRenderError)


def test_unknown_filters_are_parse_errors_naming_the_filter():
    with pytest.raises(LiquidError) as info:
        text("{% if false %}{{ x | nope }}{% endif %}")
    assert info.value.message == "Liquid error (line 1, column 22): unknown filter 'nope'"


def test_unknown_tags_and_render_are_syntax_errors():
    with pytest.raises(LiquidError, match="unexpected tag 'nosuchtag'"):
        text("a{% nosuchtag %}")
    with pytest.raises(LiquidError, match="unexpected tag 'render'"):
        text("{% render 'x' %}")


def test_parse_json_error_and_silent():
    with pytest.raises(LiquidError, match=r"line 1, column 11\): parse_json: invalid JSON"):
        text('{{ "{{" | parse_json }}')
    assert text('{{ "{{" | parse_json: silent: true | json }}') == "null"
