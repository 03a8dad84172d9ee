"""Admin for shops."""

from django.contrib import admin

from integrations.models import Shop


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["myshopify_domain", "shop_name", "timezone_name", "email_sending_approved", "created_at"]
    search_fields = ["myshopify_domain"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = [
        "id",
        "myshopify_domain",
        "data",
        "access_token",
        "api_version",
        "run_concurrency",
        "email_sending_approved",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="name")
    def shop_name(self, shop: Shop) -> str:
        return (shop.data or {}).get("name", "")
