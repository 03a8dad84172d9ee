"""Access tokens of connected accounts: encrypted at rest, refreshed when expired (spec/platform.md §6.1).

allauth stores tokens (``SocialToken``: ``token``, ``token_secret`` = refresh
token, ``expires_at``) but neither encrypts nor refreshes them.

Encryption at rest (§6.1, §10.3): the two columns hold only ``fernet:<token>``,
encrypted with the ``MultiFernet`` of shop secrets (``hub.crypto``,
``HUB_SECRET_KEYS``). Every ``SocialToken`` save passes ``seal_before_save``
(a ``pre_save`` receiver), which encrypts plaintext values in place and leaves
sealed ones alone, so allauth's own saves in the connect flow never write
plaintext. Hub reads tokens only through ``access_token_of`` /
``refresh_token_of`` (which accept the plaintext of a token allauth has not
saved yet) and writes them through ``store_tokens``; nothing else reads
``.token`` / ``.token_secret`` (``tests/integrations/test_oauth_token_encryption.py``
checks the sources). ``rotate_tokens`` re-encrypts every row with the newest
key for ``manage.py rotate_secrets``, and seals rows written before
encryption existed. No token value is ever logged or put in a message.

Refresh: ``fresh_access_token`` exchanges a token that expires within
``REFRESH_MARGIN`` with the provider's token endpoint (RFC 6749 §6) under a
row lock, so concurrent action runs do not spend a rotating refresh token twice.
"""

import logging
from datetime import datetime, timedelta

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialToken
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from hub.crypto import fernet
from integrations.sealed import SEALED_PREFIX, is_sealed, open_text, seal_text

logger = logging.getLogger("integrations.oauth")

REFRESH_MARGIN = timedelta(seconds=60)


class TokenError(Exception):
    """No usable token. ``permanent``: only reconnecting the account helps (else a retry may)."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


class TokenDecryptionError(TokenError):
    """A stored token was encrypted with a key no longer in ``HUB_SECRET_KEYS`` (permanent).

    The message names the connection(s) of the account, never the token.
    """

    def __init__(self, owner: str) -> None:
        super().__init__(
            f"the stored token of {owner} cannot be decrypted: it was encrypted with a key that is "
            "no longer in HUB_SECRET_KEYS; restore the key or reconnect the account"
        )
        self.owner = owner


# -- encryption at rest ------------------------------------------------------------------------


def unseal(value: str, owner) -> str:
    """The plaintext of a stored token value (a plaintext value is returned as is).

    ``owner``: the ``SocialToken`` the value belongs to, named by
    ``TokenDecryptionError`` when no configured key decrypts it.
    """
    try:
        return open_text(value)
    except (InvalidToken, UnicodeError):
        raise TokenDecryptionError(token_owner(owner)) from None


def access_token_of(social_token: SocialToken) -> str:
    """The plaintext access token of ``social_token`` (stored row or allauth's unsaved token)."""
    return unseal(social_token.token, social_token)


def refresh_token_of(social_token: SocialToken) -> str:
    """The plaintext refresh token of ``social_token``; "" when there is none."""
    return unseal(social_token.token_secret, social_token)


def store_tokens(
    social_token: SocialToken, access: str, refresh: str | None, *, expires_at: datetime | None
) -> None:
    """Save new tokens, encrypted: ``refresh`` None keeps the stored refresh token."""
    social_token.token = seal_text(access)
    if refresh is not None:
        social_token.token_secret = seal_text(refresh)
    social_token.expires_at = expires_at
    social_token.save(update_fields=["token", "token_secret", "expires_at"])


@receiver(pre_save, sender=SocialToken, dispatch_uid="hub_seal_social_token")
def seal_before_save(sender, instance: SocialToken, **kwargs) -> None:
    """Encrypt plaintext token values of every ``SocialToken`` save, allauth's included (idempotent).

    The instance keeps the ciphertext afterwards, like one loaded from the
    database: read it with ``access_token_of`` / ``refresh_token_of``.
    """
    instance.token = seal_text(instance.token)
    instance.token_secret = seal_text(instance.token_secret)


def token_owner(social_token: SocialToken) -> str:
    """What a message calls the owner of ``social_token``: its connections, else the account."""
    from integrations.models import Connection

    if social_token.account_id is None:
        return "an unsaved account"
    connections = Connection.objects.filter(social_account_id=social_token.account_id).select_related("shop")
    names = [
        f"{connection.get_service_display()} account {connection.label} of shop "
        f"{connection.shop.myshopify_domain}"
        for connection in connections
    ]
    if names:
        return ", ".join(names)
    account = social_token.account
    return f"{account.provider} account {account.uid}"


def rotate_tokens() -> int:
    """Re-encrypt every stored OAuth token with the newest key; returns the number of rows.

    Rows stored before encryption existed are sealed too. All or nothing:
    raises ``TokenDecryptionError`` naming the first token no configured key
    decrypts, and then changes nothing.
    """
    multi = fernet()

    def rotated(value: str, token: SocialToken) -> str:
        if not value:
            return ""
        if not is_sealed(value):
            return seal_text(value)
        try:
            return SEALED_PREFIX + multi.rotate(value[len(SEALED_PREFIX) :].encode("ascii")).decode("ascii")
        except InvalidToken:
            raise TokenDecryptionError(token_owner(token)) from None

    count = 0
    with transaction.atomic():
        for token in SocialToken.objects.select_for_update().select_related("account").order_by("pk"):
            SocialToken.objects.filter(pk=token.pk).update(
                token=rotated(token.token, token), token_secret=rotated(token.token_secret, token)
            )
            count += 1
    return count


def rotate_shop_tokens() -> int:
    """Re-encrypt every shop's offline access token (and refresh token) with the newest key;
    returns how many shops.
    Raises ``TokenDecryptionError`` naming the first shop whose token no configured key decrypts."""
    from integrations.models import Shop

    count = 0
    with transaction.atomic():
        for pk, domain, token, refresh in Shop.objects.select_for_update().values_list(
            "pk", "myshopify_domain", "access_token", "refresh_token"
        ):
            if is_sealed(token) or is_sealed(refresh):  # loaded still sealed: no key opened it
                raise TokenDecryptionError(f"shop {domain}")
            if token or refresh:  # sealed again, with the newest key
                Shop.objects.filter(pk=pk).update(access_token=token, refresh_token=refresh)
                count += 1
    return count


# -- refresh -------------------------------------------------------------------------------------


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
    return access_token_of(token)


def refresh(connection, token: SocialToken) -> None:
    """Exchange ``token``'s refresh token for a new access token and store both.

    Updates ``token`` (access token, refresh token when a new one is issued,
    expiry; stored encrypted by ``store_tokens``) and mirrors the expiry onto ``connection.token_expires_at``.
    """
    what = f"{connection.get_service_display()} account {connection.label}"
    refresh_token = refresh_token_of(token)
    if not refresh_token:
        raise TokenError(f"the access token of {what} expired and there is no refresh token; reconnect it")
    provider = get_adapter().get_provider(None, connection.service)
    adapter = provider.get_oauth2_adapter(None)
    data, basic = adapter.refresh_request(provider.app, refresh_token)
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
    expires_in = body.get("expires_in")
    store_tokens(
        token,
        body["access_token"],
        body.get("refresh_token") or None,
        expires_at=timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None,
    )
    connection.token_expires_at = token.expires_at
    connection.save(update_fields=["token_expires_at", "updated_at"])
    logger.info("refreshed the token of %s", connection)
