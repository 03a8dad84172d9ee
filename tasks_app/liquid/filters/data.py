"""Data filters: JSON, JSONL, CSV, GraphQL and the ``shopify`` read (spec/liquid.md §4.2)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from liquid.filter import with_context

from ..values import HubRenderError, is_number, parse_json_text, to_json, to_s
from .base import settings_of, split_options


def json_filter(value: Any) -> str:
    """``json`` (§4.2, §1.7): compact JSON text of the input."""
    return to_json(value)


def parse_json(value: Any, *args: Any, **kwargs: Any) -> Any:
    """``parse_json`` (§4.2): the parsed value; invalid JSON is an error unless ``silent: true``."""
    _, options = split_options(args, kwargs)
    if value is None:
        return None
    try:
        return parse_json_text(to_s(value))
    except ValueError as exc:
        if options.get("silent") is True:
            return None
        raise HubRenderError(f"parse_json: invalid JSON ({exc})") from exc


def jsonl(value: Any) -> str:
    """``jsonl`` (§4.2): one compact JSON text per element, joined by newlines, no trailing newline."""
    if isinstance(value, (list, tuple)):
        return "\n".join(to_json(item) for item in value)
    return to_json(value)


def parse_jsonl(value: Any) -> list:
    """``parse_jsonl`` (§4.2): each non-blank line, trimmed, parsed as JSON."""
    out = []
    for number, line in enumerate(to_s(value).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(parse_json_text(line.strip()))
        except ValueError as exc:
            raise HubRenderError(f"parse_jsonl: invalid JSON on line {number} ({exc})") from exc
    return out


def _csv_cell(cell: Any) -> str | None:
    if cell is None:
        return None
    return to_s(cell)


def csv_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    """``csv`` (§4.2): CSV text of a 2-D array, minimal quoting, ``\\n`` after every row;
    ``include_bom: true`` prefixes U+FEFF. Rows that are not arrays are an error."""
    positional, options = split_options(args, kwargs)
    delimiter = positional[0] if positional else options.get("delimiter", ",")
    delimiter = to_s(delimiter) or ","
    if not isinstance(value, (list, tuple)):
        raise HubRenderError("csv: input must be an array of rows")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for row in value:
        if not isinstance(row, (list, tuple)):
            raise HubRenderError("csv: every row must be an array")
        writer.writerow(["" if cell is None else to_s(cell) for cell in row])
    text = buf.getvalue()
    return ("\ufeff" + text) if options.get("include_bom") is True else text


def parse_csv(value: Any, *args: Any, **kwargs: Any) -> list:
    """``parse_csv`` (§4.2): rows as arrays of strings (empty fields nil), or hashes keyed by
    the first row with ``headers: true``."""
    _, options = split_options(args, kwargs)
    delimiter = to_s(options.get("delimiter", ",")) or ","
    text = to_s(value)
    if not text:
        return []
    try:
        rows = [
            [cell if cell != "" else None for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
        ]
    except csv.Error as exc:
        raise HubRenderError(f"parse_csv: malformed CSV ({exc})") from exc
    if options.get("headers") is True:
        if not rows:
            return []
        header = [to_s(name) for name in rows[0]]
        return [dict(zip(header, row + [None] * (len(header) - len(row)), strict=False)) for row in rows[1:]]
    return rows


def _graphql_value(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if is_number(value):
        return to_s(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_graphql_value(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_graphql_value(item) for item in value) + "]"
    return json.dumps(to_s(value), ensure_ascii=False)


def graphql_arguments(value: Any) -> str:
    """``graphql_arguments`` (§4.2): a hash becomes ``key: value`` pairs without braces; anything
    else a GraphQL literal (arrays ``[…]``, strings JSON-quoted, nil ``null``)."""
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_graphql_value(item)}" for key, item in value.items())
    return _graphql_value(value)


_MUTATION = re.compile(r"\A(?:\s|#[^\n]*\n)*mutation\b")


@with_context
def shopify(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> Any:
    """``shopify`` (§4.2, §6.2): an Admin GraphQL read. Every call is recorded in
    ``settings.shopify_calls`` as ``{"query", "variables"}``; in preview, or when no handler is
    configured, the result is nil. Mutations are refused (render error, nothing sent)."""
    _, options = split_options(args, kwargs)
    query = to_s(value)
    variables = options.get("variables")
    if _MUTATION.match(query):
        raise HubRenderError(
            "shopify: mutations are not supported in the shopify filter; use a shopify action"
        )
    settings = settings_of(context)
    settings.shopify_calls.append({"query": query, "variables": variables})
    if settings.preview or settings.shopify is None:
        return None
    try:
        return settings.shopify(query, variables)
    except HubRenderError:
        raise
    except Exception as exc:  # noqa: BLE001 - transport failures fail the run (§1.6)
        raise HubRenderError(f"shopify: {exc}") from exc


def default(value: Any, *args: Any, **kwargs: Any) -> Any:
    """``default`` (§4.2): the value when the input is nil, false, "", [] or {};
    ``allow_false: true`` keeps a false input."""
    fallback = args[0] if args else ""
    if len(args) > 1 and isinstance(args[-1], dict) and "allow_false" in args[-1]:
        kwargs = {**args[-1], **kwargs}
    allow_false = kwargs.get("allow_false") is True
    if value is False and allow_false:
        return value
    if value is None or value is False or (isinstance(value, (str, list, tuple, dict)) and not value):
        return fallback
    return value


FILTERS = {
    "json": json_filter,
    "parse_json": parse_json,
    "jsonl": jsonl,
    "parse_jsonl": parse_jsonl,
    "csv": csv_filter,
    "parse_csv": parse_csv,
    "graphql_arguments": graphql_arguments,
    "shopify": shopify,
    "default": default,
}


def _xml_node(element: Any) -> Any:
    children = list(element)
    text = (element.text or "").strip()
    if not children and not element.attrib:
        return text or None
    node: dict = dict(element.attrib)
    for child in children:
        value = _xml_node(child)
        if child.tag in node:
            existing = node[child.tag]
            node[child.tag] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            node[child.tag] = value
    return node


def parse_xml(value: Any) -> dict:
    """``parse_xml`` (§4.2): a hash shaped like Rails ``Hash.from_xml`` (root element as the
    single key, repeated siblings as arrays, text-only elements as strings, empty as nil)."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(to_s(value).strip())
    except ElementTree.ParseError as exc:
        raise HubRenderError(f"parse_xml: invalid XML ({exc})") from exc
    return {root.tag: _xml_node(root)}


@with_context
def gzip_filter(value: Any, context: Any = None) -> bytes:
    """``gzip`` (§4.2): gzip bytes (header time = the run's "now", as Ruby's Zlib writes it)."""
    import struct
    import zlib

    data = value if isinstance(value, bytes) else to_s(value).encode("utf-8")
    mtime = int(settings_of(context).now.timestamp())
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(data) + compressor.flush()
    header = b"\x1f\x8b\x08\x00" + struct.pack("<I", mtime & 0xFFFFFFFF) + b"\x00\x03"
    return header + body + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


def gunzip(value: Any, *args: Any, **kwargs: Any) -> str | bytes:
    """``gunzip`` (§4.2): decompressed text, converted to UTF-8 unless ``force_utf8: false``."""
    import gzip as gzip_module

    _, options = split_options(args, kwargs)
    data = value if isinstance(value, bytes) else to_s(value).encode("latin-1", errors="replace")
    try:
        raw = gzip_module.decompress(data)
    except (OSError, EOFError) as exc:
        raise HubRenderError(f"gunzip: invalid gzip data ({exc})") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace") if options.get("force_utf8") is not False else raw


FILTERS.update({"parse_xml": parse_xml, "gzip": gzip_filter, "gunzip": gunzip})
