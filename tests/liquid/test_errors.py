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


# -- unclosed blocks (§1.6 item 1) ---------------------------------------------------------


def test_an_unclosed_block_names_its_opening_tag_with_line_column_and_caret():
    with pytest.raises(LiquidError) as info:
        text("a\nb\n{% if x %}\nfoo")
    err = info.value
    assert err.message == "Liquid error (line 3, column 1): 'if' tag was never closed (expected {% endif %})"
    assert err.details == "{% if x %}\n^"
    assert (err.line, err.column) == (3, 1)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% for i in x %}", "(line 1, column 1): 'for' tag was never closed (expected {% endfor %})"),
        (
            "{% for i in x %}{% else %}",
            "(line 1, column 1): 'for' tag was never closed (expected {% endfor %})",
        ),
        ("x {%- unless x %}", "(line 1, column 3): 'unless' tag was never closed (expected {% endunless %})"),
        (
            "{% if x %}{% elsif y %}{% else %}",
            "(line 1, column 1): 'if' tag was never closed (expected {% endif %})",
        ),
        (
            "{% case x %}{% when 1 %}",
            "(line 1, column 1): 'case' tag was never closed (expected {% endcase %})",
        ),
        ("{% capture c %}", "(line 1, column 1): 'capture' tag was never closed (expected {% endcapture %})"),
        ("{% comment %}x", "(line 1, column 1): 'comment' tag was never closed (expected {% endcomment %})"),
        (
            "{% action 'x' %}{}",
            "(line 1, column 1): 'action' tag was never closed (expected {% endaction %})",
        ),
        ("{% log %}{}", "(line 1, column 1): 'log' tag was never closed (expected {% endlog %})"),
        ("{% error %}{}", "(line 1, column 1): 'error' tag was never closed (expected {% enderror %})"),
        (
            "{% tablerow i in x %}",
            "(line 1, column 1): 'tablerow' tag was never closed (expected {% endtablerow %})",
        ),
        ("x{% raw %}{{ y }}", "(line 1, column 2): 'raw' tag was never closed (expected {% endraw %})"),
        # The innermost block left open is the one named.
        (
            "{% if a %}\n{% if b %}{% endif %}",
            "(line 1, column 1): 'if' tag was never closed (expected {% endif %})",
        ),
        ("{% if a %}\n  {% for i in x %}{% endif %}", "(line 2, column 22): unexpected tag 'endif'"),
        (
            "{% liquid\nif x\necho 1 %}",
            "(line 2, column 1): 'if' tag was never closed (expected {% endif %})",
        ),
    ],
)
def test_every_unclosed_block_says_which_tag_and_where(source, message):
    with pytest.raises(LiquidError) as info:
        text(source)
    assert info.value.message == f"Liquid error {message}"


# -- nesting (§1.6 item 1) -------------------------------------------------------------------


def test_deeply_nested_parentheses_are_a_positioned_syntax_error():
    with pytest.raises(LiquidError) as info:
        text("{{ " + "(" * 2000 + "1..2" + ")" * 2000 + " }}")
    assert info.value.message == (
        "Liquid error (line 1, column 54): parentheses nested too deep (more than 50 levels)"
    )


def test_deeply_nested_blocks_are_a_positioned_syntax_error():
    with pytest.raises(LiquidError) as info:
        text("{% if x %}" * 200)
    assert info.value.message.startswith("Liquid error (line 1, column ")
    assert info.value.message.endswith("): blocks nested too deep (more than 30 levels)")


def test_an_integer_literal_too_long_for_python_is_a_syntax_error():
    with pytest.raises(LiquidError) as info:
        text("{{ " + "9" * 5000 + " }}")
    assert info.value.message == "Liquid error (line 1, column 4): integer too large (more than 4300 digits)"


