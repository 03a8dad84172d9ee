"""Hub's Shopify Admin API client (spec/runtime.md §14): GraphQL, legacy REST, rate limits."""

from integrations.shopify.client import (
    ShopifyClient,
    ShopifyError,
    ShopifyPermanentError,
    ShopifyThrottledError,
    ShopifyTransientError,
    admin_base_url,
    empty_usage,
    graphql_errors,
    is_throttled,
)

__all__ = [
    "ShopifyClient",
    "ShopifyError",
    "ShopifyPermanentError",
    "ShopifyThrottledError",
    "ShopifyTransientError",
    "admin_base_url",
    "empty_usage",
    "graphql_errors",
    "is_throttled",
]
