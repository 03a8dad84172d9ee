"""JSON type names used in error messages."""

import pytest

from hub.jsonkind import json_kind, json_kind_with_article


@pytest.mark.parametrize(
    ("value", "kind", "phrase"),
    [
        (None, "null", "null"),
        (True, "boolean", "a boolean"),
        (0, "number", "a number"),
        (2.5, "number", "a number"),
        ("", "string", "a string"),
        ([], "array", "an array"),
        ({}, "object", "an object"),
        ((1, 2), "tuple", "tuple"),
    ],
)
def test_kinds_read_as_json_names(value, kind, phrase):
    assert (json_kind(value), json_kind_with_article(value)) == (kind, phrase)
