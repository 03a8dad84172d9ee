"""String filters (spec/liquid.md §4.3) and ``url_param_escape`` (§4.9). Inputs go through
Ruby ``to_s`` (nil → ""); ``newline`` arguments match ``\\r?\\n`` (§3.3)."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from typing import Any
from urllib.parse import quote, quote_plus, unquote_to_bytes

import phonenumbers

from ..limits import check_build
from ..values import HubRenderError, text_of, to_number
from .base import force_utf8, integer_arg, is_true, split_options, text_or_binary

_NEWLINE = re.compile(r"\r?\n")
# Ruby's whitespace for strip and awk-style split: ASCII only, never a non-breaking space.
_RUBY_WS = " \t\n\v\f\r\x00"
_AWK_WS = re.compile(r"[ \t\n\v\f\r]+")


def split(value: Any, separator: Any = None) -> list[str]:
    """``split`` (§4.3): Ruby ``String#split``.

    ``" "`` splits on runs of ASCII whitespace and ignores leading whitespace; ``""`` (or nil)
    splits into characters; a newline splits on ``\\r?\\n``; trailing empty strings are
    dropped, leading ones kept; empty input → [].
    """
    text = text_of(value)
    if not text:
        return []
    sep = text_of(separator)
    if sep == " ":
        parts = _AWK_WS.split(text.lstrip(" \t\n\v\f\r"))
    elif sep == "":
        return list(text)
    elif sep == "\n":
        parts = _NEWLINE.split(text)
    else:
        parts = text.split(sep)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _replace(text: str, needle: str, repl: str, count: int) -> str:
    if needle == "\n":
        return _NEWLINE.sub(lambda _m: repl, text, count=max(count, 0))
    if needle == "" and count < 0:
        return repl.join(["", *text, ""]) if text else repl
    return text.replace(needle, repl, count)


def replace(value: Any, search: Any = "", replacement: Any = "") -> str:
    """``replace`` (§4.3): every literal occurrence replaced (literal replacement text, no
    ``\\0`` expansion); a newline search matches ``\\r?\\n``."""
    return _replace(text_of(value), text_of(search), text_of(replacement), -1)


def replace_first(value: Any, search: Any = "", replacement: Any = "") -> str:
    """``replace_first`` (§4.3): the first literal occurrence replaced."""
    return _replace(text_of(value), text_of(search), text_of(replacement), 1)


def replace_last(value: Any, search: Any, replacement: Any) -> str:
    """``replace_last`` (§4.3): the last literal occurrence replaced (replacement required)."""
    text, needle, repl = text_of(value), text_of(search), text_of(replacement)
    if needle == "\n":
        found = list(_NEWLINE.finditer(text))
        if not found:
            return text
        return text[: found[-1].start()] + repl + text[found[-1].end() :]
    index = text.rfind(needle)
    if index < 0:
        return text
    return text[:index] + repl + text[index + len(needle) :]


def remove(value: Any, search: Any = "") -> str:
    """``remove`` (§4.3): every literal occurrence removed (not a regexp)."""
    return replace(value, search, "")


def remove_first(value: Any, search: Any = "") -> str:
    """``remove_first`` (§4.3)."""
    return replace_first(value, search, "")


def remove_last(value: Any, search: Any = "") -> str:
    """``remove_last`` (§4.3)."""
    return replace_last(value, search, "")


def append(value: Any, suffix: Any = "") -> str:
    """``append`` (§4.3): input + string (nil input is ""). A result past the run's memory limit
    is refused before it is built (§6: a loop that doubles a string stops there)."""
    head, tail = text_of(value), text_of(suffix)
    check_build(len(head) + len(tail))
    return head + tail


def prepend(value: Any, prefix: Any = "") -> str:
    """``prepend`` (§4.3): string + input (guarded as ``append``)."""
    head, tail = text_of(prefix), text_of(value)
    check_build(len(head) + len(tail))
    return head + tail


def capitalize(value: Any) -> str:
    """``capitalize`` (§4.3): first character title-cased, the rest lower-cased (Ruby)."""
    return text_of(value).capitalize()


def downcase(value: Any) -> str:
    """``downcase`` (§4.3): Unicode lower case."""
    return text_of(value).lower()


def upcase(value: Any) -> str:
    """``upcase`` (§4.3): Unicode upper case."""
    return text_of(value).upper()


def strip(value: Any) -> str:
    """``strip`` (§4.3): ASCII whitespace and NUL removed at both ends (not U+00A0)."""
    return text_of(value).strip(_RUBY_WS)


def lstrip(value: Any) -> str:
    """``lstrip`` (§4.3): leading whitespace removed."""
    return text_of(value).lstrip(_RUBY_WS)


def rstrip(value: Any) -> str:
    """``rstrip`` (§4.3): trailing whitespace removed."""
    return text_of(value).rstrip(_RUBY_WS)


def strip_newlines(value: Any) -> str:
    """``strip_newlines`` (§4.3): every ``\\r\\n`` and ``\\n`` removed; a lone ``\\r`` stays."""
    return _NEWLINE.sub("", text_of(value))


def newline_to_br(value: Any) -> str:
    """``newline_to_br`` (§4.3): each ``\\r\\n`` or ``\\n`` becomes ``<br />`` plus ``\\n``."""
    return _NEWLINE.sub("<br />\n", text_of(value))


_HTML_BLOCKS = re.compile(r"<script.*?</script>|<!--.*?-->|<style.*?</style>", re.DOTALL)
_HTML_TAGS = re.compile(r"<.*?>", re.DOTALL)


def strip_html(value: Any) -> str:
    """``strip_html`` (§4.3): ``<script>``/``<style>`` blocks and comments removed, then every
    ``<…>`` tag; entities are left as they are."""
    return _HTML_TAGS.sub("", _HTML_BLOCKS.sub("", text_of(value)))


def unindent(value: Any) -> str:
    """``unindent`` (§4.3): the common leading indentation of the non-blank lines removed.

    A tab counts as one column; blank lines are kept (their own indentation is trimmed up to
    the common width), as are leading and trailing blank lines.
    """
    lines = text_of(value).split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip(_RUBY_WS)]
    width = min(indents) if indents else 0
    if not width:
        return "\n".join(lines)
    out = []
    for line in lines:
        lead = len(line) - len(line.lstrip(" \t"))
        out.append(line[min(lead, width) :])
    return "\n".join(out)


_ESCAPE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_ESCAPE_ALL = re.compile(r"[&<>\"']")
_ESCAPE_ONCE = re.compile(r"[\"><']|&(?!([a-zA-Z]+|(#\d+));)")


def escape(value: Any) -> str | None:
    """``escape`` (§4.3): ``& < > " '`` as ``&amp; &lt; &gt; &quot; &#39;``; nil stays nil."""
    if value is None:
        return None
    return _ESCAPE_ALL.sub(lambda m: _ESCAPE[m.group()], text_of(value))


