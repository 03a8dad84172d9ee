"""API tokens (spec/platform.md §8.1): shop-scoped bearer tokens, shown once, stored only as their
SHA-256, at most five active per shop, revocable."""

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "hub_"  # noqa: S105  (the recognizable prefix, not a token)
MAX_ACTIVE_PER_SHOP = 5
# last_used_at is written at most this often (§8.1).
TOUCH_EVERY = timedelta(minutes=1)


def token_digest(raw: str) -> str:
    """The stored form of a token: its SHA-256 in hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """One API token of a shop. ``issue`` creates one and returns its only plaintext copy."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=16, editable=False, help_text="The token's first characters.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shop", "-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, shop: Any, name: str, created_by: Any = None) -> tuple["ApiToken", str]:
        """A new active token of ``shop`` and its plaintext (``hub_`` + 43 URL-safe characters),
        which is not stored. Raises ``ValidationError`` when the shop already has five active."""
        cls.check_room(shop)
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            shop=shop, name=name, digest=token_digest(raw), hint=raw[:10], created_by=created_by
        )
        return token, raw

    @classmethod
    def check_room(cls, shop: Any) -> None:
        """Raises ``ValidationError`` when ``shop`` already has the most active tokens allowed."""
        if cls.objects.filter(shop=shop, revoked_at__isnull=True).count() >= MAX_ACTIVE_PER_SHOP:
            raise ValidationError(
                f"{shop.myshopify_domain} already has {MAX_ACTIVE_PER_SHOP} active API tokens: "
                "revoke one first."
            )

    @classmethod
    def find(cls, raw: str) -> "ApiToken | None":
        """The active token whose plaintext is ``raw``, with its shop, or None."""
        return (
            cls.objects.select_related("shop")
            .filter(digest=token_digest(raw.strip()), revoked_at__isnull=True)
            .first()
        )

    def touch(self) -> None:
        """Record a use, at most once a minute (one UPDATE when due)."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= TOUCH_EVERY:
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    def revoke(self) -> None:
        """Stop the token working, for good."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
