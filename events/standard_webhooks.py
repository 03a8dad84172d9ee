"""Signed Mechanic webhooks in the Standard Webhooks format (an extension beyond Mechanic, spec/platform.md
§1.9's optional per-webhook signing secret, off by default).

A webhook with signing secrets accepts only requests carrying ``webhook-id``, ``webhook-timestamp``
(Unix seconds) and ``webhook-signature`` (space-separated ``v1,<base64>`` entries), where one entry is
base64(HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")) for one of the secrets, and the timestamp lies
within ``HUB_WEBHOOK_SIGNATURE_TOLERANCE_S`` of now. A secret is ``whsec_<base64 key>`` (the key is the
decoded bytes); several secrets, one per line, let a sender rotate without downtime.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError

SECRET_PREFIX = "whsec_"  # noqa: S105  (the format's prefix, not a secret)


class SignatureError(ValueError):
    """Why a request's signature is refused (answer ``401``): missing headers, a stale timestamp,
    or no matching signature."""


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret; raises ``ValueError`` for anything else."""
    text = secret.strip()
    if not text.startswith(SECRET_PREFIX):
        raise ValueError(f"a signing secret starts with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(text[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error:
        raise ValueError("the part after whsec_ must be base64") from None
    if len(key) < 16:
        raise ValueError("the key must be at least 16 bytes")
    return key


def secret_lines(text: str) -> list[str]:
    """The secrets of a webhook's ``signing_secrets`` text, one per non-blank line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def validate_secrets(text: str) -> None:
    """Raises ``ValidationError`` naming the first line that is not a valid secret."""
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            secret_key(line)
        except ValueError as exc:
            raise ValidationError(f"line {number}: {exc}") from None


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` entry (``v1,<base64>``) of one message."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(secrets_text: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> None:
    """Check a request against a webhook's secrets; raises ``SignatureError`` saying what failed."""
    message_id = headers.get("webhook-id", "").strip()
    stamp = headers.get("webhook-timestamp", "").strip()
    given = headers.get("webhook-signature", "").split()
    if not (message_id and stamp and given):
        raise SignatureError(
            "This webhook requires webhook-id, webhook-timestamp and webhook-signature headers."
        )
    try:
        timestamp = int(stamp)
    except ValueError:
        raise SignatureError("webhook-timestamp must be Unix seconds.") from None
    tolerance = settings.HUB_WEBHOOK_SIGNATURE_TOLERANCE_S
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise SignatureError(f"webhook-timestamp is more than {tolerance} seconds from now.")
    expected = [sign(secret, message_id, timestamp, body) for secret in secret_lines(secrets_text)]
    for entry in given:
        if any(hmac.compare_digest(entry.encode(), candidate.encode()) for candidate in expected):
            return
    raise SignatureError("No webhook-signature entry matches this webhook's signing secrets.")
