"""The stand-in's HTTP server: the stdlib ``ThreadingHTTPServer`` around a ``Store``.

Routes (Shopify's wire format):

- ``POST /admin/api/<version>/graphql.json``: Admin GraphQL (``graphql_api``);
- ``GET|POST|PUT|DELETE /admin/api/<version>/<path>.json``: legacy REST (``rest``);
- ``GET /admin/oauth/authorize`` (redirects back with a signed ``code``) and
  ``POST /admin/oauth/access_token`` (the code exchange); ``GET /admin/shop.json``;
- ``GET /bulk-results/<n>.jsonl``: bulk operation result files;
- ``POST /staged-uploads``: multipart staged uploads (``key`` + ``file`` fields);
- test hooks: ``GET /__standin/state`` (every record), ``POST /__standin/bucket``
  (``{"currentlyAvailable", "maximumAvailable", "restoreRate"}``).

Without ``require_token`` any access token, or none, is accepted.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import hmac
import json
import logging
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from standin.deliveries import Deliverer, DeliveryOptions
from standin.grants import Grants
from standin.graphql_api import handle_graphql
from standin.rest import handle_rest
from standin.store import Store

logger = logging.getLogger("standin")

ADMIN_PATH = re.compile(r"/admin/api/(\d{4}-\d{2}|unstable)/(.+)")
DEFAULT_SCOPES = "read_orders,write_orders,read_customers,write_customers,read_products,write_products"
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


class StandinHandler(BaseHTTPRequestHandler):
    """One request against the server's store."""

    server: StandinHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a keep-alive client's delayed ACK
    # holds the body back about 40 ms on every request after a connection's first.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("stand-in: " + format, *args)

    # --- plumbing

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self, status: int, body: Any, headers: dict[str, str] | None = None, *, raw: bytes | None = None
    ):
        data = raw if raw is not None else json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header(
            "Content-Type", "application/jsonl" if raw is not None else "application/json; charset=utf-8"
        )
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _log(self, method: str, raw: bytes) -> None:
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        with self.server.store.lock:
            self.server.store.requests.append(
                {"method": method, "path": self.path, "headers": dict(self.headers.items()), "body": parsed}
            )

    def _authorized(self) -> bool:
        """A request passes with a token the stand-in issued or seeded (any token unless
        ``require_token``), never with one that expired or was refreshed away."""
        token = self.headers.get("X-Shopify-Access-Token", "")
        if not self.server.grants.usable(token):
            return False
        return not self.server.require_token or token in self.server.store.tokens

    # --- dispatch

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        raw = self._body()
        self._log(method, raw)
        parts = urlsplit(self.path)
        path, query = parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            match = ADMIN_PATH.fullmatch(path)
            if match:
                return self._admin_api(method, match, query, raw)
            return self._other_routes(method, path, query, raw)
        except Exception:  # the stand-in answers 500 like Shopify would, and logs why
            logger.exception("stand-in failed on %s %s", method, self.path)
            return self._send(500, {"errors": "Internal Server Error"})

    def _admin_api(self, method: str, match: re.Match, query: dict, raw: bytes) -> None:
        """``/admin/api/<version>/<path>``: GraphQL, else legacy REST under its call limit."""
        if not self._authorized():
            return self._send(401, INVALID_TOKEN)
        store = self.server.store
        version, rest_path = match.groups()
        body = _json_or_none(raw)
        if rest_path == "graphql.json":
            if method != "POST":
                return self._send(405, {"errors": "Method Not Allowed"})
            status, answer = handle_graphql(store, body, api_version=version)
            return self._send(status, answer)
        allowed, call_limit = store.rest_call()
        headers = {"X-Shopify-Shop-Api-Call-Limit": call_limit}
        if not allowed:
            headers["Retry-After"] = "2.0"
            message = (
                "Exceeded 2 calls per second for api client. "
                "Reduce request rates to resume uninterrupted service."
            )
            return self._send(429, {"errors": message}, headers)
        status, answer = handle_rest(store, method, rest_path, query, body)
        return self._send(status, answer, headers)

    def _other_routes(self, method: str, path: str, query: dict, raw: bytes) -> None:
        """Every route outside the Admin API: OAuth, bulk files, staged uploads, the test hooks."""
        store = self.server.store
        if path == "/admin/oauth/access_token" and method == "POST":
            return self._oauth(raw)
        if path == "/admin/oauth/authorize" and method == "GET":
            return self._authorize(query)
        if path == "/admin/shop.json" and method == "GET":
            return self._send(*handle_rest(store, "GET", "shop.json", query, None))
        match = re.fullmatch(r"/bulk-results/(\d+)\.jsonl", path)
        if match and method == "GET":
            return self._bulk_file(match.group(1))
        if path == "/staged-uploads" and method == "POST":
            return self._staged_upload(raw)
        if path == "/__standin/state" and method == "GET":
            return self._send(200, store.snapshot())
        if path == "/__standin/bucket" and method == "POST":
            return self._set_bucket(raw)
        if path == "/__standin/uninstall" and method == "POST":
            served = str(store.shop.get("myshopifyDomain") or "")
            asked = str((_json_or_none(raw) or {}).get("shop") or served).strip().lower()
            if asked != served:
                return self._send(404, {"errors": f"this stand-in serves {served}, not {asked}"})
            issued = set(store.tokens) | set(self.server.grants.expires)
            delivered = self.server.deliverer.uninstall()
            self.server.grants.revoked |= issued
            return self._send(200, {"shop": served, "delivered_to": delivered})
        if path == "/__standin/deliveries" and method == "GET":
            return self._send(200, list(self.server.deliverer.log))
        return self._send(404, {"errors": "Not Found"})

    def _bulk_file(self, number: str) -> None:
        content = self.server.store.bulk_file(number)
        if content is None:
            return self._send(404, {"errors": "Not Found"})
        return self._send(200, None, raw=content)

    def _set_bucket(self, raw: bytes) -> None:
        values = _json_or_none(raw) or {}
        store = self.server.store
        store.set_bucket(
            currently_available=values.get("currentlyAvailable"),
            maximum_available=values.get("maximumAvailable"),
            restore_rate=values.get("restoreRate"),
        )
        return self._send(200, store.bucket.status())

    def _oauth(self, raw: bytes) -> None:
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type:
            params = _json_or_none(raw) or {}
        else:
            params = dict(parse_qsl(raw.decode("utf-8", "replace")))
        return self._send(*self.server.grants.answer(params))

    def _authorize(self, query: dict) -> None:
        """The merchant approved the install: redirect back with a code, signed like Shopify signs it."""
        redirect_uri = query.get("redirect_uri")
        if not redirect_uri:
            return self._send(400, {"error": "invalid_request", "error_description": "Missing redirect_uri"})
        params = {
            "code": self.server.grants.new_code(query.get("scope")),
            "shop": self.server.store.shop.get("myshopifyDomain", "example.myshopify.com"),
            "state": query.get("state", ""),
            "timestamp": str(int(time.time())),
        }
        message = "&".join(f"{key}={value}" for key, value in sorted(params.items()))
        params["hmac"] = hmac.new(
            self.server.api_secret.encode(), message.encode(), hashlib.sha256
        ).hexdigest()
        separator = "&" if "?" in redirect_uri else "?"
        self.send_response(302)
        self.send_header("Location", redirect_uri + separator + urlencode(params))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _staged_upload(self, raw: bytes) -> None:
        content_type = self.headers.get("Content-Type", "")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        fields: dict[str, bytes] = {}
        for part in message.iter_parts() if message.is_multipart() else ():
            name = part.get_param("name", header="content-disposition")
            if name:
                fields[name] = part.get_payload(decode=True) or b""
        if "key" not in fields or "file" not in fields:
            return self._send(400, {"errors": "key and file fields are required"})
        self.server.store.staged_uploads[fields["key"].decode()] = fields["file"]
        return self._send(201, {"key": fields["key"].decode()})


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


