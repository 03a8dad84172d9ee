"""Hash filters (spec/liquid.md §4.6): ``keys``, ``values``, ``compact``, ``except``, ``slice``."""

import pytest

from .helpers import text

H = {"bar": "bar", "baz": None, "qux": {"n": None}, "1": 1}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "{{ h | keys | json }}|{{ h | values | json }}",
            '["bar","baz","qux","1"]|["bar",null,{"n":null},1]',
        ),
        ("{{ nil | keys | json }}|{{ list | values | json }}|{{ 'x' | keys | json }}", "[]|[]|[]"),
        ("{{ h | compact | json }}", '{"bar":"bar","qux":{"n":null},"1":1}'),
        ('{{ h | except: "bar", "qux", "nope" | json }}', '{"baz":null,"1":1}'),
        ("{{ h | except: 1 | json }}", '{"bar":"bar","baz":null,"qux":{"n":null},"1":1}'),
        (
            '{{ h | slice: "qux", "bar", "nope" | json }}|{{ h | slice: 1 | json }}',
            '{"bar":"bar","qux":{"n":null}}|{"1":1}',
        ),
        ('{% assign c = h | except: "bar" %}{{ h | size }}|{{ c | size }}', "4|3"),
        ("{{ empty_hash | compact | json }}|{{ empty_hash | keys | json }}", "{}|[]"),
    ],
)
def test_hash_filter(source, expected):
    assert text(source, {"h": H, "list": [1], "empty_hash": {}}) == expected
