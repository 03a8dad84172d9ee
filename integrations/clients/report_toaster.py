"""Report Toaster's partner endpoint (spec/actions.md §14, spec/platform.md §6.5).

The transport is not documented. Decision: ``POST
<HUB_REPORT_TOASTER_API_URL>/<operation>`` (``report`` or ``update``) with the
action's options as JSON, authenticated with Hub's partner key (``Authorization:
Bearer <HUB_REPORT_TOASTER_API_KEY>``) and naming the shop in
``X-Shopify-Shop-Domain``. Report Toaster answers 404 for a shop that has not
installed it. ``X-Hub-Callback-Url`` tells it where finished reports go: Hub's partner ingress,
``<HUB_BASE_URL>/partners/report_toaster/events`` (spec/platform.md §6.4), signed with the
``report_toaster`` secret of ``HUB_PARTNER_SECRETS``.
"""

from typing import Any

from django.conf import settings

from integrations.clients.base import ApiError, ApiResponse, HttpClient


class ReportToasterClient(HttpClient):
    """Posts report requests and order updates for one shop."""

    service_name = "Report Toaster"
    raise_for_status = False  # callers read every answer

    def __init__(self, shop, **kwargs) -> None:
        super().__init__(None, **kwargs)
        self.shop = shop

    def auth_headers(self, *, force_refresh: bool = False) -> dict[str, str]:
        """The partner key and the shop; raises a permanent ``ApiError`` when Hub is not configured for it."""
        if not (settings.HUB_REPORT_TOASTER_API_URL and settings.HUB_REPORT_TOASTER_API_KEY):
            raise ApiError(
                "Report Toaster is not configured on this Hub "
                "(set HUB_REPORT_TOASTER_API_URL and HUB_REPORT_TOASTER_API_KEY)"
            )
        return {
            "Authorization": f"Bearer {settings.HUB_REPORT_TOASTER_API_KEY}",
            "X-Shopify-Shop-Domain": self.shop.myshopify_domain,
            "X-Hub-Callback-Url": f"{settings.HUB_BASE_URL}/partners/report_toaster/events",
        }

    def send(self, operation: str, payload: dict[str, Any]) -> ApiResponse:
        """Post ``payload`` for ``operation`` and return the answer.

        Raises ``ApiError``: permanent for 404 (not installed for the shop)
        and other 4xx, transient for 5xx, 429 and network failures.
        """
        url = f"{settings.HUB_REPORT_TOASTER_API_URL}/{operation}"
        response = self.request_json("POST", url, payload)
        if response.status == 404:
            raise ApiError(
                f"Report Toaster is not installed for {self.shop.myshopify_domain}; "
                "install it from the Shopify App Store, then retry",
                status=404,
                body=response.body,
            )
        if not response.ok:
            raise self.error_for("POST", url, response)
        return response
