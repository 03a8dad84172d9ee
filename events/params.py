"""Structured parameters of inbound HTTP requests (spec/platform.md §1.3).

One Rack-style bracket-nesting parser serves query strings, urlencoded bodies
and multipart field names; JSON and multipart bodies feed the same shapes.
Django's ``QueryDict`` never shapes event data. Every parse problem surfaces as
``ParamsError`` so callers can treat it as data ("parse failure"), never as a 500.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
from collections.abc import Iterable
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value
from typing import Any, TypeGuard, cast
from urllib.parse import unquote_to_bytes

logger = logging.getLogger(__name__)

# Rack's default nesting limit; deeper names are a parse failure.
MAX_DEPTH = 32
# Ruby's JSON.parse default ``max_nesting``; it also keeps later recursive walks safe.
MAX_JSON_DEPTH = 100

_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_JSON_MEDIA_TYPE = re.compile(r"application/(?:[^/;\s]+\+)?json")


class ParamsError(ValueError):
    """The input cannot be turned into parameters (a "parse failure" of §1.3)."""


class _FileValue(dict):
    """A multipart file hash; unlike a parameter hash it takes no nested keys (as in Rack)."""


def media_type(content_type: str | None) -> str | None:
    """The lower-cased media type of a ``Content-Type`` value, without parameters.

    ``"Application/JSON; charset=utf-8"`` → ``"application/json"``; ``None`` or a
    blank value → ``None``.
    """
    if not content_type:
        return None
    value = content_type.split(";", 1)[0].strip().lower()
    return value or None


def parse_nested_query(query: str | bytes) -> dict[str, Any]:
    """Parse ``a=1&c[name]=Ana&t[]=x`` into nested parameters (Rack semantics).

    Returns a dict whose values are strings, ``None`` (a name without ``=``),
    lists and dicts: ``a=1&a=2`` → ``{"a": "2"}``, ``t[]=x&t[]=y`` →
    ``{"t": ["x", "y"]}``, ``r[][k]=1&r[][k]=2`` → ``{"r": [{"k": "1"}, {"k": "2"}]}``.
    Pairs are separated by ``&``; ``+`` is a space and percent escapes are
    decoded (as UTF-8) in names and values. A ``str`` is taken as UTF-8 text;
    pass ``bytes`` for raw request data.

    Raises ``ParamsError`` on a shape conflict (``a=1&a[b]=2``), a malformed
    percent escape, bytes that are not UTF-8, or nesting deeper than
    ``MAX_DEPTH``.
    """
    raw = query.encode("utf-8") if isinstance(query, str) else query
    params: dict[str, Any] = {}
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, sep, value = pair.partition(b"=")
        _normalize(params, _unescape(name), _unescape(value) if sep else None, 0)
    return params


def parse_json(raw: bytes) -> Any:
    """Decode a UTF-8 JSON document into Python values.

    Integers stay exact and floats stay floats. Raises ``ParamsError`` for
    invalid JSON, invalid UTF-8, ``NaN``/``Infinity`` and numbers too large for
    a float such as ``1e400`` (not storable as JSON), lone surrogate escapes,
    and arrays or objects nested deeper than ``MAX_JSON_DEPTH``.
    """
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
    except (UnicodeError, ValueError, RecursionError) as exc:
        raise ParamsError(f"invalid JSON: {exc}") from None
    if _nested_deeper_than(value, MAX_JSON_DEPTH):
        raise ParamsError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        # Lone surrogates ("\\ud800") decode fine but cannot be stored.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeError as exc:
        raise ParamsError(f"invalid JSON: {exc}") from None
    return value


def parse_json_params(raw: bytes) -> dict[str, Any]:
    """Parameters of a JSON body: an object as is, anything else as ``{"_json": value}``.

    A blank body gives ``{}``. Raises ``ParamsError`` as ``parse_json`` does.
    """
    if not raw.strip():
        return {}
    value = parse_json(raw)
    return value if isinstance(value, dict) else {"_json": value}


def parse_multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    """Parameters of a ``multipart/form-data`` body.

    ``content_type`` is the full request header (it carries the boundary).
    Field names are bracket-nested like query names (not percent-decoded);
    text parts become strings decoded with the part's charset (UTF-8 by
    default). A part with a non-empty ``filename`` becomes a file hash
    ``{"content_base64": str, "mime_type": str | None, "name": str, "size": int}``
    where ``name`` is the client filename without any directory part; a part
    with an empty filename (a file input left empty) is skipped, as are parts
    without a name.

    Raises ``ParamsError`` when the boundary is missing, the body is not a
    complete multipart document, or a field name or text value is malformed.
    """
    header = content_type.encode("latin-1", "replace")
    try:
        message = BytesParser(policy=policy.HTTP).parsebytes(b"Content-Type: " + header + b"\r\n\r\n" + raw)
        if not message.is_multipart() or not message.get_boundary():
            raise ParamsError("multipart body without a usable boundary")
        if any(type(defect).__name__.endswith("BoundaryNotFoundDefect") for defect in message.defects):
            raise ParamsError("multipart body without its opening or closing boundary")
        params: dict[str, Any] = {}
        # A multipart message's payload is its list of parts.
        for part in cast(list[Message], message.get_payload()):
            name = _disposition_param(part, "name")
            if not name or part.is_multipart():
                continue
            value = _part_value(part)
            if value is not None:
                _normalize(params, name, value, 0)
    except ParamsError:
        raise
    except Exception as exc:  # noqa: BLE001  (the email package reports malformed input in many ways)
        logger.debug("multipart parse failure: %r", exc)
        raise ParamsError(f"malformed multipart body: {exc}") from None
    return _plain(params)


def parse_body(raw: bytes, content_type: str | None) -> dict[str, Any] | None:
    """Structured parameters of a request body, chosen by media type (§1.3).

    JSON (``application/json``, ``application/*+json``), urlencoded and
    multipart bodies give a dict (possibly empty); any other or missing
    content type gives ``None`` (the body stays raw). Raises ``ParamsError``
    on a parse failure.
    """
    kind = media_type(content_type)
    if kind is None:
        return None
    if _JSON_MEDIA_TYPE.fullmatch(kind):
        return parse_json_params(raw)
    if kind == "application/x-www-form-urlencoded":
        return parse_nested_query(raw)
    if kind == "multipart/form-data":
        return parse_multipart(raw, content_type or "")
    return None


def _nested_deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text}")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _unescape(raw: bytes) -> str:
    if _BAD_PERCENT.search(raw):
        raise ParamsError(f"invalid %-encoding in {raw[:64]!r}")
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise ParamsError("parameter is not valid UTF-8") from None


def _normalize(params: dict[str, Any], name: str, value: Any, depth: int) -> Any:
    """Place ``value`` at bracket path ``name`` inside ``params`` (Rack's ``normalize_params``).

    Returns the container the caller stores back, or a one-element list for a
    trailing ``[]`` below the top level.
    """
    if depth >= MAX_DEPTH:
        raise ParamsError(f"parameters nested deeper than {MAX_DEPTH} levels")
    key, after = _split_name(name, depth)
    if not key:
        return params

    if after == "":
        if key == "[]" and depth != 0:
            return [value]
        params[key] = value
    elif after == "[":
        params[name] = value
    elif after == "[]":
        _list_at(params, key).append(value)
    elif after.startswith("[]"):
        _append_to_hashes(_list_at(params, key), after, value, depth)
    else:
        nested = params.setdefault(key, {})
        if not _is_params(nested):
            raise ParamsError(f"expected a hash for parameter {key!r}, got {_kind(nested)}")
        params[key] = _normalize(nested, after, value, depth + 1)
    return params


def _split_name(name: str, depth: int) -> tuple[str, str]:
    """``(key, rest)`` of a bracket path: ``a[b][c]`` → ``("a", "[b][c]")``, ``[b][c]`` below the
    top level → ``("b", "[c]")``, ``[][c]`` → ``("[]", "[c]")``."""
    if depth == 0:
        # The first character never opens nesting, so "[a]" is a plain key.
        start = name.find("[", 1)
        return (name[:start], name[start:]) if start != -1 else (name, "")
    if name.startswith("[]"):
        return "[]", name[2:]
    if name.startswith("[") and (end := name.find("]", 1)) != -1:
        return name[1:end], name[end + 1 :]
    return name, ""


def _append_to_hashes(items: list[Any], after: str, value: Any, depth: int) -> None:
    """Place ``value`` for an ``x[][y]`` path (``after`` is ``[][y]``): in the array's last hash,
    or in a new one when the last hash already has the key."""
    child = after[3:-1]
    if not (after[2:3] == "[" and after.endswith("]") and child and "[" not in child and "]" not in child):
        child = after[2:]
    last = items[-1] if items else None
    if _is_params(last) and not _has_key(last, child):
        _normalize(last, child, value, depth + 1)
    else:
        items.append(_normalize({}, child, value, depth + 1))


def _list_at(params: dict[str, Any], key: str) -> list[Any]:
    items = params.setdefault(key, [])
    if not isinstance(items, list):
        raise ParamsError(f"expected an array for parameter {key!r}, got {_kind(items)}")
    return items


def _is_params(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and not isinstance(value, _FileValue)


def _has_key(params: dict[str, Any], name: str) -> bool:
    if "[]" in name:
        return False
    node: Any = params
    for part in re.split(r"[\[\]]+", name):
        if not part:
            continue
        if not _is_params(node) or part not in node:
            return False
        node = node[part]
    return True


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "a file"


def _disposition_param(part: Message, key: str) -> str | None:
    value = part.get_param(key, header="content-disposition")
    return None if value is None else str(collapse_rfc2231_value(value))


def _part_value(part: Message) -> Any:
    # Callers pass only non-multipart parts, whose decoded payload is bytes.
    payload = cast(bytes | None, part.get_payload(decode=True)) or b""
    filename = _disposition_param(part, "filename")
    if filename is not None:
        if filename == "":
            return None
        mime_type = part.get("content-type")
        return _FileValue(
            content_base64=base64.b64encode(payload).decode("ascii"),
            mime_type=str(mime_type).strip() if mime_type is not None else None,
            name=re.split(r"[/\\]", filename)[-1],
            size=len(payload),
        )
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except LookupError:
        return payload.decode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
