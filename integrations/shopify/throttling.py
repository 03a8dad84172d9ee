"""Shopify Admin API rate limits: the per-shop budgets and the in-run wait (spec/runtime.md §14.1).

GraphQL is cost based: every reply carries ``extensions.cost.throttleStatus``
(``maximumAvailable``, ``currentlyAvailable``, ``restoreRate`` points per
second). REST is a leaky bucket reported in ``X-Shopify-Shop-Api-Call-Limit``
(``used/limit``). Both are stored per shop in ``ShopRateLimitState`` so every
task of the shop shares them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger("integrations.shopify")

MAX_WAITS = 10
MAX_WAIT_SECONDS = 60.0
# Decision (spec/runtime.md §14.1): a bucket below 10 % of its maximum is exhausted.
GRAPHQL_EXHAUSTED_FRACTION = 0.10
# Decision (spec/runtime.md §14.1): REST is exhausted at ``used >= limit - 2``.
REST_HEADROOM = 2
# Shopify's standard REST leak rate, calls per second.
REST_LEAK_RATE = 2.0
# Shortest wait worth sleeping, and the wait used when Shopify gives no restore rate.
MIN_WAIT_SECONDS = 0.1
FALLBACK_WAIT_SECONDS = 1.0


class ThrottleExhausted(Exception):
    """The budget did not recover within the in-run allowance; the run fails permanently."""


@dataclass(frozen=True)
class ThrottleStatus:
    """``extensions.cost.throttleStatus``: points, and points per second for ``restore_rate``."""

    maximum_available: float
    currently_available: float
    restore_rate: float

    @classmethod
    def from_response(cls, body: object) -> ThrottleStatus | None:
        """The status in a GraphQL response body, or None when it has none (or a malformed one)."""
        try:
            status = body["extensions"]["cost"]["throttleStatus"]  # type: ignore[index]
            return cls(
                maximum_available=float(status["maximumAvailable"]),
                currently_available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def requested_cost(body: object) -> float | None:
    """``extensions.cost.requestedQueryCost`` of a response body, or None."""
    try:
        return float(body["extensions"]["cost"]["requestedQueryCost"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None


def restore_wait(status: ThrottleStatus | None, cost: float | None) -> float:
    """Seconds until the bucket holds ``cost`` points again (spec/runtime.md §14.1 "estimated restore time").

    Without a status or a restore rate, ``FALLBACK_WAIT_SECONDS``.
    """
    if status is None or status.restore_rate <= 0:
        return FALLBACK_WAIT_SECONDS
    needed = (cost if cost is not None else status.maximum_available * GRAPHQL_EXHAUSTED_FRACTION) - (
        status.currently_available
    )
    return max(MIN_WAIT_SECONDS, needed / status.restore_rate)


def parse_call_limit(header: str | None) -> tuple[int, int] | None:
    """``"32/40"`` → ``(32, 40)``; None when absent or malformed."""
    if not header or "/" not in header:
        return None
    used, _, limit = header.partition("/")
    try:
        return int(used.strip()), int(limit.strip())
    except ValueError:
        return None


class ThrottleBudget:
    """The in-run allowance for waiting out throttling: at most ``max_waits`` waits and ``max_seconds``.

    ``sleep`` is injectable so tests need not wait for real. ``wait`` raises
    ``ThrottleExhausted`` once the allowance is used up.
    """

    def __init__(
        self,
        *,
        sleep: Callable[[float], None],
        max_waits: int = MAX_WAITS,
        max_seconds: float = MAX_WAIT_SECONDS,
    ) -> None:
        self.sleep = sleep
        self.max_waits = max_waits
        self.max_seconds = max_seconds
        self.waits = 0
        self.waited = 0.0

    def exhausted_message(self) -> str:
        return (
            "Shopify API rate limit did not recover: still throttled after "
            f"{self.waits} wait{'' if self.waits == 1 else 's'} ({self.waited:.1f} s in total; "
            f"the limit is {self.max_waits} waits "
            f"or {self.max_seconds:.0f} s)"
        )

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` (cut to what is left of the allowance), or raise when nothing is left."""
        remaining = self.max_seconds - self.waited
        if self.waits >= self.max_waits or remaining <= 0:
            raise ThrottleExhausted(self.exhausted_message())
        seconds = min(max(seconds, 0.0), remaining)
        self.waits += 1
        self.waited += seconds
        logger.info("Shopify throttled; waiting %.2f s (wait %d of %d)", seconds, self.waits, self.max_waits)
        self.sleep(seconds)


