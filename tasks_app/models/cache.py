"""The per-shop key-value cache (spec/platform.md §4, spec/actions.md §6)."""

from datetime import timedelta

from django.db import models
from django.utils import timezone

from hub.fields import JSONField

# Default and maximum time to live, in seconds: 60 days.
MAX_TTL_S = 60 * 24 * 3600


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
