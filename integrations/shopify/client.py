"""The Shopify Admin API client: GraphQL and legacy REST over ``requests`` (spec/runtime.md §14).

Requests go to ``https://<shop>.myshopify.com/admin/api/<version>/...`` or,
when the operator sets ``HUB_SHOPIFY_ADMIN_URL`` (a stand-in, a proxy), to
that base URL with the same path. Throttled replies are waited out within the
in-run allowance of ``throttling.ThrottleBudget``; every request adds to the
four usage counters of spec/runtime.md §4.2.
"""

from __future__ import annotations

import http
import json
import logging
from typing import Any

import requests
from django.conf import settings

from hub.clock import SYSTEM_CLOCK, Clock
from hub.errors import HubError
from hub.net import describe_failure
from integrations.models import Shop, ShopConnection
from integrations.sealed import is_sealed
from integrations.shopify import throttling, tokens
from integrations.shopify.throttling import ThrottleBudget, ThrottleExhausted, ThrottleStatus

logger = logging.getLogger("integrations.shopify")

THROTTLED_CODE = "THROTTLED"
USAGE_KEYS = (
    "shopify_admin_api_time_ms",
    "shopify_admin_graphql_api_cost",
    "shopify_admin_rest_api_requests_count",
    "shopify_admin_graphql_api_requests_count",
)


def empty_usage() -> dict[str, int]:
    """The four Shopify usage counters of spec/runtime.md §4.2 (a run's ``result_meta``), all zero."""
    return dict.fromkeys(USAGE_KEYS, 0)


class ShopifyError(HubError):
    """A Shopify request failed; ``permanent`` says whether retrying could help (spec/runtime.md §9.1).

    ``status`` is the HTTP status when Shopify answered, else None.
    """

    permanent = True

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ShopifyTransientError(ShopifyError):
    """Network failures, timeouts and 5xx answers: a later attempt may succeed."""

    permanent = False


class ShopifyPermanentError(ShopifyError):
    """4xx answers, GraphQL errors, refused requests: retrying the same request cannot help."""


class ShopifyThrottledError(ShopifyPermanentError):
    """Throttling outlasted the in-run allowance (permanent, spec/runtime.md §14.1)."""


def admin_base_url(shop) -> str:
    """``HUB_SHOPIFY_ADMIN_URL`` without its trailing slash, else ``https://<myshopify domain>``."""
    override = (getattr(settings, "HUB_SHOPIFY_ADMIN_URL", "") or "").strip()
    if override:
        return override.rstrip("/")
    return f"https://{shop.myshopify_domain}"


def error_kind(status: int) -> str:
    """``<kind>`` in ``Received a Shopify error (<kind>)`` for an HTTP status (spec/actions.md §1)."""
    if status == 422:
        return "resource invalid"
    if status == 404:
        return "not found"
    if status in (401, 403):
        return "forbidden"
    try:
        return http.HTTPStatus(status).phrase.lower()
    except ValueError:
        return f"http {status}"


def error_messages(body: Any) -> list[str]:
    """Messages from a Shopify error body.

    REST: ``{"errors": "Not Found"}``, ``{"errors": {"base": ["…"], "title": ["can't be blank"]}}``
    (attribute messages are prefixed with the attribute, ``base`` ones are not),
    ``{"errors": ["…"]}`` or ``{"error": "…"}``. GraphQL: ``{"errors": [{"message": "…"}]}``.
    """
    if not isinstance(body, dict):
        return [body.strip()] if isinstance(body, str) and body.strip() else []
    errors = body.get("errors", body.get("error"))
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, list):
        return [
            item.get("message", json.dumps(item)) if isinstance(item, dict) else str(item) for item in errors
        ]
    if isinstance(errors, dict):
        messages = []
        for key, value in errors.items():
            for item in value if isinstance(value, list) else [value]:
                messages.append(str(item) if key == "base" else f"{key} {item}")
        return messages
    return []


def graphql_errors(body: Any) -> list[dict]:
    """The top-level ``errors`` of a GraphQL response body, as a list of error objects."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list):
        return [error if isinstance(error, dict) else {"message": str(error)} for error in errors]
    if isinstance(errors, str | dict):
        return [{"message": error_messages(body)[0] if error_messages(body) else str(errors)}]
    return []


def is_throttled(body: Any) -> bool:
    """Whether a GraphQL reply is Shopify's ``THROTTLED`` error."""
    return any(
        isinstance(error.get("extensions"), dict) and error["extensions"].get("code") == THROTTLED_CODE
        for error in graphql_errors(body)
    )


