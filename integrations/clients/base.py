"""The HTTP base every integration client stands on (spec/platform.md §6.1).

``HttpClient`` owns what the per-service clients share: the bearer token of
the connection (refreshed when expired, and once more after a 401), re-sending
rate-limited requests, response size caps, and mapping failures to
``ApiError`` with ``transient`` telling the caller whether a retry may help.
"""

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import requests
from django.conf import settings

from hub import net
from hub.errors import HubError

logger = logging.getLogger("integrations.clients")

MAX_RESPONSE_BYTES = 20 * 1024 * 1024
MAX_RETRY_AFTER_S = 30.0


class ApiError(HubError):
    """A failed call; ``transient``: a retry may succeed (network, 5xx, 429), so it is not
    ``permanent``; ``status``/``body`` if any."""

    def __init__(
        self, message: str, *, transient: bool = False, status: int | None = None, body: Any = None
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.permanent = not transient
        self.status = status
        self.body = body

    @property
    def rate_limited(self) -> bool:
        return self.status == 429


def media_type(content_type: str | None) -> str:
    """``application/json`` for ``Application/JSON; charset=utf-8``; "" when absent."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_type(content_type: str | None) -> bool:
    """Whether ``content_type`` is ``application/json`` or ``*/*+json``, ignoring case and parameters."""
    kind = media_type(content_type)
    return kind == "application/json" or (kind.endswith("+json") and "/" in kind)


@dataclass(frozen=True)
class ApiResponse:
    """A received response: ``status``, ``headers`` (case-insensitive), raw ``content``."""

    status: int
    headers: Any
    content: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def body(self) -> Any:
        """Parsed JSON for JSON content types (text if it does not parse), else UTF-8 text; "" when empty."""
        if not self.content:
            return ""
        text = self.content.decode("utf-8", errors="replace")
        if is_json_type(self.headers.get("Content-Type")):
            try:
                return json.loads(self.content)
            except ValueError:
                return text
        return text


def service_message(body: Any) -> str:
    """The error text a service put in its body (Google/Airtable ``error.message``, Slack ``error``...)."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error.get("type") or "")
        if isinstance(error, str):
            return str(body.get("error_description") or error)
        if isinstance(body.get("errors"), list) and body["errors"]:
            first = body["errors"][0]
            return str(first.get("message") if isinstance(first, dict) else first)
    if isinstance(body, str):
        return body.strip()[:200]
    return ""


def describe_failure(exc: requests.RequestException) -> str:
    """A short reason for a network failure, without object reprs (``timed out`` for timeouts)."""
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return net.describe_failure(exc)


class HttpClient:
    """One service's API. Subclasses set ``service_name`` and add the calls they need.

    ``connection`` (an ``integrations.Connection``) supplies the bearer token;
    clients of services without OAuth pass None and override ``auth_headers``.
    A service's answers are handled the same way on every call: ``rate_limit_retries`` 429s
    are re-sent, and with ``raise_for_status`` false every answer goes back to the caller.
    """

    service_name: ClassVar[str] = ""
    rate_limit_retries: ClassVar[int] = 0
    raise_for_status: ClassVar[bool] = True

    def __init__(self, connection=None, *, session: requests.Session | None = None) -> None:
        self.connection = connection
        self.session = session or requests.Session()

    def auth_headers(self, *, force_refresh: bool = False) -> dict[str, str]:
        """``Authorization: Bearer <token>`` for the connection; raises ``ApiError`` when there is none."""
        from integrations.oauth.tokens import TokenError

        if self.connection is None:
            return {}
        try:
            token = self.connection.access_token(force_refresh=force_refresh)
        except TokenError as exc:
            raise ApiError(str(exc), transient=not exc.permanent) from exc
        return {"Authorization": f"Bearer {token}"}

    def request_json(
        self,
        method: str,
        url: str,
        payload: Any,
        *,
        params: dict | list | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        """``request`` with ``payload`` sent as compact JSON (``Content-Type: application/json``
        unless given); a None payload sends no body."""
        headers = dict(headers or {})
        data = None
        if payload is not None:
            data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
            if not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = "application/json"
        return self.request(method, url, params=params, data=data, headers=headers)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict | list | None = None,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> ApiResponse:
        """Send one request with ``data`` verbatim and return the response.

        A 401 refreshes the token and re-sends once; a 429 is re-sent up to
        ``rate_limit_retries`` times after ``Retry-After`` (or
        ``HUB_INTEGRATION_RETRY_DELAY_S``) seconds, at most 30 s each. With
        ``raise_for_status`` a non-2xx response raises ``ApiError`` (5xx and
        429 transient); network failures always raise a transient ``ApiError``;
        a body over ``max_bytes`` raises a permanent one.
        """
        headers = dict(headers or {})
        if isinstance(data, str):
            data = data.encode()
        rate_limit_retries = self.rate_limit_retries
        refreshed = False
        auth = self.auth_headers()
        while True:
            response = self._send(method, url, params=params, data=data, headers={**headers, **auth})
            content = self._read(response, method, url, max_bytes)
            if response.status_code == 401 and self.connection is not None and not refreshed:
                refreshed = True
                auth = self.auth_headers(force_refresh=True)
                continue
            if response.status_code == 429 and rate_limit_retries > 0:
                rate_limit_retries -= 1
                time.sleep(self._retry_after(response))
                continue
            break
        answer = ApiResponse(status=response.status_code, headers=response.headers, content=content)
        if self.raise_for_status and not answer.ok:
            raise self.error_for(method, url, answer)
        return answer

    def error_for(self, method: str, url: str, response: ApiResponse) -> ApiError:
        """The ``ApiError`` of a non-2xx response: ``<Service> API error (HTTP 404): <its message>``."""
        detail = service_message(response.body)
        message = f"{self.service_name} API error (HTTP {response.status})"
        if detail:
            message = f"{message}: {detail}"
        transient = response.status == 429 or response.status >= 500
        return ApiError(message, transient=transient, status=response.status, body=response.body)

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        timeout = (settings.HUB_INTEGRATION_CONNECT_TIMEOUT_S, settings.HUB_INTEGRATION_READ_TIMEOUT_S)
        try:
            return self.session.request(method, url, timeout=timeout, stream=True, **kwargs)
        except requests.RequestException as exc:
            raise ApiError(
                f"{self.service_name} API request {method} {url.split('?', 1)[0]} failed: "
                f"{describe_failure(exc)}",
                transient=True,
            ) from exc

    def _read(self, response: requests.Response, method: str, url: str, max_bytes: int) -> bytes:
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > max_bytes:
                    response.close()
                    raise ApiError(f"the {self.service_name} API response is larger than {max_bytes} bytes")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise ApiError(
                f"{self.service_name} API request {method} {url.split('?', 1)[0]} failed: "
                f"{describe_failure(exc)}",
                transient=True,
            ) from exc
        return b"".join(chunks)

    @staticmethod
    def _retry_after(response: requests.Response) -> float:
        value = response.headers.get("Retry-After", "")
        try:
            delay = float(value)
        except ValueError:
            delay = settings.HUB_INTEGRATION_RETRY_DELAY_S
        return max(0.0, min(delay, MAX_RETRY_AFTER_S))
