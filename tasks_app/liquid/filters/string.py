"""String filters where Mechanic differs from python-liquid, and Mechanic's own
(spec/liquid.md §4.3, §4.8, §4.9)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from ..values import HubRenderError, to_integer, to_number, to_s
from .base import split_options

_NEWLINE = re.compile(r"\r?\n")


def split(value: Any, separator: Any = None) -> list[str]:
    """``split`` (§4.3): Ruby ``String#split``: ``" "`` splits on whitespace runs, ``""`` into
    characters, a newline on ``\\r?\\n``; trailing empty strings are dropped."""
    text = to_s(value)
    if not text:
        return []
    sep = to_s(separator)
    if sep == " ":
        return text.split()
    if sep == "":
        return list(text)
    parts = _NEWLINE.split(text) if sep == "\n" else text.split(sep)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def replace(value: Any, search: Any = "", replacement: Any = "") -> str:
    """``replace`` (§4.3): every literal occurrence; a newline search matches ``\\r?\\n``."""
    text, needle, repl = to_s(value), to_s(search), to_s(replacement)
    if needle == "\n":
        return _NEWLINE.sub(lambda _m: repl, text)
    if needle == "":
        return repl.join(["", *text, ""]) if text else repl
    return text.replace(needle, repl)


def replace_first(value: Any, search: Any = "", replacement: Any = "") -> str:
    """``replace_first`` (§4.3)."""
    text, needle, repl = to_s(value), to_s(search), to_s(replacement)
    if needle == "\n":
        return _NEWLINE.sub(lambda _m: repl, text, count=1)
    return text.replace(needle, repl, 1)


def replace_last(value: Any, search: Any, replacement: Any) -> str:
    """``replace_last`` (§4.3)."""
    text, needle, repl = to_s(value), to_s(search), to_s(replacement)
    index = text.rfind(needle)
    if index < 0:
        return text
    return text[:index] + repl + text[index + len(needle) :]


def remove(value: Any, search: Any = "") -> str:
    """``remove`` (§4.3): every literal occurrence removed."""
    return replace(value, search, "")


def remove_first(value: Any, search: Any = "") -> str:
    """``remove_first`` (§4.3)."""
    return replace_first(value, search, "")


def remove_last(value: Any, search: Any = "") -> str:
    """``remove_last`` (§4.3)."""
    return replace_last(value, search, "")


def append(value: Any, suffix: Any = "") -> str:
    """``append`` (§4.3)."""
    return to_s(value) + to_s(suffix)


def prepend(value: Any, prefix: Any = "") -> str:
    """``prepend`` (§4.3)."""
    return to_s(prefix) + to_s(value)


def capitalize(value: Any) -> str:
    """``capitalize`` (§4.3): first character upper-cased, the rest lower-cased."""
    text = to_s(value)
    return text[:1].upper() + text[1:].lower()


def downcase(value: Any) -> str:
    """``downcase`` (§4.3)."""
    return to_s(value).lower()


def upcase(value: Any) -> str:
    """``upcase`` (§4.3)."""
    return to_s(value).upper()


# Ruby's strip family removes ASCII whitespace and NUL, not a non-breaking space.
_RUBY_WS = " \t\n\v\f\r\x00"


def strip(value: Any) -> str:
    """``strip`` (§4.3)."""
    return to_s(value).strip(_RUBY_WS)


def lstrip(value: Any) -> str:
    """``lstrip`` (§4.3)."""
    return to_s(value).lstrip(_RUBY_WS)


def rstrip(value: Any) -> str:
    """``rstrip`` (§4.3)."""
    return to_s(value).rstrip(_RUBY_WS)


def strip_newlines(value: Any) -> str:
    """``strip_newlines`` (§4.3): every ``\\r\\n`` and ``\\n`` removed."""
    return _NEWLINE.sub("", to_s(value))


def newline_to_br(value: Any) -> str:
    """``newline_to_br`` (§4.3): each ``\\r\\n`` or ``\\n`` becomes ``<br />`` plus a newline."""
    return _NEWLINE.sub("<br />\n", to_s(value))


def unindent(value: Any) -> str:
    """``unindent`` (§4.3): remove the common indentation of non-blank lines (a tab is one column)."""
    lines = to_s(value).split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    width = min(indents) if indents else 0
    return "\n".join(line[width:] if line.strip() else line for line in lines)


_ESCAPE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_ESCAPE_ONCE = re.compile(r"[\"><']|&(?!([a-zA-Z]+|(#\d+));)")


def escape(value: Any) -> str | None:
    """``escape`` (§4.3): ``& < > " '`` as HTML entities (``'`` → ``&#39;``); nil stays nil."""
    if value is None:
        return None
    return re.sub(r"[&<>\"']", lambda m: _ESCAPE[m.group()], to_s(value))


