"""Admin for shops."""

from urllib.parse import urlencode

from allauth.socialaccount.models import SocialToken
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from integrations.admin_scope import ShopScopedAdmin, is_merchant, visible_shops
from integrations.models import Connection, Service, Shop, ShopConnection, ShopMember


class ShopMemberInline(admin.TabularInline):
    """The people who work on a shop (the owner who installed it through Shopify, spec/platform.md §9.1)."""

    model = ShopMember
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Shop)
class ShopAdmin(ShopScopedAdmin):
    """Shops: domain, data, access token, API version, run concurrency and email approval.
    Merchants see their shops read-only, without the staff-only fields (``STAFF_ONLY``)."""

    shop_path = ""
    STAFF_ONLY = ("access_token", "run_concurrency", "email_sending_approved", "api_version")

    def get_fields(self, request: HttpRequest, obj: Shop | None = None) -> list:
        fields = list(super().get_fields(request, obj))
        return (
            [name for name in fields if name not in self.STAFF_ONLY] if is_merchant(request.user) else fields
        )

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return not is_merchant(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Shop | None = None) -> bool:
        return not is_merchant(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Shop | None = None) -> bool:
        return not is_merchant(request.user) and super().has_delete_permission(request, obj)

    list_display = [
        "myshopify_domain",
        "shop_name",
        "timezone_name",
        "connection",
        "attention",
        "email_sending_approved",
        "uninstalled_at",
        "created_at",
    ]
    search_fields = ["myshopify_domain"]
    inlines = [ShopMemberInline]
    readonly_fields = [
        "id", "uninstalled_at", "connection", "token_expires_at", "refresh_token_expires_at",
        "needs_reauthorization", "granted_scopes", "required_scopes", "scopes_to_grant", "created_at",
        "updated_at",
    ]  # fmt: skip
    fields = [
        "id", "myshopify_domain", "data", "access_token", "connection", "token_expires_at",
        "refresh_token_expires_at", "needs_reauthorization", "granted_scopes", "required_scopes",
        "scopes_to_grant",
        "read_all_orders", "api_version", "run_concurrency", "email_sending_approved", "uninstalled_at",
        "created_at", "updated_at",
    ]  # fmt: skip

    @admin.display(description="name")
    def shop_name(self, shop: Shop) -> str:
        return (shop.data or {}).get("name", "")

    @admin.display(description="needs")
    def attention(self, shop: Shop) -> str:
        """What the shop needs from a person: re-authorization, or scopes its tasks lack."""
        if shop.needs_reauthorization:
            return "re-authorization"
        return f"scopes: {', '.join(shop.missing_scopes)}" if shop.missing_scopes else ""

    @admin.display(description="missing scopes")
    def scopes_to_grant(self, shop: Shop) -> str:
        """The scopes enabled tasks need and Shopify has not granted, with the way to grant them:
        a Re-authorize link for an installed shop, the app configuration for a client-credentials
        shop (spec/platform.md §2.1)."""
        missing = shop.missing_scopes
        if not missing and not shop.needs_reauthorization:
            return "none"
        if shop.connection == ShopConnection.CLIENT_CREDENTIALS:
            return format_html(
                "{} &mdash; add them to the app's access scopes in the Dev Dashboard, release a new "
                "version, then run <code>connect_shop {} --client-credentials</code>",
                ", ".join(missing) or "none",
                shop.myshopify_domain,
            )
        url = "/accounts/shopify/login/?" + urlencode({"process": "connect", "shop": shop.myshopify_domain})
        return format_html('{} &mdash; <a href="{}">Re-authorize</a>', ", ".join(missing) or "none", url)


@admin.register(Connection)
class ConnectionAdmin(ShopScopedAdmin):
    """Connected OAuth accounts per shop (spec/platform.md §6.1); new ones come from the Connect links."""

    list_display = ["label", "service", "shop", "token_expires_at", "created_by", "created_at", "reconnect"]
    list_filter = ["service", "shop"]
    search_fields = ["label", "shop__myshopify_domain"]
    readonly_fields = [
        "shop",
        "service",
        "label",
        "social_account",
        "scopes",
        "token_expires_at",
        "created_by",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        # A connection only exists after the OAuth dance: the links below start it.
        return False

    @admin.display(description="reconnect")
    def reconnect(self, connection: Connection) -> str:
        return format_html(
            '<a href="{}">Reconnect</a>', Connection.connect_path(connection.service, connection.shop)
        )

    def changelist_view(self, request, extra_context=None):
        """Adds "Connect <service> for <shop>" links above the list, for the staff user's shops
        (only staff connect accounts)."""
        if request.user.is_staff:
            links = format_html_join(
                " · ",
                '<a href="{}">Connect {} for {}</a>',
                (
                    (Connection.connect_path(service.value, shop), service.label, shop.myshopify_domain)
                    for shop in visible_shops(request)[:20]
                    for service in Service
                ),
            )
            extra_context = {**(extra_context or {}), "subtitle": links}
        return super().changelist_view(request, extra_context)


# allauth's SocialTokenAdmin lists the (now encrypted) token and edits both token
# fields; Hub's shows the row without them: tokens never appear in the admin.
if admin.site.is_registered(SocialToken):
    admin.site.unregister(SocialToken)


@admin.register(SocialToken)
class SocialTokenAdmin(admin.ModelAdmin):
    """allauth's stored OAuth tokens: account, app and expiry only, read-only (spec/platform.md §6.1)."""

    list_display = ["account", "app", "expires_at"]
    list_filter = ["app__provider", "expires_at"]
    fields = ["account", "app", "expires_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        # Tokens come only from the OAuth dance (a Connect link).
        return False