def escape_once(value: Any) -> str | None:
    """``escape_once`` (§4.3): as ``escape``, but existing entities (``&amp;``, ``&#39;``) are
    not escaped again; nil stays nil."""
    if value is None:
        return None
    return _ESCAPE_ONCE.sub(lambda m: _ESCAPE[m.group()[0]], text_of(value))


def url_encode(value: Any) -> str | None:
    """``url_encode`` (§4.3): form encoding (Ruby ``CGI.escape``): space → ``+``, everything
    but ``A-Z a-z 0-9 _ . - ~`` → ``%XX`` of its UTF-8 bytes; nil stays nil."""
    if value is None:
        return None
    return quote_plus(value if isinstance(value, bytes) else text_of(value), safe="")


def url_decode(value: Any) -> str | None:
    """``url_decode`` (§4.3): inverse of ``url_encode`` (``+`` → space, ``%XX`` → byte;
    malformed escapes stay as written); nil stays nil.

    Raises HubRenderError when the decoded bytes are not UTF-8.
    """
    if value is None:
        return None
    data = unquote_to_bytes(text_of(value).replace("+", " "))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HubRenderError("url_decode: invalid byte sequence in UTF-8") from exc


def url_param_escape(value: Any) -> str:
    """``url_param_escape`` (§4.9 decision): percent-encode everything but the RFC 3986
    unreserved characters (space → ``%20``, ``&`` → ``%26``)."""
    return quote(value if isinstance(value, bytes) else text_of(value), safe="-._~")


# -- base64 -------------------------------------------------------------------------------

_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else text_of(value).encode("utf-8")


def b64_strict_decode(text: str, filter_name: str) -> bytes:
    """Ruby ``Base64.strict_decode64``: no whitespace, padding required; else a render error."""
    if not _B64.fullmatch(text):
        raise HubRenderError(f"{filter_name}: invalid base64")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HubRenderError(f"{filter_name}: invalid base64") from exc