def escape_once(value: Any) -> str | None:
    """``escape_once`` (§4.3): as ``escape`` but existing entities are left alone."""
    if value is None:
        return None
    return _ESCAPE_ONCE.sub(lambda m: _ESCAPE[m.group()[0]], to_s(value))


def truncate(value: Any, length: Any = 50, ellipsis: Any = "...") -> str | None:
    """``truncate`` (§4.3): at most ``length`` characters, ellipsis included."""
    if value is None:
        return None
    text, size, tail = to_s(value), to_integer(length), to_s(ellipsis)
    if len(text) <= size:
        return text
    return text[: max(size - len(tail), 0)] + tail


def truncatewords(value: Any, words: Any = 15, ellipsis: Any = "...") -> str | None:
    """``truncatewords`` (§4.3): the first ``words`` words plus the ellipsis when cut."""
    if value is None:
        return None
    text, count = to_s(value), max(to_integer(words), 1)
    wordlist = text.split(None, count)
    if len(wordlist) <= count:
        return text
    return " ".join(wordlist[:count]) + to_s(ellipsis)


def _digest(name: str, value: Any) -> str:
    data = value if isinstance(value, bytes) else to_s(value).encode("utf-8")
    return hashlib.new(name, data).hexdigest()


def md5(value: Any) -> str:
    """``md5`` (§4.3)."""
    return _digest("md5", value)


def sha1(value: Any) -> str:
    """``sha1`` (§4.3)."""
    return _digest("sha1", value)


def sha256(value: Any) -> str:
    """``sha256`` (§4.3)."""
    return _digest("sha256", value)


def sha512(value: Any) -> str:
    """``sha512`` (§4.3)."""
    return _digest("sha512", value)


def _hmac(name: str, value: Any, key: Any, args: tuple, kwargs: dict) -> str | bytes:
    _, options = split_options(args, kwargs)
    raw_key = key if isinstance(key, bytes) else to_s(key).encode("utf-8")
    data = value if isinstance(value, bytes) else to_s(value).encode("utf-8")
    mac = hmac.new(raw_key, data, name)
    return mac.digest() if options.get("binary") is True else mac.hexdigest()


def hmac_sha1(value: Any, key: Any = "", *args: Any, **kwargs: Any) -> str | bytes:
    """``hmac_sha1`` (§4.3): hex digest, raw bytes with ``binary: true``."""
    return _hmac("sha1", value, key, args, kwargs)


def hmac_sha256(value: Any, key: Any = "", *args: Any, **kwargs: Any) -> str | bytes:
    """``hmac_sha256`` (§4.3)."""
    return _hmac("sha256", value, key, args, kwargs)


def hmac_sha512(value: Any, key: Any = "", *args: Any, **kwargs: Any) -> str | bytes:
    """``hmac_sha512`` (§4.3)."""
    return _hmac("sha512", value, key, args, kwargs)


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else to_s(value).encode("utf-8")


def _text(data: bytes, force_utf8: bool = True) -> str | bytes:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace") if force_utf8 else data


def base64_encode(value: Any) -> str:
    """``base64_encode`` / ``base64`` (§4.3, §4.8): strict base64."""
    return base64.b64encode(_bytes(value)).decode("ascii")


