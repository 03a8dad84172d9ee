"""The stand-in's token endpoint (``POST /admin/oauth/access_token``), as Shopify answers it.

Three grants: ``authorization_code`` (the install; with ``expiring=1`` the offline token lasts
``TOKEN_LIFETIME_S`` and comes with a refresh token, otherwise it does not expire), ``refresh_token``
(the refresh token rotates: the old one stops working) and ``client_credentials`` (a token for a
day, for an app of the shop's own organization; the client secret must be the app's). The scopes
granted are those the authorize request asked for (the merchant approves them all), else the
server's ``granted_scopes``. An expired or refreshed-away access token is refused by the Admin
API (``usable``); tests move ``expires`` to make one expire.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

TOKEN_LIFETIME_S = 3600
REFRESH_LIFETIME_S = 90 * 24 * 3600
CLIENT_CREDENTIALS_LIFETIME_S = 86399


def _error(status: int, error: str, description: str) -> tuple[int, dict]:
    return status, {"error": error, "error_description": description}


class Grants:
    """Issued codes, tokens and refresh tokens of one server (``server.grants``)."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.codes: dict[str, str | None] = {}
        # access or refresh token → when it stops working (epoch seconds); absent: never.
        self.expires: dict[str, float] = {}
        self.refresh_tokens: set[str] = set()
        self.revoked: set[str] = set()

    def new_code(self, scope: str | None) -> str:
        """An authorization code for an install that asked for ``scope``."""
        code = secrets.token_hex(16)
        self.codes[code] = scope
        return code

    def usable(self, token: str) -> bool:
        """Whether an access token may call the Admin API (not expired, not revoked)."""
        if token in self.revoked:
            return False
        ends = self.expires.get(token)
        return ends is None or ends > time.time()

    def answer(self, params: dict[str, Any]) -> tuple[int, dict]:
        """``(status, body)`` for a token request."""
        missing = [name for name in ("client_id", "client_secret") if not params.get(name)]
        if missing:
            return _error(400, "invalid_request", f"Missing {missing[0]}")
        grant = params.get("grant_type") or "authorization_code"
        if grant == "authorization_code":
            return self._code(params)
        if grant == "refresh_token":
            return self._refresh(params)
        if grant == "client_credentials":
            return self._client_credentials(params)
        return _error(400, "unsupported_grant_type", f"Unsupported grant type {grant}")

    def _issue(self, scope: str, lifetime: int | None, *, refreshable: bool) -> dict:
        token = "shpat_" + secrets.token_hex(16)
        self.server.store.tokens.add(token)
        body: dict[str, Any] = {"access_token": token, "scope": scope}
        if lifetime is not None:
            self.expires[token] = time.time() + lifetime
            body["expires_in"] = lifetime
        if refreshable:
            refresh = "shprt_" + secrets.token_hex(16)
            self.refresh_tokens.add(refresh)
            self.expires[refresh] = time.time() + REFRESH_LIFETIME_S
            body.update(refresh_token=refresh, refresh_token_expires_in=REFRESH_LIFETIME_S)
        return body

    def _code(self, params: dict[str, Any]) -> tuple[int, dict]:
        code = params.get("code")
        if not code:
            return _error(400, "invalid_request", "Missing code")
        scope = self.codes.pop(code, None) or self.server.granted_scopes
        expiring = str(params.get("expiring", "")).lower() in ("1", "true")
        lifetime = TOKEN_LIFETIME_S if expiring else None
        return 200, self._issue(scope, lifetime, refreshable=expiring)

    def _refresh(self, params: dict[str, Any]) -> tuple[int, dict]:
        refresh = str(params.get("refresh_token") or "")
        if refresh not in self.refresh_tokens or not self.usable(refresh):
            return _error(400, "invalid_grant", "The refresh token is invalid, expired or was already used")
        self.refresh_tokens.discard(refresh)
        self.revoked.add(refresh)
        return 200, self._issue(self.server.granted_scopes, TOKEN_LIFETIME_S, refreshable=True)

    def _client_credentials(self, params: dict[str, Any]) -> tuple[int, dict]:
        if params.get("client_secret") != self.server.api_secret:
            return _error(401, "invalid_client", "Client authentication failed")
        return 200, self._issue(self.server.granted_scopes, CLIENT_CREDENTIALS_LIFETIME_S, refreshable=False)
