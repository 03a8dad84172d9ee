"""A shop's Admin API access token over its life (spec/platform.md §2.1): expiring offline tokens
refreshed with their rotating refresh token, and client-credentials tokens renewed.

Shopify answers a token request (``POST /admin/oauth/access_token``) with ``access_token`` and
``scope``, and for expiring tokens ``expires_in`` (seconds; an hour for offline tokens, a day for
the client-credentials grant), ``refresh_token`` and ``refresh_token_expires_in``. ``store_grant``
keeps all of it on the shop (tokens sealed). Before each Admin API call the client asks
``fresh_token``: a token within ``REFRESH_MARGIN`` of its end is renewed first, by the
``refresh_token`` grant for an installed shop, by the ``client_credentials`` grant for a shop of
the operator's organization. A refresh Shopify refuses marks the shop "needs re-authorization"
(``Shop.needs_reauthorization``) and every Shopify call of the shop fails with that message until
the app is authorized again; nothing fails silently.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from hub.net import describe_failure
from integrations.models import Shop, ShopConnection

logger = logging.getLogger("integrations.shopify.tokens")

# A token this close to its end is renewed before it is used.
REFRESH_MARGIN = timedelta(minutes=5)
TIMEOUT_S = 30


class TokenRefused(Exception):
    """Shopify refused a token request; the message says which grant, for which shop, and why."""


def admin_url(shop: Shop) -> str:
    """Where the shop's token requests go: ``HUB_SHOPIFY_ADMIN_URL`` or ``https://<domain>``."""
    return (settings.HUB_SHOPIFY_ADMIN_URL or f"https://{shop.myshopify_domain}").rstrip("/")


def app_credentials() -> dict[str, str]:
    """The app's ``client_id`` and ``client_secret`` (``HUB_SHOPIFY_API_KEY`` and ``_SECRET``)."""
    provider = settings.SOCIALACCOUNT_PROVIDERS.get("shopify", {}).get("APP", {})
    return {
        "client_id": provider.get("client_id") or settings.HUB_SHOPIFY_API_KEY,
        "client_secret": provider.get("secret") or settings.HUB_SHOPIFY_API_SECRET,
    }


def scopes_of(answer: dict[str, Any]) -> list[str]:
    """The granted scopes of a token answer (``scope``, comma-separated), sorted."""
    return sorted({scope.strip() for scope in str(answer.get("scope") or "").split(",") if scope.strip()})


def _after(now: datetime, seconds: Any) -> datetime | None:
    return now + timedelta(seconds=int(seconds)) if seconds not in (None, "") else None


def store_grant(shop: Shop, answer: dict[str, Any], connection: str, *, now: datetime | None = None) -> None:
    """Keep a token answer on ``shop`` (tokens, their ends, granted scopes, ``connection``) and
    clear any "needs re-authorization" mark; saves."""
    now = now or timezone.now()
    shop.access_token = str(answer["access_token"])
    shop.token_expires_at = _after(now, answer.get("expires_in"))
    shop.refresh_token = str(answer.get("refresh_token") or "")
    shop.refresh_token_expires_at = _after(now, answer.get("refresh_token_expires_in"))
    if answer.get("scope") is not None:
        shop.granted_scopes = scopes_of(answer)
    shop.connection = connection
    shop.needs_reauthorization = ""
    shop.save()