def base64_decode(value: Any, *args: Any, **kwargs: Any) -> str | bytes:
    """``base64_decode`` / ``decode_base64`` (§4.3, §4.8); ``force_utf8: false`` keeps bytes."""
    _, options = split_options(args, kwargs)
    try:
        data = base64.b64decode(to_s(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HubRenderError("invalid base64 provided to base64_decode") from exc
    return _text(data, options.get("force_utf8") is not False)


def base64_url_safe_encode(value: Any) -> str:
    """``base64_url_safe_encode`` / ``base64url`` (§4.3): URL-safe alphabet, padding kept."""
    return base64.urlsafe_b64encode(_bytes(value)).decode("ascii")


def base64_url_safe_decode(value: Any) -> str | bytes:
    """``base64_url_safe_decode`` / ``decode_base64url`` (§4.3)."""
    text = to_s(value)
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise HubRenderError("invalid base64 provided to base64_url_safe_decode") from exc
    return _text(data)


def handleize(value: Any) -> str:
    """``handleize`` / ``handle`` (§4.3): lower case, runs of non-alphanumerics become ``-``."""
    text = unicodedata.normalize("NFC", to_s(value)).lower()
    return re.sub(r"[^\w]+|_+", "-", text).strip("-")


def pluralize(value: Any, singular: Any = "", plural: Any = "") -> str:
    """``pluralize`` (§4.3): the singular word when the input is 1, else the plural."""
    return to_s(singular) if to_number(value) == 1 else to_s(plural)


def url_param_escape(value: Any) -> str:
    """``url_param_escape`` (§4.9): percent-encode all but RFC 3986 unreserved characters."""
    return quote(to_s(value), safe="-._~")


def _tag_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [to_s(v).strip() for v in value if to_s(v).strip()]
    return [t.strip() for t in to_s(value).split(",") if t.strip()]


def add_tag(value: Any, tag: Any) -> str:
    """``add_tag`` (§4.8, deprecated): a REST tag string with the tag added when absent."""
    return add_tags(value, [tag])


def add_tags(value: Any, tags: Any) -> str:
    """``add_tags`` (§4.8, deprecated)."""
    current = _tag_list(value)
    for tag in _tag_list(tags):
        if tag not in current:
            current.append(tag)
    return ", ".join(current)


def remove_tag(value: Any, tag: Any) -> str:
    """``remove_tag`` (§4.8, deprecated)."""
    return remove_tags(value, [tag])


def remove_tags(value: Any, tags: Any) -> str:
    """``remove_tags`` (§4.8, deprecated)."""
    drop = set(_tag_list(tags))
    return ", ".join(t for t in _tag_list(value) if t not in drop)


def e164(value: Any) -> str | None:
    """``e164`` (§4.3): the number's digits without ``+``; nil when it cannot be a valid number."""
    digits = re.sub(r"\D", "", to_s(value))
    if len(digits) < 8 or len(digits) > 15 or digits.startswith("0"):
        return None
    return digits


FILTERS = {
    "split": split,
    "replace": replace,
    "replace_first": replace_first,
    "replace_last": replace_last,
    "remove": remove,
    "remove_first": remove_first,
    "remove_last": remove_last,
    "append": append,
    "prepend": prepend,
    "capitalize": capitalize,
    "downcase": downcase,
    "upcase": upcase,
    "strip": strip,
    "lstrip": lstrip,
    "rstrip": rstrip,
    "strip_newlines": strip_newlines,
    "newline_to_br": newline_to_br,
    "unindent": unindent,
    "md5": md5,
    "sha1": sha1,
    "sha256": sha256,
    "sha512": sha512,
    "hmac_sha1": hmac_sha1,
    "hmac_sha256": hmac_sha256,
    "hmac_sha512": hmac_sha512,
    "base64_encode": base64_encode,
    "base64_decode": base64_decode,
    "base64_url_safe_encode": base64_url_safe_encode,
    "base64_url_safe_decode": base64_url_safe_decode,
    "base64": base64_encode,
    "decode_base64": base64_decode,
    "base64url": base64_url_safe_encode,
    "decode_base64url": base64_url_safe_decode,
    "handleize": handleize,
    "handle": handleize,
    "pluralize": pluralize,
    "url_param_escape": url_param_escape,
    "add_tag": add_tag,
    "add_tags": add_tags,
    "remove_tag": remove_tag,
    "remove_tags": remove_tags,
    "e164": e164,
    "escape": escape,
    "escape_once": escape_once,
    "truncate": truncate,
    "truncatewords": truncatewords,
}
