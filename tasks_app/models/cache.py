"""The per-shop key-value cache (spec/platform.md §4, spec/actions.md §6)."""

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from hub.fields import JSONField

# Default and maximum time to live, in seconds: 60 days.
MAX_TTL_S = 60 * 24 * 3600
# Spec/platform.md §4.1: keys are compared exactly, at most 255 characters of this set.
KEY_RE = re.compile(r"[A-Za-z0-9_:\-./]+")
MAX_KEY_LENGTH = 255


def validate_cache_key(value: str) -> None:
    """Raises ``ValidationError`` when ``value`` has a character a cache key may not hold (§4.1;
    the field's ``max_length`` checks its length)."""
    if not KEY_RE.fullmatch(value):
        raise ValidationError(f"{value!r} may contain only letters, digits and _ : - . /")


class CacheEntryQuerySet(models.QuerySet):
    """Queries over cache entries."""

    def live(self):
        """Entries that have not expired."""
        return self.filter(expires_at__gt=timezone.now())

    def expired(self):
        """Entries whose time to live has run out."""
        return self.filter(expires_at__lte=timezone.now())


class CacheEntry(models.Model):
    """One cache key of one shop, holding any JSON value until ``expires_at``."""

    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="cache_entries")
    key = models.CharField(max_length=255)
    value = JSONField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CacheEntryQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        verbose_name_plural = "cache entries"
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="unique_cache_key")]

    def __str__(self) -> str:
        return self.key

    @staticmethod
    def expiry(ttl_s: int | None) -> "timezone.datetime":
        """The expiry instant for a TTL in seconds (default and cap: 60 days)."""
        ttl = MAX_TTL_S if ttl_s is None else min(int(ttl_s), MAX_TTL_S)
        return timezone.now() + timedelta(seconds=ttl)

    @classmethod
    def snapshot(cls, shop) -> dict:
        """Every live entry of ``shop`` as ``{key: value}``, ordered by key (the Liquid ``cache``)."""
        return dict(cls.objects.live().filter(shop=shop).order_by("key").values_list("key", "value"))


class CacheEndpoint(models.Model):
    """A public, read-only URL for one cache key of a shop (spec/platform.md §4.6):
    ``GET <HUB_CACHE_BASE_URL>/<id>`` answers the key's live value as JSON, ``null`` when it holds
    none. The key need not hold a value yet; only Cache actions write values."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="cache_endpoints")
    key = models.CharField(max_length=MAX_KEY_LENGTH, validators=[validate_cache_key])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shop", "key"]

    def __str__(self) -> str:
        return self.key

    @property
    def url(self) -> str:
        """The endpoint's public address, ``<HUB_CACHE_BASE_URL>/<id>``."""
        return f"{settings.HUB_CACHE_BASE_URL}/{self.id}"

    def value(self):
        """The key's live value, or ``None`` when it is missing or expired (§4.6)."""
        entry = CacheEntry.objects.live().filter(shop_id=self.shop_id, key=self.key).values_list("value")
        found = entry.first()
        return None if found is None else found[0]
