"""API clients of the services Hub's integration actions talk to, one module per service.

Each client is a small ``base.HttpClient`` subclass; the base owns auth
headers, token refresh, rate-limit re-sends and error mapping (``ApiError``).
The Shopify Admin API client lives in ``integrations.shopify``.
"""

from integrations.clients.base import ApiError, ApiResponse, HttpClient

__all__ = ["ApiError", "ApiResponse", "HttpClient"]