class StandinHTTPServer(ThreadingHTTPServer):
    """The HTTP server; carries the store and the token policy for its handlers."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        store: Store,
        *,
        require_token: bool,
        granted_scopes: str,
        api_secret: str,
    ):
        super().__init__(address, StandinHandler)
        self.store = store
        self.require_token = require_token
        self.granted_scopes = granted_scopes
        self.api_secret = api_secret
        self.deliverer = Deliverer(store, api_secret)
        self.grants = Grants(self)


class StandinServer:
    """A running stand-in: ``StandinServer(store).start()`` serves on a free port in a thread.

    ``url`` is the base to put in ``HUB_SHOPIFY_ADMIN_URL``; ``store`` holds the
    data tests assert on. Use as a context manager or call ``stop()``. With
    ``deliveries``, changes of seeded data are delivered to the store's webhook
    subscriptions, signed with ``api_secret`` (``standin.deliveries``); ``POST
    /__standin/uninstall`` delivers ``app/uninstalled`` and revokes the app either way.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        require_token: bool = False,
        api_secret: str = "hub-development-shopify-secret",  # noqa: S107 - HUB_SHOPIFY_API_SECRET's dev default
        deliveries: DeliveryOptions | None = None,
    ) -> None:
        self.store = store if store is not None else Store.from_file()
        self.httpd = StandinHTTPServer(
            (host, port),
            self.store,
            require_token=require_token,
            granted_scopes=DEFAULT_SCOPES,
            api_secret=api_secret,
        )
        self.deliveries = deliveries
        self._serve(self.store)
        self._thread: threading.Thread | None = None

    @property
    def deliverer(self) -> Deliverer:
        """Who delivers webhooks of the store served (``Deliverer.log`` lists every try)."""
        return self.httpd.deliverer

    def _serve(self, store: Store) -> None:
        """Serve ``store``: its base URL, and webhook deliveries of its changes when enabled."""
        self.store = store
        store.base_url = self.url
        self.httpd.store = store
        options = self.deliveries or DeliveryOptions()
        deliverer = Deliverer(
            store, self.httpd.api_secret, attempts=options.attempts, retry_s=options.retry_s
        )
        self.httpd.deliverer = deliverer
        if self.deliveries is not None:
            store.change_listeners.append(deliverer.changed)

    @property
    def url(self) -> str:
        """The base URL served, ``http://<host>:<port>``."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandinServer:
        """Serve in a daemon thread; returns the server."""
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="shopify-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the ``shopify_standin`` command)."""
        self.httpd.serve_forever()

    def reset(self, store: Store | None = None) -> Store:
        """Serve ``store`` (default: a fresh default seed) from now on; returns it.

        Lets one running server serve many tests, each starting from clean data.
        """
        self._serve(store if store is not None else Store.from_file())
        return self.store

    def stop(self) -> None:
        """Stop serving, close the socket and wait (up to 5 s) for the thread."""
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