# --- the stored per-shop state ---------------------------------------------------------------------------


def _state(shop):
    from integrations.models import ShopRateLimitState

    state, _ = ShopRateLimitState.objects.get_or_create(shop=shop)
    return state


def record_graphql(shop, status: ThrottleStatus, *, now: datetime | None = None) -> None:
    """Store the GraphQL bucket Shopify just reported for ``shop``."""
    from integrations.models import ShopRateLimitState

    ShopRateLimitState.objects.update_or_create(
        shop=shop,
        defaults={
            "graphql_maximum_available": status.maximum_available,
            "graphql_currently_available": status.currently_available,
            "graphql_restore_rate": status.restore_rate,
            "graphql_updated_at": now or timezone.now(),
        },
    )


def record_rest(shop, used: int, limit: int, *, now: datetime | None = None) -> None:
    """Store the REST call-limit header Shopify just sent for ``shop``."""
    from integrations.models import ShopRateLimitState

    ShopRateLimitState.objects.update_or_create(
        shop=shop, defaults={"rest_used": used, "rest_limit": limit, "rest_updated_at": now or timezone.now()}
    )


def record_throttled(shop, *, now: datetime | None = None) -> None:
    """Count a throttled reply (GraphQL ``THROTTLED`` or HTTP 429) for ``shop``."""
    from django.db.models import F

    from integrations.models import ShopRateLimitState

    _state(shop)
    ShopRateLimitState.objects.filter(shop=shop).update(
        throttled_count=F("throttled_count") + 1, last_throttled_at=now or timezone.now()
    )


def graphql_available(state, *, now: datetime | None = None) -> float | None:
    """The GraphQL points the bucket holds by ``now``, projecting the restore since the last reply."""
    if state is None or state.graphql_currently_available is None or state.graphql_updated_at is None:
        return None
    elapsed = max(0.0, ((now or timezone.now()) - state.graphql_updated_at).total_seconds())
    projected = state.graphql_currently_available + (state.graphql_restore_rate or 0.0) * elapsed
    if state.graphql_maximum_available is not None:
        projected = min(projected, state.graphql_maximum_available)
    return projected


def gate_wait(shop, kind: str, *, now: datetime | None = None) -> float:
    """Seconds to wait before sending a ``kind`` (``graphql``/``rest``) request for ``shop``; 0 when open.

    The gate of spec/runtime.md §14.1 "before start": GraphQL is exhausted
    below 10 % of its maximum, REST at ``used >= limit - 2``; both refill
    with time since Shopify last reported them.
    """
    from integrations.models import ShopRateLimitState

    return state_gate_wait(ShopRateLimitState.objects.filter(shop=shop).first(), kind, now=now)


def state_gate_wait(state, kind: str, *, now: datetime | None = None) -> float:
    """``gate_wait`` for an already loaded ``ShopRateLimitState`` (None: never reported, open)."""
    if state is None:
        return 0.0
    now = now or timezone.now()
    if kind == "graphql":
        available = graphql_available(state, now=now)
        maximum = state.graphql_maximum_available
        if available is None or not maximum:
            return 0.0
        threshold = maximum * GRAPHQL_EXHAUSTED_FRACTION
        if available >= threshold:
            return 0.0
        rate = state.graphql_restore_rate or 0.0
        return (threshold - available) / rate if rate > 0 else FALLBACK_WAIT_SECONDS
    if state.rest_used is None or not state.rest_limit or state.rest_updated_at is None:
        return 0.0
    elapsed = max(0.0, (now - state.rest_updated_at).total_seconds())
    used = max(0.0, state.rest_used - REST_LEAK_RATE * elapsed)
    over = used - (state.rest_limit - REST_HEADROOM - 1)
    return over / REST_LEAK_RATE if over > 0 else 0.0


def budgets_exhausted(state, *, now: datetime | None = None) -> bool:
    """Whether either Shopify budget of a shop's loaded ``ShopRateLimitState`` is exhausted: its
    task runs and Shopify action runs then wait before they start (spec/runtime.md §6, §14.1)."""
    return state_gate_wait(state, "graphql", now=now) > 0 or state_gate_wait(state, "rest", now=now) > 0
