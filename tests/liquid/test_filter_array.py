"""Array filters (spec/liquid.md §4.5)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import text

VARIABLES = {
    "nums": [3, 1, 2],
    "nested": [[1, [2]], 3],
    "words": ["b", "A", "a", "B"],
    "items": [
        {"id": 1, "sku": "ONE", "tag": None, "n": "Item 10"},
        {"id": 2, "sku": "TWO", "tag": "x", "n": "Item 2"},
        {"id": 3, "sku": "ONE", "tag": False, "n": None},
    ],
    "mixed": [1, "a"],
    "h": {"a": 1, "b": None},
    "set": ["order #10.b", "Order #10.a", "Order #2.c", "order #2.d"],
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # push / unshift: new arrays, nil is [], no flattening
        ('{% assign b = nums | push: 4, "x" %}{{ nums | json }}|{{ b | json }}', '[3,1,2]|[3,1,2,4,"x"]'),
        ("{{ nil | push: 1 | json }}|{{ nested | push: 4 | json }}", "[1]|[[1,[2]],3,4]"),
        (
            '{{ nums | unshift: "zero", "one" | json }}|{{ nil | unshift: h | json }}',
            '["zero","one",3,1,2]|[{"a":1,"b":null}]',
        ),
        # except on arrays (no coercion)
        ('{{ nums | except: 1, "2" | json }}|{{ nil | except: 1 | json }}', "[3,2]|[]"),
        # in_groups_of / in_groups
        ('{{ "1,2,3,4,5" | split: "," | in_groups_of: 2 | json }}', '[["1","2"],["3","4"],["5",null]]'),
        (
            '{{ "1,2,3,4,5" | split: "," | in_groups_of: 2, fill_with: false | json }}',
            '[["1","2"],["3","4"],["5"]]',
        ),
        ('{{ "1,2,3" | split: "," | in_groups_of: "2", fill_with: "-" | json }}', '[["1","2"],["3","-"]]'),
        ("{{ nil | in_groups_of: 3 | json }}", "[]"),
        ('{{ "1,2,3" | split: "," | in_groups: 2 | json }}', '[["1","2"],["3",null]]'),
        ('{{ "1,2,3" | split: "," | in_groups: 2, fill_with: false | json }}', '[["1","2"],["3"]]'),
        (
            '{{ "1,2,3,4,5,6,7" | split: "," | in_groups: 3 | json }}',
            '[["1","2","3"],["4","5",null],["6","7",null]]',
        ),
        ("{{ nums | in_groups: 5, fill_with: false | json }}", "[[3],[1],[2],[],[]]"),
        # index_by: last wins, keys stringified, missing skipped
        ('{% assign i = items | index_by: "sku" %}{{ i | keys | json }}|{{ i.ONE.id }}', '["ONE","TWO"]|3'),
        (
            '{{ items | index_by: "id" | keys | json }}|{{ items | index_by: "tag" | keys | json }}',
            '["1","2","3"]|["x","false"]',
        ),
        # sample
        (
            "{{ empty_list | sample | json }}|{{ empty_list | sample: 2 | json }}|"
            "{{ nums | sample: 0 | json }}",
            "null|[]|[]",
        ),
        ("{{ nums | sample: 9 | sort | json }}|{{ one | sample }}", "[1,2,3]|7"),
        # slice on arrays: length 1 gives the element
        ('{{ "1,2,3,4,5" | split: "," | slice: 3, 2 | join: "," }}', "4,5"),
        ('{{ "1,2,3,4,5" | split: "," | slice: -3, 2 | join: "," }}', "3,4"),
        (
            "{{ nums | slice: 0 | json }}|{{ nums | slice: -1 | json }}|{{ nums | slice: 1, 1 | json }}",
            "3|2|1",
        ),
        (
            "{{ nums | slice: 5 | json }}|{{ nums | slice: 5, 2 | json }}|{{ nums | slice: 1, 0 | json }}",
            "null|[]|[]",
        ),
        # sort_naturally
        ('{{ set | sort_naturally | join: ", " }}', "Order #2.c, Order #10.a, order #2.d, order #10.b"),
        ('{{ items | sort_naturally: "n" | map: "id" | json }}', "[3,2,1]"),
        ('{{ "a10,a9,a,b1" | split: "," | sort_naturally | json }}', '["a","a9","a10","b1"]'),
        # sum
        ("{{ nums | sum }}|{{ empty_list | sum }}|{{ nil | sum }}", "6|0|0"),
        ('{{ "" | split: "," | push: 2, 3, 5, 7, 11 | sum }}|{{ floats | sum }}', "28|0.3"),
        # compact, concat
        ("{{ holes | compact | json }}|{{ items | compact: 'tag' | map: 'id' | json }}", "[1,2,3]|[2,3]"),
        (
            "{{ nested | concat: nums | json }}|{{ nil | concat: nums | json }}|"
            "{{ nums | concat: nested | json }}",
            "[1,2,3,3,1,2]|[3,1,2]|[3,1,2,[1,[2]],3]",
        ),
        # first, last, join, map, reverse, size
        (
            "{{ nums | first }}|{{ nums | last }}|{{ empty_list | first | json }}|{{ 'abc' | first | json }}",
            "3|2|null|null",
        ),
        ("{{ h | first | json }}|{{ h | last | json }}", '["a",1]|["b",null]'),
        (
            "{{ nested | join: '-' }}|{{ mixed2 | join }}|{{ nil | join: ',' }}|{{ 'ab' | join: ',' }}",
            "1-2-3|a  true false 1.5||ab",
        ),
        (
            "{{ items | map: 'sku' | json }}|{{ items | map: 'missing' | json }}|{{ h | map: 'a' | json }}",
            '["ONE","TWO","ONE"]|[null,null,null]|[1]',
        ),
        ("{{ nested | reverse | json }}|{{ 'abc' | reverse }}", "[3,2,1]|abc"),
        (
            "{{ nums | size }}|{{ h | size }}|{{ 'héllo' | size }}|{{ 5 | size }}|{{ nil | size }}",
            "3|2|5|0|0",
        ),
        # sort, sort_natural, uniq, where
        (
            "{{ words | sort | json }}|{{ words | sort_natural | json }}",
            '["A","B","a","b"]|["A","a","b","B"]',
        ),
        ("{{ items | sort: 'n' | map: 'id' | json }}|{{ with_nil | sort | json }}", "[1,2,3]|[1,2,null]"),
        ("{{ mixed_numbers | sort | json }}|{{ with_nil | sort_natural | json }}", "[1,1.5,2]|[1,2,null]"),
        ("{{ dupes | uniq | json }}|{{ items | uniq: 'sku' | map: 'id' | json }}", '[1,"1",1.0,true]|[1,2]'),
        (
            "{{ items | where: 'sku', 'ONE' | map: 'id' | json }}|"
            "{{ items | where: 'tag' | map: 'id' | json }}",
            "[1,3]|[2]",
        ),
        (
            "{{ items | where: 'id', '1' | json }}|{{ items | where: 'tag', false | map: 'id' | json }}",
            "[]|[3]",
        ),
    ],
)
def test_array_filter(source, expected):
    variables = {
        **VARIABLES,
        "empty_list": [],
        "one": [7],
        "floats": [0.1, 0.2],
        "holes": [None, 1, [None, 2], 3],
        "mixed2": ["a", None, True, False, 1.5],
        "with_nil": [2, None, 1],
        "mixed_numbers": [2, 1.5, 1],
        "dupes": [1, "1", 1, 1.0, True],
    }
    assert text(source, variables) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ nums | concat: nil }}", "concat: the argument must be an array, not NilClass"),
        ("{{ nums | concat: 'x' }}", "concat: the argument must be an array, not String"),
        ("{{ nums | concat: h }}", "concat: the argument must be an array, not Hash"),
        ("{{ mixed | sum }}", 'sum: element 1 is not a number ("a")'),
        ("{{ '1,2' | split: ',' | sum }}", 'sum: element 0 is not a number ("1")'),
        ("{{ holes | sum }}", "sum: element 0 is not a number (nil)"),
        ("{{ mixed | sort }}", "sort: cannot compare Integer with String"),
        ("{{ nums | in_groups_of: 0 }}", "in_groups_of: group size must be positive"),
        ("{{ nums | in_groups_of: 1.5 }}", "in_groups_of: invalid integer group size 1.5"),
        ("{{ nums | in_groups: 0 }}", "in_groups: number of groups must be positive"),
        ("{{ nums | in_groups }}", "in_groups: invalid integer group size nil"),
        ("{{ nums | in_groups: 99999999999999999999 }}", "in_groups: too many groups (at most 100,000)"),
        (
            "{{ nums | in_groups_of: 999999999 }}",
            "in_groups_of: group size too large to pad (at most 100,000)",
        ),
        ("{{ nums | sample: -1 }}", "sample: negative sample number -1"),
        ("{{ nums | slice: 'x' }}", 'slice: invalid integer offset "x"'),
    ],
)
def test_array_filter_errors(source, message):
    with pytest.raises(LiquidError) as info:
        text(source, {**VARIABLES, "holes": [None, 1]})
    assert info.value.message.split("): ", 1)[1] == message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("map", "[null]"),
        ("where", "[]"),
        ("uniq", '[{"a":1}]'),
        ("sort", '[{"a":1}]'),
        ("index_by", "{}"),
    ],
)
@pytest.mark.parametrize("prop", ["h", "rows"])
def test_a_hash_or_array_as_property_names_no_key(name, expected, prop):
    # Hash keys are strings (§2.6): Ruby's lookup with a hash or array key finds nothing.
    assert text(f"{{{{ rows | {name}: {prop} | json }}}}", {"rows": [{"a": 1}], "h": {"a": 1}}) == expected
