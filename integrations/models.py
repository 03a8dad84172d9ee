"""Shops: the Shopify stores Hub serves (spec/platform.md §2.1, spec/liquid.md §5.1)."""

import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import models

from hub.fields import JSONField


def default_run_concurrency() -> int:
    """The per-shop run slot count for new shops (``HUB_DEFAULT_RUN_CONCURRENCY``)."""
    return settings.HUB_DEFAULT_RUN_CONCURRENCY


def default_api_version() -> str:
    """The Shopify Admin API version new shops use (``HUB_SHOPIFY_API_VERSION``)."""
    return settings.HUB_SHOPIFY_API_VERSION


class Shop(models.Model):
    """One Shopify store.

    The columns are what Hub routes and secures by; ``data`` holds the Shopify
    Shop resource (REST shape) exposed to Liquid as ``shop``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    myshopify_domain = models.CharField(max_length=255, unique=True, help_text="e.g. example.myshopify.com")
    access_token = models.CharField(max_length=255, blank=True, default="")
    api_version = models.CharField(max_length=20, default=default_api_version)
    run_concurrency = models.PositiveIntegerField(default=default_run_concurrency)
    email_sending_approved = models.BooleanField(
        default=False, help_text="Staff approval for the email action (spec/actions.md §3)."
    )
    data = JSONField(default=dict, blank=True, help_text="The Shopify Shop resource.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["myshopify_domain"]

    def __str__(self) -> str:
        return self.myshopify_domain

    @property
    def subdomain(self) -> str:
        """The myshopify handle: ``example`` for ``example.myshopify.com``."""
        return self.myshopify_domain.split(".", 1)[0]

    @property
    def timezone_name(self) -> str:
        """The shop's IANA time zone (``data.iana_timezone``), ``UTC`` when unset or unknown."""
        name = (self.data or {}).get("iana_timezone") or "UTC"
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return "UTC"
        return name

    @property
    def tzinfo(self) -> ZoneInfo:
        """The shop's time zone as a ``ZoneInfo``."""
        return ZoneInfo(self.timezone_name)

    def liquid_data(self) -> dict:
        """The ``shop`` object a script sees (spec/liquid.md §5.1).

        The stored Shop resource with defaults filled from the columns, plus
        ``admin_url`` with its trailing slash.
        """
        return build_liquid_shop(self.myshopify_domain, self.data or {})


def build_liquid_shop(myshopify_domain: str, data: dict) -> dict:
    """Build the Liquid ``shop`` hash from a domain and a Shop resource dict.

    Used for stored shops and for the built-in preview shop (UTC, USD).
    """
    handle = myshopify_domain.split(".", 1)[0]
    shop = {
        "name": handle,
        "email": None,
        "customer_email": None,
        "domain": myshopify_domain,
        "myshopify_domain": myshopify_domain,
        "iana_timezone": "UTC",
        "timezone": "(GMT+00:00) UTC",
        "currency": "USD",
        "money_format": "${{amount}}",
        "money_with_currency_format": "${{amount}} USD",
        "primary_locale": "en",
    }
    shop.update(data)
    shop["myshopify_domain"] = myshopify_domain
    shop["admin_url"] = f"https://admin.shopify.com/store/{handle}/"
    return shop
