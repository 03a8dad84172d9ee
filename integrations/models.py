"""Shops: the Shopify stores Hub serves (spec/platform.md §2.1, spec/liquid.md §5.1)."""

import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import models

from hub.fields import JSONField
from integrations.sealed import SealedCharField


def default_run_concurrency() -> int:
    """The per-shop run slot count for new shops (``HUB_DEFAULT_RUN_CONCURRENCY``)."""
    return settings.HUB_DEFAULT_RUN_CONCURRENCY


def default_api_version() -> str:
    """The Shopify Admin API version new shops use (``HUB_SHOPIFY_API_VERSION``)."""
    return settings.HUB_SHOPIFY_API_VERSION


class ShopConnection(models.TextChoices):
    """How a shop's access token came (spec/platform.md §2.1)."""

    OAUTH = "oauth", "Installed through OAuth"
    CLIENT_CREDENTIALS = "client_credentials", "Client-credentials grant (own organization)"
    TOKEN = "token", "Token given by an operator"


class Shop(models.Model):
    """One Shopify store.

    The columns are what Hub routes and secures by; ``data`` holds the Shopify
    Shop resource (REST shape) exposed to Liquid as ``shop``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    myshopify_domain = models.CharField(max_length=255, unique=True, help_text="e.g. example.myshopify.com")
    # The offline Admin API token, encrypted at rest (integrations/sealed.py).
    access_token = SealedCharField(max_length=1024, blank=True, default="")
    uninstalled_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When Shopify said the app was uninstalled (app/uninstalled); empty while installed.",
    )
    connection = models.CharField(
        max_length=24,
        choices=ShopConnection.choices,
        default=ShopConnection.TOKEN,
        help_text="How Hub got the shop's access token; how it gets a new one.",
    )
    token_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the access token expires (expiring tokens); empty: it does not.",
    )
    refresh_token = SealedCharField(max_length=1024, blank=True, default="")
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    needs_reauthorization = models.TextField(
        blank=True,
        default="",
        help_text="Why the app must be authorized again (a failed token refresh); Shopify calls fail.",
    )
    granted_scopes = JSONField(default=list, blank=True, help_text="Access scopes Shopify granted.")
    required_scopes = JSONField(
        default=list, blank=True, help_text="Access scopes the enabled tasks need (spec/platform.md §7.9)."
    )
    read_all_orders = models.BooleanField(
        default=False,
        help_text="Ask for read_all_orders (all order history) beside read_orders at the next authorization.",
    )
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
        permissions = [("view_all_shops", "Can see every shop in the console (platform staff)")]

    def __str__(self) -> str:
        return self.myshopify_domain

    def mark_uninstalled(self, when) -> None:
        """Record that the app was uninstalled at ``when`` (aware datetime): the offline token is
        dropped (Shopify revoked it) and the shop's runs fail from now on ("shop uninstalled").
        A reinstall through OAuth clears the mark and stores a new token."""
        self.uninstalled_at, self.access_token, self.refresh_token = when, "", ""
        self.token_expires_at = self.refresh_token_expires_at = None
        self.save(
            update_fields=[
                "uninstalled_at", "access_token", "refresh_token", "token_expires_at",
                "refresh_token_expires_at", "updated_at",
            ]
        )  # fmt: skip

    @property
    def missing_scopes(self) -> list[str]:
        """Required scopes Shopify has not granted (a ``write_`` scope grants its ``read_``), sorted."""
        granted = set(self.granted_scopes or [])
        implied = {"read_" + scope.removeprefix("write_") for scope in granted if scope.startswith("write_")}
        return sorted(set(self.required_scopes or []) - granted - implied)

    def update_from_resource(self, resource: dict) -> None:
        """Store a Shopify Shop resource (REST shape, as a ``shop/update`` delivery carries it):
        its keys replace the stored ones, others are kept; ``shop`` in Liquid and the time zone
        the scheduler uses follow (spec/platform.md §2.2, platform subscriptions)."""
        self.data = {**(self.data or {}), **resource}
        self.save(update_fields=["data", "updated_at"])

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


class ShopRateLimitState(models.Model):
    """A shop's Shopify Admin API budgets as last reported by Shopify (spec/runtime.md §14.1).

    GraphQL: the cost bucket from ``extensions.cost.throttleStatus`` (points;
    ``graphql_restore_rate`` in points per second). REST: the leaky bucket from
    ``X-Shopify-Shop-Api-Call-Limit`` (``rest_used``/``rest_limit`` calls). Both
    are shared by every task of the shop; the ``*_updated_at`` stamps let the
    bucket be projected forward (it refills while nobody asks).
    """

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="rate_limit_state")
    graphql_maximum_available = models.FloatField(null=True, blank=True)
    graphql_currently_available = models.FloatField(null=True, blank=True)
    graphql_restore_rate = models.FloatField(null=True, blank=True)
    graphql_updated_at = models.DateTimeField(null=True, blank=True)
    rest_used = models.PositiveIntegerField(null=True, blank=True)
    rest_limit = models.PositiveIntegerField(null=True, blank=True)
    rest_updated_at = models.DateTimeField(null=True, blank=True)
    throttled_count = models.PositiveIntegerField(
        default=0, help_text="Throttled replies received (GraphQL THROTTLED or HTTP 429)."
    )
    last_throttled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Shopify rate-limit state"

    def __str__(self) -> str:
        return f"rate limits of {self.shop}"


class Service(models.TextChoices):
    """Services whose accounts a shop connects through OAuth (spec/platform.md §6.1).

    The value is also the id of Hub's allauth provider for the service.
    """

    AIRTABLE = "airtable", "Airtable"
    GOOGLE = "google", "Google"
    SLACK = "slack", "Slack"


class ConnectionMissing(LookupError):
    """No account of that service with that label is connected to the shop; ``str()`` says how to fix it."""


class ConnectionQuerySet(models.QuerySet):
    """Queries over connections; ``lookup`` finds the one an action's ``account`` option names."""

    def lookup(self, shop: Shop, service: str, label: str) -> "Connection":
        """The shop's connection of ``service`` labelled ``label``.

        Raises ``ConnectionMissing`` naming the service, the labels that do
        exist, and where to connect one.
        """
        try:
            return self.select_related("social_account").get(shop=shop, service=service, label=label)
        except Connection.DoesNotExist:
            pass
        name = Service(service).label
        known = sorted(self.filter(shop=shop, service=service).values_list("label", flat=True))
        have = f"connected: {', '.join(known)}" if known else f"no {name} account is connected yet"
        raise ConnectionMissing(
            f'no {name} account "{label}" is connected to {shop.myshopify_domain} ({have}); '
            f"connect it at {Connection.connect_path(service, shop)}"
        ) from None


