"""Cases where Hub printed something else than Ruby Liquid 5.4 (issue 12's list of causes), each with
the output Ruby 5.4.0 gives (Debian's ruby-liquid, strict parsing), recorded here so the suite runs
without Ruby."""

import pytest

from tasks_app.liquid import LiquidError
from tests.liquid.test_limits import render

ARR = [1, 2, 3]


@pytest.mark.parametrize(
    ("source", "variables", "ruby"),
    [
        # Cause 8: a negative offset with a limit was a Python ValueError from islice.
        ("{% for i in arr limit: 1 offset: o %}[{{i}}]{% endfor %}", {"arr": ARR, "o": -7}, ""),
        ("{% for i in arr limit: 1 offset: o %}[{{i}}]{% endfor %}", {"arr": ARR, "o": -1}, ""),
        ("{% for i in arr offset: o %}[{{i}}]{% endfor %}", {"arr": ARR, "o": -1}, "[1][2][3]"),
        ("{% for i in arr offset: -2 limit: 3 %}{{i}}{% endfor %}", {"arr": ARR}, "1"),
        ("{% for i in arr limit: 0 %}x{% endfor %}", {"arr": ARR}, ""),
        ("{% for i in arr offset: 1 limit: 5 %}{{i}}{% endfor %}", {"arr": ARR}, "23"),
        (
            "{% for i in arr limit: 2 %}{{i}}{% endfor %}"
            "{% for i in arr offset: continue %}{{i}}{% endfor %}",
            {"arr": ARR},
            "123",
        ),
        (
            "{% for i in arr offset: 5 %}{{i}}{% endfor %}"
            "{% for i in arr offset: continue %}[{{i}}]{% endfor %}",
            {"arr": ARR},
            "",
        ),
        # Cause 3: a string is iterated once, whatever limit and offset say.
        ("{% for i in s limit: 0 %}[{{i}}]{% endfor %}", {"s": "abc"}, "[abc]"),
        ("{% for i in s offset: 2 limit: 1 %}[{{i}}]{% endfor %}", {"s": "abc"}, "[abc]"),
        # Cause 4: a descending range keeps its ends.
        ("{{ (n..5) }}", {"n": 100}, "100..5"),
        ("{% for i in (n..5) %}x{% endfor %}", {"n": 100}, ""),
        # Cause 5: date on an array or a range returns it unchanged.
        ('{{ arr | date: "%Y" }}', {"arr": ARR}, "123"),
        ('{{ (1..3) | date: "%Y" }}', {}, "1..3"),
        # Cause 7: sort of one hash, boolean or blank compares nothing.
        ("{{ true | sort }}|{{ blank | sort }}", {}, "true|"),
        # Cause 11: slice with an explicit nil length.
        ("{{ -3 | slice: 1, nil }}", {}, "3"),
    ],
)
def test_hub_prints_what_ruby_liquid_5_4_prints(source, variables, ruby):
    assert render(source, variables) == ruby


@pytest.mark.parametrize(
    ("source", "variables", "ruby"),
    [
        # Cause 10: `empty` and `blank` as values (filter input, assign, case subject) are "",
        # as comparison operands they still test emptiness.
        ('{{ empty | default: "o" }}', {}, "o"),
        ('{{ blank | default: "o" }}', {}, "o"),
        ("{% case empty %}{% when h %}yes{% endcase %}", {"h": {}}, ""),
        ("{% case h %}{% when empty %}yes{% endcase %}", {"h": {}}, "yes"),
        ('{% case blank %}{% when "" %}yes{% endcase %}', {}, "yes"),
        ("{% if empty == h %}yes{% endif %}", {"h": {}}, "yes"),
        ('{{ empty | size }}|{{ empty | append: "x" }}|{{ empty }}', {}, "0|x|"),
        ('{% assign e = empty %}{% if e == "" %}yes{% endif %}{{ e | default: "d" }}', {}, "yesd"),
    ],
)
def test_empty_and_blank_as_values_print_what_ruby_prints(source, variables, ruby):
    assert render(source, variables) == ruby


