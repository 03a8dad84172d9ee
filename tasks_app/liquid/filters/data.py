"""Data filters (spec/liquid.md §4.2): JSON and JSONL, CSV, XML, GraphQL literals, the
``shopify`` read, ``default`` and gzip."""

from __future__ import annotations

import gzip as gzip_module
import json
import re
import struct
import zlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import xmltodict
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from liquid.filter import with_context

from ..values import HubRenderError, error_text, is_number, to_json, to_s
from .base import as_bytes, force_utf8, is_true, settings_of, split_options

# -- JSON ---------------------------------------------------------------------------------


def json_filter(value: Any) -> str:
    """``json`` (§4.2, §1.7): compact JSON text of the input.

    Raises HubRenderError for binary (non UTF-8) strings and NaN/Infinity.
    """
    try:
        return to_json(value)
    except HubRenderError as exc:
        raise HubRenderError(f"json: {exc.message}") from exc


def _parse_json(text: str, filter_name: str, where: str = "") -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise HubRenderError(
            f"{filter_name}: invalid JSON{where} at line {exc.lineno}, column {exc.colno} ({exc.msg})"
        ) from exc
    except ValueError as exc:  # NaN / Infinity, integers too long for Python to read
        raise HubRenderError(f"{filter_name}: invalid JSON{where} ({error_text(exc)})") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(value: Any, *args: Any, **kwargs: Any) -> Any:
    """``parse_json`` (§4.2): the parsed value (any JSON type). nil → nil; other non-strings
    are parsed from their ``to_s``. Invalid JSON is a render error
    (``parse_json: invalid JSON at line 1, column 3 (…)``) unless ``silent: true`` (→ nil)."""
    _, options = split_options(args, kwargs)
    if value is None:
        return None
    try:
        return _parse_json(value.decode("utf-8") if isinstance(value, bytes) else to_s(value), "parse_json")
    except (HubRenderError, UnicodeDecodeError):
        if is_true(options, "silent"):
            return None
        raise


def jsonl(value: Any) -> str:
    """``jsonl`` (§4.2): one compact JSON text per element joined by ``\\n`` (no trailing
    newline); a non-array input is a single line."""
    items = value if isinstance(value, (list, tuple)) else [value]
    try:
        return "\n".join(to_json(item) for item in items)
    except HubRenderError as exc:
        raise HubRenderError(f"jsonl: {exc.message}") from exc


def parse_jsonl(value: Any) -> list:
    """``parse_jsonl`` (§4.2): an array of the parsed lines; lines are trimmed and blank lines
    skipped; an invalid line is a render error naming its line number."""
    out = []
    for number, line in enumerate(to_s(value).split("\n"), start=1):
        line = line.strip(" \t\r\v\f")
        if line:
            out.append(_parse_json(line, "parse_jsonl", f" on line {number}"))
    return out


# -- CSV ----------------------------------------------------------------------------------


