"""JSON type names for error messages: null, boolean, number, string, array, object."""

from typing import Any

_KINDS = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}
_ARTICLES = {"boolean": "a", "number": "a", "string": "a", "array": "an", "object": "an"}


def json_kind(value: Any) -> str:
    """The JSON type name of ``value``; other Python types give their class name."""
    for kind, name in _KINDS.items():
        if type(value) is kind:
            return name
    for kind, name in _KINDS.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


def json_kind_with_article(value: Any) -> str:
    """``a string``, ``an array``, ``null``: the kind as it reads inside a sentence."""
    kind = json_kind(value)
    article = _ARTICLES.get(kind)
    return f"{article} {kind}" if article else kind
