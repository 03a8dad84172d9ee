"""Which due run a worker takes next (spec/runtime.md §6, §7).

Action runs first, then task runs, then event runs; within a kind the oldest ``run_at`` first;
among shops, the one served least recently first, so one busy shop does not hold up the others.
A run is only taken with a free slot of its shop and, for task runs and Shopify action runs, while
the shop's Shopify budget is not exhausted (``Run.claim``).
"""

from collections import OrderedDict
from uuid import UUID

from runs.models import ActionRun, EventRun, Run, RunStatus, ShopSlots, TaskRun

# Highest priority first (§6).
BY_PRIORITY: tuple[type[Run], ...] = (ActionRun, TaskRun, EventRun)
RUN_MODELS: dict[str, type[Run]] = {model.kind: model for model in BY_PRIORITY}
# Due runs looked at per kind when choosing; tries per shop before moving to the next shop.
CANDIDATES = 32
TRIES_PER_SHOP = 2


def fair_order(candidates: list[tuple[UUID, UUID]]) -> list[UUID]:
    """Run ids of ``(run id, shop id)`` candidates (oldest first), shops taken least recently
    served first, each shop's runs oldest first, at most ``TRIES_PER_SHOP`` per shop."""
    by_shop: OrderedDict[UUID, list[UUID]] = OrderedDict()
    for run_id, shop_id in candidates:
        by_shop.setdefault(shop_id, []).append(run_id)
    if len(by_shop) > 1:
        served = dict(
            ShopSlots.objects.filter(shop_id__in=list(by_shop)).values_list("shop_id", "last_claimed_at")
        )
        order = sorted(
            by_shop, key=lambda shop_id: (served.get(shop_id) is not None, served.get(shop_id) or 0)
        )
        by_shop = OrderedDict((shop_id, by_shop[shop_id]) for shop_id in order)
    return [run_id for runs in by_shop.values() for run_id in runs[:TRIES_PER_SHOP]]


def claim_next(owner: str) -> Run | None:
    """Claim the best due run any shop has (see the module docstring), or None."""
    for model in BY_PRIORITY:
        due = model.objects.filter(status=RunStatus.DUE).order_by("run_at", "created_at")
        candidates = list(due.values_list("pk", "shop_id")[:CANDIDATES])
        for run_id in fair_order(candidates):
            run = model.claim(run_id, owner=owner)
            if run is not None:
                return run
    return None


def claim(kind: str, run_id: UUID | str, owner: str) -> Run | None:
    """Claim one named run (``kind`` ``event``/``task``/``action``); None when it cannot be taken."""
    return RUN_MODELS[kind].claim(run_id, owner=owner)
