"""Admin for Mechanic webhooks and Shopify deliveries. Events, with their runs, are in ``runs.admin``."""

from django.contrib import admin
from django.http import HttpRequest

from events.models import ShopifyDelivery, Webhook


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Mechanic webhooks (spec/platform.md §1), with each webhook's URL."""

    list_display = ["name", "topic", "data_mode", "is_active", "webhook_url", "shop"]
    list_filter = ["shop", "is_active", "data_mode"]
    readonly_fields = ["id", "webhook_url", "created_at"]
    fields = ["id", "shop", "name", "topic", "data_mode", "is_active", "webhook_url", "created_at"]

    @admin.display(description="URL")
    def webhook_url(self, webhook: Webhook) -> str:
        return webhook.url if webhook.pk else "-"


@admin.register(ShopifyDelivery)
class ShopifyDeliveryAdmin(admin.ModelAdmin):
    """Ingested Shopify webhook deliveries kept to drop repeats (spec/platform.md §2.3), read-only."""

    list_display = ["key", "shop", "event", "received_at"]
    readonly_fields = ["shop", "key", "event", "received_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
