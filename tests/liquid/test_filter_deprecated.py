"""Deprecated filters that still work (spec/liquid.md §4.8)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            '{{ "a, b" | add_tag: "c" }}|{{ "a, b" | add_tag: " b " }}|{{ nil | add_tag: "x" }}',
            "a, b, c|a, b|x",
        ),
        ('{{ "a,b" | add_tags: "c, a , d" }}|{{ tags | add_tags: list }}', "a, b, c, d|x, y, z"),
        ('{{ "a, b, c" | remove_tag: "b" }}|{{ "a, b" | remove_tag: "B" }}', "a, c|a, b"),
        (
            '{{ "a, b, c" | remove_tags: "a,c" }}|{{ tags | remove_tags: list }}|{{ nil | remove_tag: "a" }}',
            "b|x|",
        ),
        ('{{ "a, , a, b" | add_tag: "b" | json }}', '"a, b"'),
        ('{{ "hello" | base64 }}|{{ "aGVsbG8=" | decode_base64 }}', "aGVsbG8=|hello"),
        ('{{ "???" | base64url }}|{{ "Pz8_" | decode_base64url }}', "Pz8_|???"),
        (
            '{{ "/w==" | decode_base64 | json }}|{{ "/w==" | decode_base64: force_utf8: false | size }}',
            '"\ufffd"|1',
        ),
        ('{{ "aGk=" | decode_base64: force_utf8: false | append: "!" }}', "hi!"),
        (
            '{{ "https://cdn.example.com/s/files/shirt.jpg?v=12" | img_url: "100x100" }}',
            "https://cdn.example.com/s/files/shirt_100x100.jpg?v=12",
        ),
        (
            '{{ "https://cdn.example.com/a.b/shirt.v2.png" | img_url }}',
            "https://cdn.example.com/a.b/shirt.v2_small.png",
        ),
        (
            '{{ "https://cdn.example.com/shirt" | img_url: "grande" }}|{{ "x.jpg" | img_url: "master" }}',
            "https://cdn.example.com/shirt|x.jpg",
        ),
        (
            '{{ image | img_url: "50x" }}|[{{ nil | img_url }}]',
            "//cdn/p_50x.gif|[]",
        ),
    ],
)
def test_deprecated_filter(source, expected):
    variables = {"tags": "x, y", "list": ["y", "z"], "image": {"src": "//cdn/p.gif"}}
    assert text(source, variables) == expected


def test_decode_base64_errors_name_the_filter():
    with pytest.raises(LiquidError) as info:
        text('{{ "a b" | decode_base64 }}')
    assert info.value.message.split("): ", 1)[1] == "decode_base64: invalid base64"
