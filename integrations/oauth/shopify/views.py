"""Shopify app install (expiring offline token) with the Admin host overridable by ``HUB_SHOPIFY_ADMIN_URL``.

allauth's adapter always talks to ``https://<shop>.myshopify.com``; Hub keeps
validating the shop domain but sends the requests to the configured host when
one is set, so the install runs against a local stand-in.
"""

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.shopify.views import ShopifyOAuth2Adapter as AllauthShopifyAdapter
from allauth.socialaccount.providers.shopify.views import ShopifyOAuth2LoginView
from django.conf import settings
from django.http import HttpResponseRedirect

from integrations.oauth.base import OrderedScopeClient


def admin_base_url(shop_domain: str) -> str:
    """``https://<shop domain>``, or ``HUB_SHOPIFY_ADMIN_URL`` when set."""
    return settings.HUB_SHOPIFY_ADMIN_URL or f"https://{shop_domain}"


class ShopifyOAuth2Adapter(AllauthShopifyAdapter):
    """allauth's Shopify adapter sending requests to ``admin_base_url`` and keeping the scope order."""

    client_class = OrderedScopeClient

    def _shop_url(self, path: str) -> str:
        return f"{admin_base_url(self._shop_domain())}{path}"

    def _shop_domain(self) -> str:
        """allauth's check of ``?shop=``; a missing one sends the person back to the sign-in page
        to enter it, rather than a plain-text 400."""
        if not (self.request.GET.get("shop") or "").strip():
            raise ImmediateHttpResponse(HttpResponseRedirect("/?error=shop"))
        return super()._shop_domain()

    def get_access_token_data(self, request, app, client, pkce_code_verifier=None):  # type: ignore[no-untyped-def]
        """Exchange the code for an **expiring** offline token (``expiring=1``: an hour, with a
        rotating refresh token; Shopify requires them of public apps)."""
        code = request.GET.get("code")
        data = client.get_access_token(
            code, pkce_code_verifier=pkce_code_verifier, extra_data={"expiring": "1"}
        )
        self.did_fetch_access_token = True
        return data

    def parse_token(self, data):  # type: ignore[no-untyped-def]
        """allauth's token, carrying Shopify's whole answer (``scope``, ``refresh_token_expires_in``)
        for the install handler (``integrations.oauth.connections``)."""
        token = super().parse_token(data)
        token.shopify_answer = dict(data)
        return token


oauth2_login = ShopifyOAuth2LoginView.adapter_view(ShopifyOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(ShopifyOAuth2Adapter)