def request_token(shop: Shop, grant: dict[str, str]) -> dict[str, Any]:
    """POST a token request (``grant`` fields plus the app's credentials) for ``shop``; the JSON
    answer. Raises ``TokenRefused`` for an error answer or a failure to reach Shopify."""
    url = f"{admin_url(shop)}/admin/oauth/access_token"
    what = f"the {grant['grant_type']} grant for shop {shop.myshopify_domain}"
    try:
        response = requests.post(url, data={**app_credentials(), **grant}, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        raise TokenRefused(f"{what} failed: {describe_failure(exc)}") from None
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200 or not isinstance(answer, dict) or not answer.get("access_token"):
        reason = answer.get("error_description") or answer.get("error") if isinstance(answer, dict) else None
        raise TokenRefused(f"{what} was refused ({response.status_code}): {reason or response.text[:200]}")
    return answer


def client_credentials(shop: Shop) -> None:
    """Get a token for ``shop`` through the client-credentials grant (a shop of the operator's own
    organization) and keep it. Raises ``TokenRefused``."""
    answer = request_token(shop, {"grant_type": "client_credentials"})
    store_grant(shop, answer, ShopConnection.CLIENT_CREDENTIALS)
    logger.info("client-credentials token for %s, valid until %s", shop, shop.token_expires_at)


def refresh(shop: Shop) -> None:
    """Trade ``shop``'s refresh token for a new access token and refresh token (they rotate).
    A refusal marks the shop "needs re-authorization" and raises ``TokenRefused``."""
    if not shop.refresh_token:
        raise _needs_reauthorization(shop, "its access token expired and Hub holds no refresh token")
    try:
        answer = request_token(shop, {"grant_type": "refresh_token", "refresh_token": shop.refresh_token})
    except TokenRefused as exc:
        raise _needs_reauthorization(shop, str(exc)) from None
    store_grant(shop, answer, shop.connection or ShopConnection.OAUTH)
    logger.info("refreshed the access token of %s, valid until %s", shop, shop.token_expires_at)


def _needs_reauthorization(shop: Shop, reason: str) -> TokenRefused:
    message = f"shop {shop.myshopify_domain} needs re-authorization: {reason}"
    Shop.objects.filter(pk=shop.pk).update(needs_reauthorization=message)
    shop.needs_reauthorization = message
    logger.warning("%s", message)
    return TokenRefused(message)


def renew(shop: Shop) -> None:
    """Get ``shop`` a new token the way its connection allows (client credentials, or refresh)."""
    if shop.connection == ShopConnection.CLIENT_CREDENTIALS:
        client_credentials(shop)
    else:
        refresh(shop)


def fresh_token(shop: Shop, *, now: datetime | None = None, force: bool = False) -> str:
    """``shop``'s access token, renewed first when it ends within ``REFRESH_MARGIN`` (or ``force``,
    after Shopify answered 401). Concurrent callers renew once: the shop row is locked and read
    again. Raises ``TokenRefused`` (the shop then needs re-authorization, except for a
    client-credentials shop, which is tried again next time)."""
    now = now or timezone.now()
    if shop.needs_reauthorization:
        raise TokenRefused(shop.needs_reauthorization)
    if shop.connection == ShopConnection.TOKEN:  # an operator's token: nothing to renew it with
        return shop.access_token
    if not force and (shop.token_expires_at is None or shop.token_expires_at - REFRESH_MARGIN > now):
        return shop.access_token
    failure = None
    with transaction.atomic():  # a refusal is kept (the mark commits), then raised
        current = Shop.objects.select_for_update().get(pk=shop.pk)
        renewed_meanwhile = current.access_token != shop.access_token and (
            current.token_expires_at is None or current.token_expires_at - REFRESH_MARGIN > now
        )
        if not renewed_meanwhile:
            try:
                renew(current)
            except TokenRefused as exc:
                failure = exc
    if failure is not None:
        shop.needs_reauthorization = current.needs_reauthorization
        raise failure
    for name in ("access_token", "token_expires_at", "refresh_token", "refresh_token_expires_at",
                 "granted_scopes", "needs_reauthorization", "connection"):  # fmt: skip
        setattr(shop, name, getattr(current, name))
    return shop.access_token


# Refresh tokens this close to their end are used by the hourly pass, so an idle shop keeps access.
KEEP_ALIVE = timedelta(days=7)


def renew_expiring(now: datetime | None = None) -> int:
    """Renew, ahead of time, the tokens of installed shops that would otherwise lapse while idle: a
    refresh token within ``KEEP_ALIVE`` of its end, a client-credentials token within an hour of
    its end. Django-Q2 runs it hourly; returns how many were renewed (refusals are logged and
    marked as ``refresh`` does)."""
    now = now or timezone.now()
    shops = Shop.objects.filter(uninstalled_at__isnull=True, needs_reauthorization="").exclude(
        access_token=""
    )
    due = shops.filter(
        models.Q(connection=ShopConnection.OAUTH, refresh_token_expires_at__lt=now + KEEP_ALIVE)
        | models.Q(
            connection=ShopConnection.CLIENT_CREDENTIALS, token_expires_at__lt=now + timedelta(hours=1)
        )
    )
    renewed = 0
    for shop in due:
        try:
            fresh_token(shop, now=now, force=True)
        except TokenRefused:
            continue
        renewed += 1
    return renewed