def b64_url_safe_decode(text: str, filter_name: str) -> bytes:
    """Ruby ``Base64.urlsafe_decode64``: padding optional, ``-_`` (and ``+/``) accepted."""
    if not text.endswith("=") and len(text) % 4:
        text += "=" * (-len(text) % 4)
    return b64_strict_decode(text.replace("-", "+").replace("_", "/"), filter_name)


def base64_encode(value: Any) -> str:
    """``base64_encode`` (§4.3): strict RFC 4648 base64 of the input's bytes, no line breaks."""
    return base64.b64encode(_bytes(value)).decode("ascii")


def base64_decode(value: Any, *args: Any, **kwargs: Any) -> str | bytes:
    """``base64_decode`` (§4.3): the decoded string; bytes that are not UTF-8 stay a binary
    string (usable as an HMAC key, refused by ``json``). ``force_utf8: true`` converts them
    (U+FFFD for bad bytes). Invalid base64 (whitespace, bad padding) is a render error."""
    _, options = split_options(args, kwargs)
    data = b64_strict_decode(text_of(value), "base64_decode")
    return force_utf8(data) if is_true(options, "force_utf8") else text_or_binary(data)


def base64_url_safe_encode(value: Any) -> str:
    """``base64_url_safe_encode`` (§4.3): URL-safe alphabet, ``=`` padding kept."""
    return base64.urlsafe_b64encode(_bytes(value)).decode("ascii")


def base64_url_safe_decode(value: Any) -> str | bytes:
    """``base64_url_safe_decode`` (§4.3): decoded string (binary when not UTF-8); padding may
    be omitted. Invalid input is a render error."""
    return text_or_binary(b64_url_safe_decode(text_of(value), "base64_url_safe_decode"))


# -- Shopify and Mechanic extras -----------------------------------------------------------

_NON_ALNUM = re.compile(r"[\W_]+")


def handleize(value: Any) -> str:
    """``handleize`` / ``handle`` (§4.3): lower case; every run of characters other than
    letters and digits (Unicode letters count) → ``-``; no ``-`` at either end."""
    text = unicodedata.normalize("NFC", text_of(value)).lower()
    return _NON_ALNUM.sub("-", text).strip("-")


def pluralize(value: Any, singular: Any = "", plural: Any = "") -> str:
    """``pluralize`` (§4.3): the singular word when the input equals 1 (numeric strings are
    coerced), else the plural word; the number itself is not printed."""
    return text_of(singular) if to_number(value) == 1 else text_of(plural)


def truncate(value: Any, length: Any = 50, ellipsis: Any = "...") -> str | None:
    """``truncate`` (§4.3): at most ``length`` characters, ellipsis included; nil stays nil.
    A non-integer length is a render error."""
    if value is None:
        return None
    text, size, tail = text_of(value), integer_arg(length, "truncate", "length"), text_of(ellipsis)
    if len(text) <= size:
        return text
    return text[: max(size - len(tail), 0)] + tail


def truncatewords(value: Any, words: Any = 15, ellipsis: Any = "...") -> str | None:
    """``truncatewords`` (§4.3): the first ``words`` whitespace-separated words (``≤ 0``
    counts as 1), plus the ellipsis when something was cut; nil stays nil."""
    if value is None:
        return None
    text = text_of(value)
    count = max(integer_arg(words, "truncatewords", "word count"), 1)
    wordlist = _AWK_WS.split(text.lstrip(" \t\n\v\f\r"), maxsplit=count)
    if len(wordlist) <= count:
        return text
    return " ".join(wordlist[:count]) + text_of(ellipsis)


def e164(value: Any) -> str | None:
    """``e164`` (§4.3): the number in E.164 as digits without ``+`` (``"1 (312) 456-7890"`` →
    ``13124567890``). The country code is required; anything that is not a valid number
    (per libphonenumber) gives nil."""
    text = text_of(value).strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text if text.startswith("+") else "+" + text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


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
    "strip_html": strip_html,
    "unindent": unindent,
    "escape": escape,
    "escape_once": escape_once,
    "url_encode": url_encode,
    "url_decode": url_decode,
    "url_param_escape": url_param_escape,
    "base64_encode": base64_encode,
    "base64_decode": base64_decode,
    "base64_url_safe_encode": base64_url_safe_encode,
    "base64_url_safe_decode": base64_url_safe_decode,
    "handleize": handleize,
    "handle": handleize,
    "pluralize": pluralize,
    "truncate": truncate,
    "truncatewords": truncatewords,
    "e164": e164,
}