def _csv_field(cell: Any, delimiter: str) -> str:
    if cell is None:
        return ""
    text = to_s(cell)
    if delimiter in text or any(char in text for char in '"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    """``csv`` (§4.2): ``rows | csv[: delimiter][, include_bom: true]`` → CSV text.

    The input is an array of rows (arrays); nil cells are empty fields; fields containing the
    delimiter, ``"``, CR or LF are quoted with ``"`` doubled; every row ends with ``\\n``;
    ``include_bom: true`` starts the text with U+FEFF. ``delimiter:`` also works as a keyword.
    A non-array input or row is a render error.
    """
    positional, options = split_options(args, kwargs)
    delimiter = to_s(positional[0] if positional else options.get("delimiter", ","))
    if delimiter == "":
        raise HubRenderError("csv: the delimiter must not be empty")
    if not isinstance(value, (list, tuple)):
        raise HubRenderError("csv: the input must be an array of rows")
    lines = []
    for index, row in enumerate(value, start=1):
        if not isinstance(row, (list, tuple)):
            raise HubRenderError(f"csv: row {index} is not an array")
        lines.append(delimiter.join(_csv_field(cell, delimiter) for cell in row) + "\n")
    text = "".join(lines)
    return "\ufeff" + text if is_true(options, "include_bom") else text


def _csv_rows(text: str, delimiter: str) -> list[list[str | None]]:
    """Ruby CSV parsing: quoted fields may hold delimiters, quotes (doubled) and newlines;
    unquoted empty → nil, quoted empty → ""; a blank line is an empty row."""
    rows: list[list[str | None]] = []
    row: list[str | None] = []
    pos, size, line = 0, len(text), 1
    stops = re.compile("|".join(map(re.escape, [delimiter, "\r", "\n"])))
    while True:
        field: str | None
        if text.startswith('"', pos):
            field, pos, line = _quoted_field(text, pos, line, delimiter)
        else:
            found = stops.search(text, pos)
            end = found.start() if found else size
            field = text[pos:end]
            if '"' in field:
                raise HubRenderError(f"parse_csv: illegal quoting in line {line}")
            pos = end
            field = field or None
            if field is None and not row and (pos >= size or text[pos] in "\r\n"):
                # A blank line is an empty row (Ruby CSV), not a row with one nil field.
                if pos >= size:
                    break
                pos += 2 if text.startswith("\r\n", pos) else 1
                rows.append([])
                line += 1
                if pos >= size:
                    break
                continue
        row.append(field)
        if pos >= size:
            rows.append(row)
            break
        if text.startswith(delimiter, pos):
            pos += len(delimiter)
            continue
        pos += 2 if text.startswith("\r\n", pos) else 1
        rows.append(row)
        row = []
        line += 1
        if pos >= size:
            break
    return rows


def _quoted_field(text: str, pos: int, line: int, delimiter: str) -> tuple[str, int, int]:
    """The quoted field opening at ``pos``: ``(its text, the position after it, the line there)``."""
    start_line = line
    pieces, pos = [], pos + 1
    while True:
        end = text.find('"', pos)
        if end < 0:
            raise HubRenderError(f"parse_csv: unclosed quoted field in line {start_line}")
        pieces.append(text[pos:end])
        if not text.startswith('"', end + 1):
            pos = end + 1
            break
        pieces.append('"')  # a doubled quote
        pos = end + 2
    field = "".join(pieces)
    line += field.count("\n")
    if pos < len(text) and not text.startswith(delimiter, pos) and text[pos] not in "\r\n":
        raise HubRenderError(f"parse_csv: any value after quoted field isn't allowed in line {line}")
    return field, pos, line


def parse_csv(value: Any, *args: Any, **kwargs: Any) -> list:
    """``parse_csv`` (§4.2): ``text | parse_csv[: headers: true][, delimiter: ";"]``.

    An array of rows (arrays of strings; unquoted empty fields nil, quoted empty ``""``); with
    ``headers: true`` an array of hashes keyed by the first row (missing fields nil, extra
    fields dropped, the first of duplicate headers wins). Empty input → []. Malformed CSV
    (unclosed quote, stray quote, text after a closing quote) is a render error naming the line.
    """
    _, options = split_options(args, kwargs)
    delimiter = to_s(options.get("delimiter", ","))
    if delimiter == "":
        raise HubRenderError("parse_csv: the delimiter must not be empty")
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else to_s(value)
    if not text:
        return []
    rows = _csv_rows(text, delimiter)
    if not is_true(options, "headers"):
        return rows
    if not rows:
        return []
    header = ["" if name is None else name for name in rows[0]]
    out = []
    for row in rows[1:]:
        record: dict = {}
        for index, name in enumerate(header):
            if name not in record:
                record[name] = row[index] if index < len(row) else None
        out.append(record)
    return out


# -- XML ----------------------------------------------------------------------------------


def _rails_xml(value: Any) -> Any:
    """xmltodict's tree → Rails ``Hash.from_xml``: text wins over attributes and children,
    blank elements are nil, dashes in names become underscores."""
    if isinstance(value, list):
        return [_rails_xml(item) for item in value]
    if isinstance(value, str):
        return value if value.strip() else None
    if not isinstance(value, Mapping):
        return value
    content = value.get("__content__")
    if content is not None and content.strip():
        return content
    node = {key.replace("-", "_"): _rails_xml(item) for key, item in value.items() if key != "__content__"}
    return node or None


def parse_xml(value: Any) -> dict:
    """``parse_xml`` (§4.2): a hash shaped as Rails ``Hash.from_xml`` builds it.

    The root element is the single top key; repeated siblings → array; text-only element →
    its text (as written); empty or whitespace-only element → nil; attributes are keys next
    to the children; an element with text keeps only the text; ``type=`` attributes are not
    typecast; namespace prefixes stay in names; ``-`` in names becomes ``_``. Blank input →
    {}. Invalid XML and entity declarations (defused) are render errors.
    """
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else to_s(value)
    if not text.strip():
        return {}
    try:
        SafeElementTree.fromstring(text.strip())
        tree = xmltodict.parse(
            text.strip(),
            attr_prefix="",
            cdata_key="__content__",
            strip_whitespace=False,
            disable_entities=True,
        )
    except DefusedXmlException as exc:
        raise HubRenderError(f"parse_xml: forbidden XML construct ({exc.__class__.__name__})") from exc
    except (SafeElementTree.ParseError, ValueError) as exc:
        raise HubRenderError(f"parse_xml: invalid XML ({exc})") from exc
    return {key.replace("-", "_"): _rails_xml(item) for key, item in tree.items()}


# -- GraphQL ------------------------------------------------------------------------------


def _graphql_value(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if is_number(value):
        if isinstance(value, (float, Decimal)) and not Decimal(value).is_finite():
            raise HubRenderError("graphql_arguments: NaN and Infinity are not GraphQL values")
        return to_s(value)
    if hasattr(value, "to_liquid_json"):
        value = value.to_liquid_json()
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + _graphql_pairs(value) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_graphql_value(item) for item in value) + "]"
    if isinstance(value, bytes):
        raise HubRenderError("graphql_arguments: cannot print a binary (non UTF-8) string")
    return json.dumps(to_s(value), ensure_ascii=False)


def _graphql_pairs(value: Mapping) -> str:
    return ", ".join(f"{to_s(key)}: {_graphql_value(item)}" for key, item in value.items())


def graphql_arguments(value: Any) -> str:
    """``graphql_arguments`` (§4.2): GraphQL literal text.

    A hash → ``key: value`` pairs separated by ``", "`` **without** braces (for use inside
    ``field(…)``); an array → ``[v1, v2]``; nested hashes → ``{ k: v }``; strings JSON-quoted;
    numbers and booleans bare; nil → ``null``; other scalars printed as a nested value.
    """
    if isinstance(value, Mapping):
        return _graphql_pairs(value)
    return _graphql_value(value)


# -- shopify ------------------------------------------------------------------------------

_MUTATION = re.compile(r"\A(?:\s|#[^\n]*\n)*mutation\b")


@with_context
def shopify(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> Any:
    """``shopify`` (§4.2, §6.2): an Admin GraphQL read, ``query | shopify[: variables: hash]``.

    Every call is recorded in ``settings.shopify_calls`` as ``{"query", "variables"}``; in
    preview, or when no handler is configured, the result is nil. Mutations are refused
    (render error, nothing sent); handler failures are render errors.
    """
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
    except Exception as exc:  # transport failures fail the run (§1.6)
        if getattr(exc, "permanent", True) is False:  # network error or 5xx: a retry may succeed
            settings.transient_failure = True
        raise HubRenderError(f"shopify: {exc}") from exc


# -- default ------------------------------------------------------------------------------


def default(value: Any, *args: Any, **kwargs: Any) -> Any:
    """``default`` (§4.2): ``input | default: value[, allow_false: true]``.

    The value (``""`` when omitted) when the input is nil, false, ``""``, [] or {}; otherwise
    the input (whitespace strings and 0 are kept). ``allow_false: true`` keeps a false input.
    A single hash argument is the value, not options (§4.1).
    """
    fallback = args[0] if args else ""
    options = dict(kwargs)
    if len(args) > 1 and isinstance(args[-1], Mapping):
        options = {**args[-1], **options}
    if value is False and options.get("allow_false") is True:
        return value
    if value is None or value is False or (isinstance(value, (str, list, tuple, dict)) and not value):
        return fallback
    return value


# -- gzip ---------------------------------------------------------------------------------


@with_context
def gzip_filter(value: Any, context: Any = None) -> bytes:
    """``gzip`` (§4.2): gzip bytes of the input (a binary string: follow with
    ``base64_encode`` before printing it into JSON). The header time is the run's "now" and
    the header bytes are Ruby Zlib's, so output is reproducible within a run."""
    data = as_bytes(value)
    mtime = int(settings_of(context).now.timestamp())
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(data) + compressor.flush()
    header = b"\x1f\x8b\x08\x00" + struct.pack("<I", mtime & 0xFFFFFFFF) + b"\x00\x03"
    return header + body + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


def gunzip(value: Any, *args: Any, **kwargs: Any) -> str | bytes:
    """``gunzip`` (§4.2): the decompressed string, as UTF-8 text (bad bytes → U+FFFD) unless
    ``force_utf8: false``, which keeps a binary string. Invalid gzip data is a render error."""
    _, options = split_options(args, kwargs)
    try:
        raw = gzip_module.decompress(as_bytes(value))
    except (OSError, EOFError, zlib.error) as exc:
        # zlib's and gzip's own messages quote the bytes as Python literals (b'x').
        reason = "not gzip data" if isinstance(exc, gzip_module.BadGzipFile) else "corrupt or truncated"
        raise HubRenderError(f"gunzip: invalid gzip data ({reason})") from exc
    return raw if options.get("force_utf8") is False else force_utf8(raw)


FILTERS = {
    "json": json_filter,
    "parse_json": parse_json,
    "jsonl": jsonl,
    "parse_jsonl": parse_jsonl,
    "csv": csv_filter,
    "parse_csv": parse_csv,
    "parse_xml": parse_xml,
    "graphql_arguments": graphql_arguments,
    "shopify": shopify,
    "default": default,
    "gzip": gzip_filter,
    "gunzip": gunzip,
}
