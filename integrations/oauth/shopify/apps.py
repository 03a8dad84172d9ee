from django.apps import AppConfig


class ShopifyOAuthConfig(AppConfig):
    """Hub's Shopify OAuth provider (allauth provider id ``shopify``)."""

    name = "integrations.oauth.shopify"
    label = "hub_oauth_shopify"
    verbose_name = "Shopify OAuth"

    def ready(self) -> None:
        from integrations.oauth import connections  # noqa: F401  (signal receivers)
