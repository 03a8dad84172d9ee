"""Which due run a worker takes next (spec/runtime.md §6, §7).

Action runs first, then task runs, then event runs; within a kind the oldest ``run_at`` first;
among shops, the one served least recently first, so one busy shop does not hold up the others.
A run is only taken with a free slot of its shop and, for task runs and Shopify action runs, while
the shop's Shopify budget is not exhausted (``Run.claim``).
"""

from collections import OrderedDict
from uuid import UUID

from django.db import connection

from runs.models import ActionRun, EventRun, Run, RunStatus, ShopSlots, TaskRun

# Highest priority first (§6).
BY_PRIORITY: tuple[type[Run], ...] = (ActionRun, TaskRun, EventRun)
RUN_MODELS: dict[str, type[Run]] = {model.kind: model for model in BY_PRIORITY}
# Due runs looked at per kind when choosing; tries per shop before moving to the next shop.
CANDIDATES = 32
TRIES_PER_SHOP = 2


def as_uuid(value: object) -> UUID:
    """A UUID from a raw query's value (a UUID, or its hex or dashed string)."""
    return value if isinstance(value, UUID) else UUID(str(value))


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


def due_candidates(
    limit: int = CANDIDATES, *, unwoken_only: bool = False
) -> list[tuple[type[Run], UUID, UUID]]:
    """``(model, run id, shop id)`` of up to ``limit`` due runs, most urgent first: one query over
    the three run tables (each read through its ``(status, run_at)`` index). ``unwoken_only``: only
    runs no wake-up call is out for (``enqueued_at`` empty), which nobody else will come for."""
    # Only table names and integers of ours go into the text; the status is a parameter.
    unwoken = " AND enqueued_at IS NULL" if unwoken_only else ""
    parts = [
        f"SELECT * FROM (SELECT {priority} AS priority, id, shop_id, run_at FROM {model._meta.db_table} "  # noqa: S608
        f"WHERE status = %s{unwoken} ORDER BY run_at LIMIT {int(limit)}) AS due_{model.kind}"
        for priority, model in enumerate(BY_PRIORITY)
    ]
    sql = " UNION ALL ".join(parts) + f" ORDER BY priority, run_at LIMIT {limit}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [RunStatus.DUE.value] * len(BY_PRIORITY))
        rows = cursor.fetchall()
    # PostgreSQL returns UUIDs, SQLite their hex: make them UUIDs either way.
    return [(BY_PRIORITY[p], as_uuid(run_id), as_uuid(shop_id)) for p, run_id, shop_id, _run_at in rows]


def claim_next(owner: str, *, unwoken_only: bool = False) -> Run | None:
    """Claim the best due run any shop has (see the module docstring), or None. ``unwoken_only``:
    leave runs a wake-up call is out for to the worker it wakes."""
    candidates = due_candidates(unwoken_only=unwoken_only)
    for model in BY_PRIORITY:
        of_kind = [(run_id, shop_id) for kind, run_id, shop_id in candidates if kind is model]
        for run_id in fair_order(of_kind):
            run = model.claim(run_id, owner=owner)
            if run is not None:
                return run
    return None


def claim(kind: str, run_id: UUID | str, owner: str) -> Run | None:
    """Claim one named run (``kind`` ``event``/``task``/``action``); None when it cannot be taken."""
    return RUN_MODELS[kind].claim(run_id, owner=owner)