class Connection(models.Model):
    """An OAuth account of a service (Airtable, Google, Slack) connected to a shop (spec/platform.md §6.1).

    allauth runs the OAuth dance and keeps the tokens (``SocialAccount`` and its
    ``SocialToken``); this row binds that account to the shop under ``label``,
    the value actions name in their ``account`` option: the email for Google
    and Airtable, the workspace name for Slack. ``scopes`` lists the granted
    scopes; ``token_expires_at`` mirrors the access token's expiry (null: does
    not expire) and is updated on every refresh.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="connections")
    service = models.CharField(max_length=32, choices=Service.choices)
    label = models.CharField(max_length=255, help_text="What actions pass as their account option.")
    social_account = models.ForeignKey(
        "socialaccount.SocialAccount", on_delete=models.CASCADE, related_name="hub_connections"
    )
    scopes = JSONField(default=list, blank=True, help_text="Granted OAuth scopes.")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "service", "label"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "service", "label"], name="connection_label_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.label} ({self.shop})"

    @staticmethod
    def connect_path(service: str, shop: Shop) -> str:
        """Where a staff user starts connecting a ``service`` account to ``shop``."""
        from urllib.parse import urlencode

        from django.urls import reverse

        query = urlencode({"process": "connect", "shop": shop.myshopify_domain})
        return f"{reverse(f'{service}_login')}?{query}"

    def social_token(self):
        """The stored ``SocialToken`` of the connected account, or None."""
        from allauth.socialaccount.models import SocialToken

        return SocialToken.objects.filter(account_id=self.social_account_id).order_by("-pk").first()

    def access_token(self, *, force_refresh: bool = False) -> str:
        """A usable access token, refreshed first when expired or ``force_refresh``.

        Raises ``integrations.oauth.tokens.TokenError`` (``permanent`` says
        whether reconnecting is the only fix).
        """
        from integrations.oauth.tokens import fresh_access_token

        return fresh_access_token(self, force_refresh=force_refresh)


class ShopMember(models.Model):
    """A person who may work on a shop's tasks and runs (spec/platform.md §9.1): the shop owner who
    signed in through Shopify to install the app becomes its ``owner`` member. The console issue
    builds what members see."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner (installed the app)"
        MEMBER = "member", "Member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_memberships"
    )
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "shop"], name="unique_shop_member")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) of {self.shop}"