# -- filter arguments (§4.1) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ 12 | money: 'XXX' }}", "(line 1, column 9): money: takes no arguments (got 1)"),
        ("{{ 'x' | json: 1 }}", "(line 1, column 10): json: takes no arguments (got 1)"),
        ("{{ 'x' | upcase: 1, 2 }}", "(line 1, column 10): upcase: takes no arguments (got 2)"),
        (
            "{{ 'x' | append: 1, 2 }}",
            "(line 1, column 10): append: too many arguments (takes at most 1, got 2)",
        ),
        (
            "{{ 'x' | replace_last: 'x' }}",
            "(line 1, column 10): replace_last: too few arguments (takes at least 2, got 1)",
        ),
        ("{{ 'x' | upcase: foo: 1 }}", "(line 1, column 10): upcase: unknown option 'foo'"),
        (
            "{{ 'x' | truncate: 3, length: 2 }}",
            "(line 1, column 10): truncate: argument 'length' given twice",
        ),
        (
            "{{ 'a b c' | truncatewords: 99999999999999999999 }}",
            "(line 1, column 14): truncatewords: argument out of range (99999999999999999999)",
        ),
        (
            "{{ 99999999999999999999 | date }}",
            "(line 1, column 27): date: argument out of range (99999999999999999999)",
        ),
    ],
)
def test_wrong_filter_arguments_say_what_the_filter_accepts(source, message):
    with pytest.raises(LiquidError) as info:
        text(source)
    assert info.value.message == f"Liquid error {message}"


# -- integers too long to print (§1.6 item 2, §1.7, §1.8) -----------------------------------------

SQUARED_13_TIMES = "{% assign a = 9 %}{% for i in (1..13) %}{% assign a = a | times: a %}{% endfor %}"


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("\n{{ a }}", "(line 2, column 1): integer too large to print (more than 4300 digits)"),
        ("\n{{ a | append: 'x' }}", "(line 2, column 8): integer too large to print (more than 4300 digits)"),
        (
            "\n{{ a | json }}",
            "(line 2, column 8): json: cannot encode value as JSON: "
            "integer too large (more than 4300 digits)",
        ),
        (
            "\n{% log a %}",
            "(line 2, column 4): cannot encode value as JSON: integer too large (more than 4300 digits)",
        ),
        (
            "\n{% assign h = hash %}{% assign h[a] = 1 %}",
            "(line 2, column 25): integer too large to print (more than 4300 digits)",
        ),
        ("\n{% cycle a %}", "(line 2, column 4): integer too large to print (more than 4300 digits)"),
        ("\n{{ a | money }}", "(line 2, column 8): money: number out of range"),
    ],
)
def test_an_integer_too_long_to_print_is_a_render_error(tail, message):
    with pytest.raises(LiquidError) as info:
        text(SQUARED_13_TIMES + tail)
    assert info.value.message == f"Liquid error {message}"


def test_json_with_an_integer_too_long_for_python_is_a_render_error():
    with pytest.raises(LiquidError) as info:
        text("{{ '[" + "9" * 5000 + "]' | parse_json }}")
    assert info.value.message.endswith(
        "): parse_json: invalid JSON (integer too large (more than 4300 digits))"
    )
    with pytest.raises(LiquidError) as info:
        text("{% log %}[" + "9" * 5000 + "]{% endlog %}")
    assert info.value.message == (
        "Liquid error (line 1, column 4): invalid JSON in log body: integer too large (more than 4300 digits)"
    )


# -- no Python names in messages (§1.6) ------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% for i in x limit: 'a' %}{% endfor %}", '(line 1, column 22): expected an integer, found "a"'),
        (
            "{% for i in x offset: h %}{% endfor %}",
            '(line 1, column 23): expected an integer, found {"a" => 1}',
        ),
        (
            "{% assign s = 'x' %}{% assign s[0] = 1 %}",
            "(line 1, column 24): cannot assign to s[0]: not an array or hash (String)",
        ),
        (
            "{% assign a = array %}{% assign a[99999999999999999999] = 1 %}",
            "(line 1, column 26): cannot assign to a[99999999999999999999]: "
            "index 99999999999999999999 out of range",
        ),
        ("{{ 'x' | gunzip }}", "(line 1, column 10): gunzip: invalid gzip data (not gzip data)"),
    ],
)
def test_messages_name_liquid_values_not_python_types(source, message):
    with pytest.raises(LiquidError) as info:
        text(source, {"x": [1], "h": {"a": 1}})
    assert info.value.message == f"Liquid error {message}"


def test_cycle_and_tablerow_take_hashes_like_ruby():
    assert text("{% cycle h, 2 %}|{% cycle h, 2 %}", {"h": {"a": 1}}) == '{"a" => 1}|2'
    assert (
        text("{% tablerow i in (1..2) cols: h %}{{ i }}{% endtablerow %}", {"h": {"a": 1}}).count("<td") == 2
    )