class ShopifyClient:
    """Talks to one shop's Admin API with its token and one API version.

    ``usage``: a dict holding the four counters of spec/runtime.md §4.2 (a
    run's ``result_meta``); each request adds its elapsed milliseconds, its
    GraphQL ``actualQueryCost`` and one to the GraphQL or REST request count.
    ``clock`` (``hub.clock.Clock``) sleeps the throttling waits, times the
    requests and dates the shop's stored rate-limit state; tests pass one that
    moves only when slept on. The in-run allowance is ``max_waits`` waits or
    ``max_wait_seconds`` in total per client call.
    """

    max_waits: int = throttling.MAX_WAITS
    max_wait_seconds: float = throttling.MAX_WAIT_SECONDS

    def __init__(
        self,
        shop,
        api_version: str | None = None,
        *,
        usage: dict | None = None,
        clock: Clock = SYSTEM_CLOCK,
        session: requests.Session | None = None,
    ) -> None:
        self.shop = shop
        self.api_version = api_version or shop.api_version or settings.HUB_SHOPIFY_API_VERSION
        self.usage = usage
        self.clock = clock
        self.session = session or requests.Session()
        if usage is not None:
            for key in USAGE_KEYS:
                usage.setdefault(key, 0)

    # --- URLs and headers

    def url(self, path: str) -> str:
        """The URL of ``path`` under ``/admin/api/<version>/`` (``graphql.json``, ``orders/1.json``)."""
        return f"{admin_base_url(self.shop)}/admin/api/{self.api_version}/{path.lstrip('/')}"

    def headers(self, *, renew: bool = False) -> dict[str, str]:
        """The request headers, with the shop's access token (renewed first when it is about to
        end, or when ``renew``: after Shopify answered 401). Raises ``ShopifyPermanentError`` when
        the token cannot be decrypted or renewed (the shop then needs re-authorization)."""
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "Hub"}
        token = self.shop.access_token
        if is_sealed(token):
            raise ShopifyPermanentError(
                f"the stored access token of shop {self.shop.myshopify_domain} cannot be decrypted: it "
                "was encrypted with a key that is no longer in HUB_SECRET_KEYS; restore the key or "
                "reinstall the app"
            )
        if isinstance(self.shop, Shop):
            try:
                token = tokens.fresh_token(self.shop, force=renew)
            except tokens.TokenRefused as exc:
                raise ShopifyPermanentError(str(exc)) from None
        if token:
            headers["X-Shopify-Access-Token"] = token
        return headers

    def _renewable(self) -> bool:
        """Whether a 401 may be answered by renewing the token (an expiring or client-credentials one)."""
        return isinstance(self.shop, Shop) and self.shop.connection != ShopConnection.TOKEN

    # --- GraphQL

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        """POST ``{"query", "variables"}`` to ``graphql.json`` and return the whole response body.

        GraphQL ``errors`` other than throttling are returned, not raised (the
        ``shopify`` filter hands them to the script; the action decides).
        Throttled replies (``THROTTLED``, HTTP 429) are waited out and re-sent;
        raises ``ShopifyThrottledError`` past the allowance,
        ``ShopifyTransientError`` for network failures and 5xx,
        ``ShopifyPermanentError`` for other non-2xx answers and non-JSON bodies.
        """
        payload = json.dumps(
            {"query": query, "variables": variables or {}}, separators=(",", ":"), ensure_ascii=False
        ).encode()
        budget = self._budget()
        self._respect_gate("graphql", budget)
        while True:
            response, elapsed_ms = self._send("POST", self.url("graphql.json"), payload)
            body = self._json_body(response)
            status = ThrottleStatus.from_response(body)
            cost = _actual_cost(body)
            self._count(elapsed_ms, graphql=True, cost=cost)
            if status is not None:
                throttling.record_graphql(self.shop, status, now=self.clock.now())
            if response.status_code == 429 or (response.ok and is_throttled(body)):
                throttling.record_throttled(self.shop, now=self.clock.now())
                wait = (
                    _retry_after(response)
                    if response.status_code == 429
                    else throttling.restore_wait(status, throttling.requested_cost(body))
                )
                self._wait(budget, wait)
                continue
            if not response.ok:
                raise self._http_error(response, body)
            if not isinstance(body, dict):
                raise ShopifyPermanentError(
                    f"Received a Shopify error (invalid response): expected a JSON object, got {body!r:.200}",
                    status=response.status_code,
                )
            return body

    # --- REST (legacy)

    def rest(self, method: str, path: str, body: Any = None) -> Any:
        """Send a REST request to ``/admin/api/<version>/<path>``; the parsed JSON body (None if empty).

        ``body`` (any JSON value) is sent as JSON when not None. HTTP 429 is
        waited out (``Retry-After``) within the allowance. Non-2xx raises
        ``Received a Shopify error (<kind>): <messages>``: transient for 5xx,
        permanent otherwise (spec/actions.md §1 Errors).
        """
        data = None if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        budget = self._budget()
        self._respect_gate("rest", budget)
        while True:
            response, elapsed_ms = self._send(method.upper(), self.url(path), data)
            self._count(elapsed_ms, graphql=False, cost=0)
            limits = throttling.parse_call_limit(response.headers.get("X-Shopify-Shop-Api-Call-Limit"))
            if limits is not None:
                throttling.record_rest(self.shop, *limits, now=self.clock.now())
            if response.status_code == 429:
                throttling.record_throttled(self.shop, now=self.clock.now())
                self._wait(budget, _retry_after(response))
                continue
            parsed = self._json_body(response)
            if not response.ok:
                raise self._http_error(response, parsed)
            return parsed

    # --- internals

    def _budget(self) -> ThrottleBudget:
        return ThrottleBudget(
            sleep=self.clock.sleep, max_waits=self.max_waits, max_seconds=self.max_wait_seconds
        )

    def _wait(self, budget: ThrottleBudget, seconds: float) -> None:
        try:
            budget.wait(seconds)
        except ThrottleExhausted as exc:
            raise ShopifyThrottledError(str(exc), status=429) from None

    def _respect_gate(self, kind: str, budget: ThrottleBudget) -> None:
        """Wait while the shop's stored budget is exhausted (spec/actions.md §1 Performing step 1)."""
        wait = throttling.gate_wait(self.shop, kind, now=self.clock.now())
        if wait > 0:
            self._wait(budget, wait)

    def _send(self, method: str, url: str, data: bytes | None) -> tuple[requests.Response, float]:
        timeout = (settings.HUB_HTTP_CONNECT_TIMEOUT_S, settings.HUB_HTTP_READ_TIMEOUT_S)
        started = self.clock.monotonic()
        try:
            response = self.session.request(
                method, url, data=data, headers=self.headers(), timeout=timeout, allow_redirects=False
            )
            if response.status_code == 401 and self._renewable():  # revoked early: renew once, send again
                response = self.session.request(
                    method,
                    url,
                    data=data,
                    headers=self.headers(renew=True),
                    timeout=timeout,
                    allow_redirects=False,
                )
        except requests.Timeout as exc:
            self._count(
                (self.clock.monotonic() - started) * 1000, graphql=url.endswith("/graphql.json"), cost=0
            )
            raise ShopifyTransientError(f"Shopify request timed out: {describe_failure(exc)}") from exc
        except requests.RequestException as exc:
            self._count(
                (self.clock.monotonic() - started) * 1000, graphql=url.endswith("/graphql.json"), cost=0
            )
            raise ShopifyTransientError(f"Shopify request failed: {describe_failure(exc)}") from exc
        return response, (self.clock.monotonic() - started) * 1000

    def _json_body(self, response: requests.Response) -> Any:
        """The parsed JSON body; the text when it is not JSON; None when empty."""
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    def _http_error(self, response: requests.Response, body: Any) -> ShopifyError:
        messages = error_messages(body) or [response.reason or str(response.status_code)]
        message = f"Received a Shopify error ({error_kind(response.status_code)}): {'; '.join(messages)}"
        if response.status_code >= 500:
            return ShopifyTransientError(message, status=response.status_code)
        return ShopifyPermanentError(message, status=response.status_code)

    def _count(self, elapsed_ms: float, *, graphql: bool, cost: float) -> None:
        if self.usage is None:
            return
        self.usage["shopify_admin_api_time_ms"] += int(round(elapsed_ms))
        if graphql:
            self.usage["shopify_admin_graphql_api_requests_count"] += 1
            self.usage["shopify_admin_graphql_api_cost"] += int(cost) if float(cost).is_integer() else cost
        else:
            self.usage["shopify_admin_rest_api_requests_count"] += 1


def _actual_cost(body: Any) -> float:
    try:
        cost = body["extensions"]["cost"]["actualQueryCost"]
    except (KeyError, TypeError):
        return 0
    return cost if isinstance(cost, int | float) and not isinstance(cost, bool) else 0


def _retry_after(response: requests.Response) -> float:
    """``Retry-After`` in seconds (Shopify sends decimals like ``2.0``); 1 s when absent or malformed."""
    try:
        return max(throttling.MIN_WAIT_SECONDS, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return throttling.FALLBACK_WAIT_SECONDS
