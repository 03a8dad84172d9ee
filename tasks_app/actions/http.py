"""The ``http`` action: one arbitrary HTTP request with ``requests`` (spec/actions.md §2).

Secret references in ``url``, ``headers``, ``body`` and ``proxy`` are resolved
by the base class just before validation (§0.4); files generated from
``files`` keep them. Every connection (each redirect hop and the proxy too)
goes through the outbound address guard (``tasks_app.netguard``).
"""

import base64
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings

from hub.net import describe_failure
from tasks_app import files as file_generators
from tasks_app import netguard
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
PROXY_SCHEMES = ("http", "https", "socks5")


@dataclass(frozen=True)
class HttpOptions:
    """Validated ``http`` options (spec/actions.md §2).

    ``body`` is the encoded request body (None when absent or when ``files`` is given);
    ``files`` maps multipart field names to file generators, sent with ``form_fields`` (from
    ``body``); ``proxy`` is the proxy URL, if any.
    """

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    follow_redirects: bool = True
    verify: bool = True
    error_on_5xx: bool = False
    files: dict | None = None
    form_fields: list[tuple[str, str]] = field(default_factory=list)
    proxy: str | None = None


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


def multipart_name(name: str) -> str:
    """A form-data ``name``/``filename`` value, quoted the way browsers do (HTML form encoding)."""
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart_fields(body: Any) -> list[tuple[str, str]]:
    """The text fields of a multipart body: each key of an object body (strings as is, nested
    values as JSON, null as ""); none for an absent body (spec/actions.md §2 "Request body" 1)."""
    if body is None:
        return []
    if not isinstance(body, dict):
        raise OptionError("body", f'must be an object when "files" is given, got {describe(body)}')
    return [
        (str(key), compact_json(value) if isinstance(value, dict | list) else form_scalar(value))
        for key, value in body.items()
    ]


def encode_multipart(
    fields: list[tuple[str, str]], files: "list[file_generators.GeneratedFile]", boundary: str
) -> bytes:
    """A ``multipart/form-data`` body: the text fields, then one part per file named by its key."""
    chunks = []
    for name, value in fields:
        chunks += [
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="{multipart_name(name)}"\r\n\r\n'.encode(),
            value.encode(),
            b"\r\n",
        ]
    for generated in files:
        quoted = multipart_name(generated.name)
        chunks += [
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="{quoted}"; filename="{quoted}"\r\n'.encode(),
            f"Content-Type: {generated.mime_type}\r\n\r\n".encode(),
            generated.content,
            b"\r\n",
        ]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


def clean_proxy(options: dict) -> str | None:
    """``proxy``: an ``http://``, ``https://`` or ``socks5://`` URI with a host (credentials allowed)."""
    proxy = string_option(options, "proxy")
    if proxy is None or not proxy.strip():
        return None
    proxy = proxy.strip()
    parts = urlsplit(proxy)
    try:
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        raise OptionError("proxy", "has an invalid port") from None
    if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        raise OptionError("proxy", "must be an http://, https:// or socks5:// URI with a host")
    return proxy


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


def request_label(options: HttpOptions) -> str:
    """``POST https://host:port``: the method and origin, without credentials or path."""
    target = urlsplit(options.url)
    return f"{options.method.upper()} {target.scheme}://{target.netloc.rsplit('@', 1)[-1]}"


def connection_error(exc: requests.RequestException, options: HttpOptions) -> Exception:
    """Map a ``requests`` failure: TLS verification and redirect loops are permanent, the rest transient."""
    where = request_label(options)
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
    if isinstance(exc, requests.exceptions.ProxyError):
        return TransientActionError(f"{where}: proxy failed: {describe_failure(exc)}")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return TransientActionError(f"{where}: connection failed: {describe_failure(exc)}")
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidHeader):
        return PermanentActionError(f"{where}: {describe_failure(exc)}")
    return TransientActionError(f"{where} failed: {describe_failure(exc)}")


@register
class HttpAction(Action):
    """Sends the request and returns the response.

    Options (object): ``method`` and ``url`` (required), ``headers``, ``body``
    (required for post/put/patch), ``files`` (name → file generator; makes the
    request ``multipart/form-data``), ``proxy``, ``follow_redirects``,
    ``verify`` (true), ``error_on_5xx`` (false). Result: ``{"status",
    "headers" (lowercased → list), "body" (JSON or text), "body_base64"}``;
    any received response is a success unless ``error_on_5xx`` and a 5xx
    (``HTTP <status> response``, transient). Connection, proxy and ``url``
    file download failures and timeouts are transient; validation, refused
    internal addresses, TLS failures, file generation errors and oversized
    bodies are permanent.
    """

    type = "http"
    secret_fields = ("url", "headers", "body", "proxy")

    def validate(self, options: Any) -> HttpOptions:
        options = require_object(options)
        method = string_option(options, "method", require=True).strip().lower()
        if method not in METHODS:
            raise OptionError("method", f"{options['method']!r} is not one of {', '.join(METHODS)}")
        url = string_option(options, "url", require=True).strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise OptionError("url", f"{url!r} must be an http:// or https:// URL with a host")
        headers = clean_headers(options)
        body = options.get("body")
        files = options.get("files")
        if body is None and files is None and method in BODY_REQUIRED:
            raise OptionError("body", f"is required for {method.upper()} requests")
        data, form_fields = None, []
        if files is not None:
            try:
                file_generators.validate_file_map(files)
            except file_generators.FileGeneratorError as exc:
                raise OptionError("files", exc.args[0]) from None
            form_fields = multipart_fields(body)
            # Hub sets the multipart Content-Type with its own boundary.
            headers = {name: value for name, value in headers.items() if name.lower() != "content-type"}
        elif body is not None:
            data, headers = encode_body(body, headers)
        return HttpOptions(
            method=method,
            url=url,
            headers=headers,
            body=data,
            follow_redirects=bool_option(options, "follow_redirects", True),
            verify=bool_option(options, "verify", True),
            error_on_5xx=bool_option(options, "error_on_5xx", False),
            files=files,
            form_fields=form_fields,
            proxy=clean_proxy(options),
        )

    def perform(self, context: ActionContext) -> dict:
        opts: HttpOptions = context.options
        headers, body = opts.headers, opts.body
        if opts.files is not None:
            generated = file_generators.generate_files(opts.files, shop=context.shop)
            boundary = f"hub-{secrets.token_hex(16)}"
            body = encode_multipart(opts.form_fields, generated, boundary)
            headers = {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        timeout = (settings.HUB_HTTP_CONNECT_TIMEOUT_S, settings.HUB_HTTP_READ_TIMEOUT_S)
        with netguard.guarded_session() as session:
            session.max_redirects = MAX_REDIRECTS
            try:
                response = session.request(
                    opts.method.upper(),
                    opts.url,
                    headers=headers,
                    data=body,
                    allow_redirects=opts.follow_redirects,
                    verify=opts.verify,
                    timeout=timeout,
                    stream=True,
                    proxies={"http": opts.proxy, "https": opts.proxy} if opts.proxy else None,
                )
                with response:
                    data = b"" if opts.method == "head" else read_capped(response)
            except netguard.AddressRefused as exc:
                raise PermanentActionError(f"{request_label(opts)}: {exc}") from None
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
