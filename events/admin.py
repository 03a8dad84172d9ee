"""Admin for Mechanic webhooks, custom Shopify webhooks and Shopify deliveries. Events, with their
runs, are in ``runs.admin``."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from events.custom_webhooks import warnings
from events.models import CustomWebhook, ShopifyDelivery, Webhook
from events.standard_webhooks import new_secret
from integrations.admin_scope import ShopScopedAdmin


@admin.register(Webhook)
class WebhookAdmin(ShopScopedAdmin):
    """Mechanic webhooks (spec/platform.md §1), with each webhook's URL."""

    list_display = ["name", "topic", "data_mode", "is_active", "signed", "webhook_url", "shop"]
    list_filter = ["shop", "is_active", "data_mode"]
    readonly_fields = ["id", "webhook_url", "new_secret", "created_at"]
    fields = [
        "id",
        "shop",
        "name",
        "topic",
        "data_mode",
        "is_active",
        "webhook_url",
        "signing_secrets",
        "new_secret",
        "created_at",
    ]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "signing_secrets":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 70, "spellcheck": "false"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="URL")
    def webhook_url(self, webhook: Webhook) -> str:
        return webhook.url if webhook.pk else "-"

    @admin.display(description="signed", boolean=True)
    def signed(self, webhook: Webhook) -> bool:
        """Whether the webhook requires Standard Webhooks signatures."""
        return bool(webhook.signing_secrets)

    @admin.display(description="a new secret")
    def new_secret(self, webhook: Webhook) -> str:
        """A freshly generated secret to paste into "Signing secrets" (and give the sender)."""
        return new_secret()


@admin.register(ShopifyDelivery)
class ShopifyDeliveryAdmin(ShopScopedAdmin):
    """Ingested Shopify webhook deliveries kept to drop repeats (spec/platform.md §2.3), read-only."""

    list_display = ["key", "shop", "event", "received_at"]
    readonly_fields = ["shop", "key", "event", "received_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CustomWebhook)
class CustomWebhookAdmin(ShopScopedAdmin):
    """Custom Shopify webhooks (spec/platform.md §2.4): validated on save; status and Shopify's
    last message come from the sync; export as the JSON ``custom_webhooks import`` reads."""

    list_display = [
        "name",
        "shop",
        "shopify_topic",
        "event_topic",
        "filter",
        "enabled",
        "status",
        "sync_error",
    ]
    list_filter = ["shop", "enabled", "status"]
    search_fields = ["name", "event_topic", "shopify_topic"]
    readonly_fields = ["id", "status", "sync_error", "shopify_subscription_id", "synced_at", "created_at"]
    fields = [
        "id", "shop", "name", "shopify_topic", "event_topic", "filter", "include_fields",
        "metafield_namespaces", "metafields", "enabled", "status", "sync_error", "shopify_subscription_id",
        "synced_at", "created_at",
    ]  # fmt: skip
    actions = ["export_json"]

    def save_model(self, request: HttpRequest, obj: CustomWebhook, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        for warning in warnings(obj):
            self.message_user(request, warning, messages.WARNING)

    @admin.action(description="Export the selected webhooks as JSON")
    def export_json(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        body = json.dumps([webhook.export_data() for webhook in queryset.order_by("name")], indent=2)
        response = HttpResponse(body + "\n", content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="custom-shopify-webhooks.json"'
        return response