@pytest.mark.parametrize(
    ("source", "ruby"),
    [
        # Cause 1: the string filters take an array's (or hash's) Ruby to_s, its inspect form;
        # printing an array with {{ }} still joins it.
        ("{{ arr | upcase }}", '["A", "B"]'),
        ("{{ arr | capitalize }}", '["a", "b"]'),
        ("{{ arr | escape }}", "[&quot;a&quot;, &quot;b&quot;]"),
        ("{{ arr | url_encode }}", "%5B%22a%22%2C+%22b%22%5D"),
        ("{{ arr | base64_encode }}", "WyJhIiwgImIiXQ=="),
        ('{{ arr | append: "x" }}', '["a", "b"]x'),
        ('{{ "x" | append: arr }}', 'x["a", "b"]'),
        ('{{ arr | remove: "a" }}', '["", "b"]'),
        ('{{ arr | replace: "a", "z" }}', '["z", "b"]'),
        ('{{ arr | split: "," }}', '["a" "b"]'),
        ("{{ arr | truncate: 5 }}", '["...'),
        ("{{ arr | truncatewords: 1 }}", '["a",...'),
        ("{{ n | upcase }}", "[1, NIL, 2.5]"),
        ("{{ nil | sort | truncatewords: 100 }}", "[]"),
        ('{{ arr }}|{{ arr | join: "-" }}|{{ arr | size }}', "ab|a-b|2"),
    ],
)
def test_string_filters_on_arrays_use_rubys_to_s(source, ruby):
    assert render(source, {"arr": ["a", "b"], "n": [1, None, 2.5]}) == ruby


PROPERTY_DATA = {"ints": [1, 2, 3], "strs": ["kb", "ka"], "f": 1.5, "b": True, "hs": [{"k": 2}, {"k": 1}]}


@pytest.mark.parametrize(
    ("source", "ruby"),
    [
        # Cause 2: property filters read `item[property]` as Ruby does.
        ('{{ strs | where: "k" }}', "kbka"),  # a string's [] finds the substring
        ('{{ strs | map: "k" }}', "kk"),
        ('{{ strs | compact: "k" }}', "kbka"),
        ('{{ f | sort: "k" }}', ""),  # no [] on a float or a boolean: sort gives nil
        ('{{ b | sort_natural: "k" }}', ""),
        ('{{ 1 | sort: "k" }}|{{ 1 | uniq: "k" }}', "1|1"),  # one element: nothing is read
        ('{{ hs | sort: "k" | map: "k" }}', "12"),
    ],
)
def test_property_filters_index_elements_as_ruby_does(source, ruby):
    assert render(source, PROPERTY_DATA) == ruby


@pytest.mark.parametrize(
    "source",
    ['{{ 1 | where: "k" }}', '{{ ints | map: "k" }}', '{{ ints | uniq: "k" }}', '{{ ints | sort: "k" }}'],
)
def test_a_property_of_an_integer_is_the_error_ruby_gives(source):
    with pytest.raises(LiquidError, match="cannot select the property 'k'"):
        render(source, PROPERTY_DATA)


@pytest.mark.parametrize(
    ("source", "ruby"),
    [
        # Cause 6: Ruby's blank rules. A capture keeps its body's whitespace; a for loop is blank
        # only when its body and its else both are; break and continue are not blank; a tablerow
        # cell keeps its whitespace; if/unless/case bodies of whitespace and blank tags print nothing.
        ('{% capture nl %}\n{% endcapture %}{{ "a" | append: nl | append: "b" }}', "a\nb"),
        ("{% capture s %}  {% endcapture %}[{{ s }}]", "[  ]"),
        ("{% for i in (1..2) %} {% else %}x{% endfor %}", "  "),
        ("{% for i in (1..2) %} {% endfor %}|", "|"),
        ("{% if true %} {% break %}{% endif %}", " "),
        ("{% for i in (1..2) %} {% break %}{% endfor %}|", " |"),
        ("{% for i in (1..2) %} {% continue %}{% endfor %}|", "  |"),
        ("{% if true %} {% assign a = 1 %} {% endif %}|", "|"),
        ("{% case 1 %}{% when 1 %}  {% else %}x{% endcase %}|", "  |"),
        (
            "{% tablerow i in (1..2) %} {% endtablerow %}|",
            '<tr class="row1">\n<td class="col1"> </td><td class="col2"> </td></tr>\n|',
        ),
    ],
)
def test_whitespace_only_bodies_follow_rubys_blank_rules(source, ruby):
    assert render(source) == ruby
