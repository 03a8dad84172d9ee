"""Deprecated filters that Mechanic still runs (spec/liquid.md §4.8): REST tag strings,
the old base64 names and Shopify's retired ``img_url``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..values import to_s
from .base import force_utf8, split_options, text_or_binary
from .string import b64_strict_decode, b64_url_safe_decode, base64_encode, base64_url_safe_encode


def _tag_list(value: Any) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else to_s(value).split(",")
    tags: list[str] = []
    for item in items:
        tag = to_s(item).strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def add_tags(value: Any, tags: Any = None) -> str:
    """``add_tags`` (§4.8): the REST tag string (``"a, b"``, or an array of tags) with each
    tag of ``tags`` (array or comma-separated string) added when absent; exact match after
    trimming; joined with ``", "``."""
    current = _tag_list(value)
    for tag in _tag_list(tags):
        if tag not in current:
            current.append(tag)
    return ", ".join(current)


def add_tag(value: Any, tag: Any = None) -> str:
    """``add_tag`` (§4.8): ``add_tags`` for one tag (commas in it are not split)."""
    return add_tags(value, [tag])


def remove_tags(value: Any, tags: Any = None) -> str:
    """``remove_tags`` (§4.8): the tag string without each of ``tags``."""
    drop = set(_tag_list(tags))
    return ", ".join(tag for tag in _tag_list(value) if tag not in drop)


def remove_tag(value: Any, tag: Any = None) -> str:
    """``remove_tag`` (§4.8): the tag string without that tag."""
    return remove_tags(value, [tag])


def decode_base64(value: Any, *args: Any, **kwargs: Any) -> str | bytes:
    """``decode_base64`` (§4.8): ``base64_decode``, converted to UTF-8 (bad bytes → U+FFFD)
    unless ``force_utf8: false``, which keeps the bytes as a binary string."""
    _, options = split_options(args, kwargs)
    data = b64_strict_decode(to_s(value), "decode_base64")
    return data if options.get("force_utf8") is False else force_utf8(data)


def decode_base64url(value: Any) -> str | bytes:
    """``decode_base64url`` (§4.8): = ``base64_url_safe_decode``."""
    return text_or_binary(b64_url_safe_decode(to_s(value), "decode_base64url"))


_IMAGE_EXTENSION = re.compile(r"\.(?P<ext>[A-Za-z0-9]+)(?P<rest>(?:[?#].*)?)\Z", re.DOTALL)


def img_url(value: Any, size: Any = "small") -> str | None:
    """``img_url`` (§4.8 decision): the image URL with ``_<size>`` before the file extension
    (``shirt.jpg?v=1`` → ``shirt_100x100.jpg?v=1``).

    The input is a URL or a hash with ``src`` (REST image) or ``url``; nil stays nil. Without
    a size Shopify's default ``small`` is used; ``master`` and ``original`` leave the URL
    unchanged, as does a URL without an extension.
    """
    if isinstance(value, Mapping):
        value = value.get("src") or value.get("url")
    if value is None:
        return None
    url, name = to_s(value), to_s(size) if size is not None else "small"
    if not url or name in ("", "master", "original"):
        return url
    path_end = len(re.split(r"[?#]", url, maxsplit=1)[0])
    found = _IMAGE_EXTENSION.search(url, pos=url.rfind("/", 0, path_end) + 1)
    if found is None or found.start() > path_end:
        return url
    return f"{url[: found.start()]}_{name}{url[found.start() :]}"


FILTERS = {
    "add_tag": add_tag,
    "add_tags": add_tags,
    "remove_tag": remove_tag,
    "remove_tags": remove_tags,
    "base64": base64_encode,
    "decode_base64": decode_base64,
    "base64url": base64_url_safe_encode,
    "decode_base64url": decode_base64url,
    "img_url": img_url,
}
