"""Per-shop run slots with real workers (spec/runtime.md §6): at most ``Shop.run_concurrency`` runs
of a shop at once across every worker, while shops run side by side.

A cluster with more workers than the shop has slots performs six events whose task calls a local
peer that holds each request a while and records how many it holds at once, per shop and in all.
"""

import pytest

from integrations.models import Shop
from runs.models import ActionRun
from tests.runs.cluster_helpers import (  # noqa: F401  (fixtures)
    clusters_fixture,
    error_events,
    http_task,
    ingest,
    peer_fixture,
    slots_in_use,
)

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

# Long enough that two runs allowed at once do overlap at the peer, whatever the machine's load.
HOLD_S = 0.5
SETTLE_S = 90


@pytest.mark.parametrize(("concurrency", "workers"), [(1, 2), (2, 3)])
def test_a_shop_never_has_more_runs_in_flight_than_its_slots(concurrency, workers, shop, peer, clusters):
    shop.run_concurrency = concurrency
    shop.save()
    http_task(shop, peer)
    peer.delay = HOLD_S
    events = [ingest(shop, f"k{n}") for n in range(6)]

    clusters.start(HUB_Q_WORKERS=str(workers))
    clusters.wait_settled(SETTLE_S)

    statuses = ActionRun.objects.filter(task_run__event__in=events).values_list("status", flat=True)
    assert list(statuses) == ["succeeded"] * 6
    assert peer.counts == {f"/a/k{n}": 1 for n in range(6)}
    assert peer.peak == concurrency
    assert error_events() == []
    assert slots_in_use(shop) == 0


def test_shops_with_one_slot_each_run_side_by_side(shop, peer, clusters):
    shop.run_concurrency = 1
    shop.save()
    other = Shop.objects.create(myshopify_domain="other.myshopify.com", run_concurrency=1)
    http_task(shop, peer, group="a")
    http_task(other, peer, group="b")
    peer.delay = HOLD_S
    events = [ingest(each, f"k{n}") for n in range(3) for each in (shop, other)]

    clusters.start(HUB_Q_WORKERS="2")
    clusters.wait_settled(SETTLE_S)

    statuses = ActionRun.objects.filter(task_run__event__in=events).values_list("status", flat=True)
    assert list(statuses) == ["succeeded"] * 6
    assert peer.counts == {f"/{group}/k{n}": 1 for n in range(3) for group in "ab"}
    assert (peer.group_peaks["a"], peer.group_peaks["b"], peer.peak) == (1, 1, 2)
    assert (slots_in_use(shop), slots_in_use(other)) == (0, 0)
