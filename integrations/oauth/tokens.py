"""Access tokens of connected accounts, refreshed when expired (spec/platform.md §6.1).

allauth stores tokens (``SocialToken``: ``token``, ``token_secret`` = refresh
token, ``expires_at``) but never refreshes them. ``fresh_access_token`` does:
a token that expires within ``REFRESH_MARGIN`` is exchanged with the
provider's token endpoint (RFC 6749 §6) under a row lock, so concurrent action
runs do not spend a rotating refresh token twice.
"""

import logging
from datetime import timedelta

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("integrations.oauth")

REFRESH_MARGIN = timedelta(seconds=60)


class TokenError(Exception):
    """No usable token. ``permanent``: only reconnecting the account helps (else a retry may)."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


def needs_refresh(token: SocialToken) -> bool:
    """True when the token has an expiry within ``REFRESH_MARGIN`` of now."""
    return token.expires_at is not None and token.expires_at <= timezone.now() + REFRESH_MARGIN


def fresh_access_token(connection, *, force_refresh: bool = False) -> str:
    """The connection's access token, refreshed first when it (nearly) expired or ``force_refresh``.

    Raises ``TokenError``: permanent when no token is stored, it expired
    without a refresh token, or the provider refused the refresh; transient on
    network errors and provider 5xx.
    """
    with transaction.atomic():
        token = (
            SocialToken.objects.select_for_update()
            .filter(account_id=connection.social_account_id)
            .order_by("-pk")
            .first()
        )
        if token is None:
            raise TokenError(f"{connection} has no stored token; reconnect it")
        if force_refresh or needs_refresh(token):
            refresh(connection, token)
    return token.token


def refresh(connection, token: SocialToken) -> None:
    """Exchange ``token``'s refresh token for a new access token and store both.

    Updates ``token`` (access token, refresh token when a new one is issued,
    expiry) and mirrors the expiry onto ``connection.token_expires_at``.
    """
    what = f"{connection.get_service_display()} account {connection.label}"
    if not token.token_secret:
        raise TokenError(f"the access token of {what} expired and there is no refresh token; reconnect it")
    provider = get_adapter().get_provider(None, connection.service)
    adapter = provider.get_oauth2_adapter(None)
    data, basic = adapter.refresh_request(provider.app, token.token_secret)
    try:
        response = requests.post(
            adapter.access_token_url,
            data=data,
            auth=basic,
            headers={"Accept": "application/json"},
            timeout=(settings.HUB_INTEGRATION_CONNECT_TIMEOUT_S, settings.HUB_INTEGRATION_READ_TIMEOUT_S),
        )
    except requests.RequestException as exc:
        raise TokenError(f"refreshing the token of {what} failed: {exc}", permanent=False) from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code >= 500:
        raise TokenError(
            f"refreshing the token of {what} failed: HTTP {response.status_code}", permanent=False
        )
    if response.status_code != 200 or not body.get("access_token"):
        reason = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
        raise TokenError(
            f"{connection.get_service_display()} refused to refresh the token of {what} ({reason}); "
            "reconnect it"
        )
    token.token = body["access_token"]
    if body.get("refresh_token"):
        token.token_secret = body["refresh_token"]
    expires_in = body.get("expires_in")
    token.expires_at = timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None
    token.save(update_fields=["token", "token_secret", "expires_at"])
    connection.token_expires_at = token.expires_at
    connection.save(update_fields=["token_expires_at", "updated_at"])
    logger.info("refreshed the token of %s", connection)
