"""Rate limits of the task sync API (spec/platform.md §8.3), per token and, before authentication,
per address. Counts live in Django's cache (per process with the default local-memory cache)."""

from typing import Any

from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

RATES: dict[str, str | None] = {
    "api_anonymous": "120/min",
    "api": "300/min",
    "api_task_writes": "120/min",
    "api_shop_status": "60/min",
    "api_previews": "30/min",
}


class AddressThrottle(SimpleRateThrottle):
    """Unauthenticated requests: 120 a minute per client address."""

    scope = "api_anonymous"
    THROTTLE_RATES = RATES

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if request.user is not None and getattr(request.user, "is_authenticated", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenThrottle(SimpleRateThrottle):
    """Every authenticated request: 300 a minute per token."""

    scope = "api"
    THROTTLE_RATES = RATES

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": str(request.auth.pk)}


class TokenScopedThrottle(ScopedRateThrottle):
    """The view's ``throttle_scope`` (task writes, shop status, previews) per token."""

    THROTTLE_RATES = RATES

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": str(request.auth.pk)}
