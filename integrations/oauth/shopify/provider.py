"""Shopify: allauth's provider with Hub's adapter; installs keep the offline token (platform §2.1)."""

from allauth.socialaccount.providers.shopify.provider import ShopifyProvider as AllauthShopifyProvider

from integrations.oauth.shopify.views import ShopifyOAuth2Adapter


class ShopifyProvider(AllauthShopifyProvider):
    """allauth's Shopify provider with Hub's adapter (``ShopifyOAuth2Adapter``)."""

    oauth2_adapter_class = ShopifyOAuth2Adapter


provider_classes = [ShopifyProvider]
