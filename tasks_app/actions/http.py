"""The ``http`` action: one arbitrary HTTP request with ``requests`` (spec/actions.md §2).

Every option except ``files`` (multipart uploads) and ``proxy``, which fail as
not supported yet. Secret resolution (§0.4) and the outbound address guard
come later.
"""

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings

from tasks_app.actions.base import (
    Action,
    ActionContext,
    OptionError,
    PermanentActionError,
    TransientActionError,
    bool_option,
    compact_json,
    describe,
    register,
    require_object,
    string_option,
)

METHODS = ("options", "head", "get", "post", "put", "patch", "delete")
BODY_REQUIRED = ("post", "put", "patch")
MAX_REDIRECTS = 10
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
HEADER_NAME_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 token


@dataclass(frozen=True)
class HttpOptions:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    follow_redirects: bool = True
    verify: bool = True
    error_on_5xx: bool = False


def media_type(content_type: str | None) -> str:
    """``application/json`` for ``Application/JSON; charset=utf-8``; "" when absent."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def header_lookup(headers: dict[str, str], name: str) -> str | None:
    """A header's value by case-insensitive name."""
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def form_scalar(value: Any) -> str:
    """A form value's text: strings as is, ``true``/``false``, numbers as in JSON, null as ""."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return compact_json(value)


def form_pairs(value: Any, prefix: str) -> list[tuple[str, str]]:
    """Flatten nested data in bracket notation: ``a[b]=1``, ``a[]=1``, ``a[][b]=1``."""
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in form_pairs(item, f"{prefix}[{key}]")]
    if isinstance(value, list):
        if not value:
            return [(f"{prefix}[]", "")]
        return [pair for item in value for pair in form_pairs(item, f"{prefix}[]")]
    return [(prefix, form_scalar(value))]


def form_encode(body: dict | list) -> str:
    """``application/x-www-form-urlencoded`` text for an object, or an array of ``[name, value]`` pairs."""
    if isinstance(body, dict):
        pairs = [pair for key, value in body.items() for pair in form_pairs(value, str(key))]
    else:
        pairs = []
        for item in body:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                raise OptionError("body", "a form body array must hold [name, value] pairs")
            pairs.extend(form_pairs(item[1], item[0]))
    return urlencode(pairs)


def encode_body(body: Any, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """The request body bytes and the headers to send (spec/actions.md §2 "Request body" rules 2–5).

    A string goes verbatim; an object/array is form-encoded under
    ``application/x-www-form-urlencoded`` and JSON-encoded otherwise; other
    values are JSON-encoded. ``Content-Type: application/json`` is added when
    JSON is sent without a Content-Type.
    """
    if isinstance(body, str):
        return body.encode(), headers
    content_type = header_lookup(headers, "Content-Type")
    if isinstance(body, dict | list) and media_type(content_type) == "application/x-www-form-urlencoded":
        return form_encode(body).encode(), headers
    if content_type is None:
        headers = {**headers, "Content-Type": "application/json"}
    return compact_json(body).encode(), headers


def clean_headers(options: dict) -> dict[str, str]:
    """``headers``: an object of header name → string (numbers are taken as their text)."""
    value = options.get("headers")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OptionError("headers", f"must be an object of header name → value, got {describe(value)}")
    headers = {}
    for name, header_value in value.items():
        if not HEADER_NAME_RE.fullmatch(name):
            raise OptionError("headers", f"{name!r} is not a valid header name")
        if isinstance(header_value, int | float) and not isinstance(header_value, bool):
            header_value = compact_json(header_value)
        if not isinstance(header_value, str):
            raise OptionError(
                "headers", f"the value of {name!r} must be a string, got {describe(header_value)}"
            )
        if any(char in header_value for char in "\r\n\0") or header_value != header_value.strip():
            raise OptionError(
                "headers", f"the value of {name!r} must not contain line breaks or surrounding spaces"
            )
        try:
            header_value.encode("latin-1")
        except UnicodeEncodeError:
            raise OptionError("headers", f"the value of {name!r} must be Latin-1 text") from None
        headers[name] = header_value
    return headers


def response_headers(response: requests.Response) -> dict[str, list[str]]:
    """Every response header, lowercased, one list element per occurrence (``set-cookie`` twice → 2)."""
    raw = getattr(response.raw, "headers", None)
    if raw is None or not hasattr(raw, "getlist"):
        return {name.lower(): [value] for name, value in response.headers.items()}
    headers: dict[str, list[str]] = {}
    for name in raw:
        headers.setdefault(name.lower(), []).extend(raw.getlist(name))
    return headers


def parse_body(data: bytes, content_type: str | None) -> Any:
    """Parsed JSON for ``application/json`` and ``*/*+json``, else UTF-8 text; "" when empty."""
    if not data:
        return ""
    text = data.decode("utf-8", errors="replace")
    kind = media_type(content_type)
    if kind == "application/json" or (kind.endswith("+json") and "/" in kind):
        try:
            return json.loads(data)
        except ValueError:
            return text
    return text


def read_capped(response: requests.Response) -> bytes:
    """The content-decoded body, failing permanently past 20 MB (spec/actions.md §2 "Performing")."""
    limit_error = PermanentActionError(f"the response body is larger than {MAX_RESPONSE_BYTES} bytes (20 MB)")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise limit_error
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise limit_error
        chunks.append(chunk)
    return b"".join(chunks)


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception behind a ``requests`` error (the ``OSError`` that says what happened)."""
    seen = set()
    current = exc
    while id(current) not in seen:
        seen.add(id(current))
        inner = getattr(current, "reason", None)
        if not isinstance(inner, BaseException):
            inner = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        inner = inner or current.__cause__ or current.__context__
        if inner is None:
            break
        current = inner
    return current


def describe_failure(exc: requests.RequestException) -> str:
    """A short reason without object reprs: ``Connection refused``, ``Name or service not known``."""
    cause = root_cause(exc)
    reason = getattr(cause, "strerror", None)
    if not reason:
        reason = str(cause) or type(cause).__name__
        # urllib3 prefixes the connection object's repr: "<...HTTPConnection object at 0x..>: message".
        reason = re.sub(r"^<[^>]*>:\s*", "", reason)
    return reason


def connection_error(exc: requests.RequestException, options: HttpOptions) -> Exception:
    """Map a ``requests`` failure: TLS verification and redirect loops are permanent, the rest transient."""
    target = urlsplit(options.url)
    where = f"{options.method.upper()} {target.scheme}://{target.netloc}"
    if isinstance(exc, requests.exceptions.SSLError):
        return PermanentActionError(f"{where}: TLS failed: {describe_failure(exc)}")
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return PermanentActionError(f"{where}: more than {MAX_REDIRECTS} redirects")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransientActionError(
            f"{where}: could not connect within {settings.HUB_HTTP_CONNECT_TIMEOUT_S} s"
        )
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return TransientActionError(f"{where}: no response within {settings.HUB_HTTP_READ_TIMEOUT_S} s")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return TransientActionError(f"{where}: connection failed: {describe_failure(exc)}")
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidHeader):
        return PermanentActionError(f"{where}: {describe_failure(exc)}")
    return TransientActionError(f"{where} failed: {describe_failure(exc)}")


@register
class HttpAction(Action):
    """Sends the request and returns the response.

    Options (object): ``method`` and ``url`` (required), ``headers``, ``body``
    (required for post/put/patch), ``follow_redirects``, ``verify`` (true),
    ``error_on_5xx`` (false). Result: ``{"status", "headers" (lowercased →
    list), "body" (JSON or text), "body_base64"}``; any received response is a
    success unless ``error_on_5xx`` and a 5xx (``HTTP <status> response``,
    transient). Connection failures and timeouts are transient; validation,
    TLS failures and oversized bodies are permanent.
    """

    type = "http"

    def validate(self, options: Any) -> HttpOptions:
        options = require_object(options)
        for name, feature in (("files", "file uploads"), ("proxy", "proxies")):
            if options.get(name) is not None:
                raise OptionError(name, f"{feature} are not supported yet")
        method = string_option(options, "method", require=True).strip().lower()
        if method not in METHODS:
            raise OptionError("method", f"{options['method']!r} is not one of {', '.join(METHODS)}")
        url = string_option(options, "url", require=True).strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise OptionError("url", f"{url!r} must be an http:// or https:// URL with a host")
        headers = clean_headers(options)
        body = options.get("body")
        if body is None and method in BODY_REQUIRED:
            raise OptionError("body", f"is required for {method.upper()} requests")
        data = None
        if body is not None:
            data, headers = encode_body(body, headers)
        return HttpOptions(
            method=method,
            url=url,
            headers=headers,
            body=data,
            follow_redirects=bool_option(options, "follow_redirects", True),
            verify=bool_option(options, "verify", True),
            error_on_5xx=bool_option(options, "error_on_5xx", False),
        )

    def perform(self, context: ActionContext) -> dict:
        opts: HttpOptions = context.options
        timeout = (settings.HUB_HTTP_CONNECT_TIMEOUT_S, settings.HUB_HTTP_READ_TIMEOUT_S)
        with requests.Session() as session:
            session.max_redirects = MAX_REDIRECTS
            try:
                response = session.request(
                    opts.method.upper(),
                    opts.url,
                    headers=opts.headers,
                    data=opts.body,
                    allow_redirects=opts.follow_redirects,
                    verify=opts.verify,
                    timeout=timeout,
                    stream=True,
                )
                with response:
                    data = b"" if opts.method == "head" else read_capped(response)
            except requests.RequestException as exc:
                raise connection_error(exc, opts) from exc
        if opts.error_on_5xx and 500 <= response.status_code < 600:
            raise TransientActionError(f"HTTP {response.status_code} response")
        return {
            "status": response.status_code,
            "headers": response_headers(response),
            "body": parse_body(data, response.headers.get("Content-Type")),
            "body_base64": base64.b64encode(data).decode("ascii"),
        }
