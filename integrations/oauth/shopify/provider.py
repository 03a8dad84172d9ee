"""Shopify: allauth's provider with Hub's adapter; installs keep the offline token and ask for the
scopes the shop's enabled tasks need (spec/platform.md §2.1, §7.9)."""

from allauth.socialaccount.providers.shopify.provider import ShopifyProvider as AllauthShopifyProvider
from django.http import HttpRequest

from integrations.oauth.shopify.views import ShopifyOAuth2Adapter
from integrations.shops import ShopError, install_scopes, normalize_domain


class ShopifyProvider(AllauthShopifyProvider):
    """allauth's Shopify provider with Hub's adapter (``ShopifyOAuth2Adapter``); the scopes asked
    for are the shop's required scopes (``install_scopes``), not a fixed list."""

    oauth2_adapter_class = ShopifyOAuth2Adapter

    def get_scope_from_request(self, request: HttpRequest) -> list[str]:
        """The required scopes of the shop in ``?shop=``, plus any ``?scope=`` added by hand."""
        try:
            scopes = install_scopes(normalize_domain(request.GET.get("shop", "")))
        except ShopError:
            scopes = []
        extra = request.GET.get("scope", "")
        return scopes + [scope for scope in extra.split(",") if scope and scope not in scopes]


provider_classes = [ShopifyProvider]
