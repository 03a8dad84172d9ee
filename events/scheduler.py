"""Scheduler topics: clock ticks in each shop's time zone (spec/runtime.md §2.3.1).

Django-Q2 calls ``tasks_app.scheduling.tick`` every minute; for each shop with an
enabled task subscribed to a scheduler topic it calls ``fire_due_ticks`` here, which
fires the most recent tick of that topic in the shop's local time once. After downtime at
most one late event per topic is emitted (the most recent missed tick); older ticks are not
backfilled.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import transaction

if TYPE_CHECKING:
    from events.models import Event
    from integrations.models import Shop

logger = logging.getLogger("events.scheduler")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A tick seen for the first time is fired only if it is this recent.
FIRST_TICK_GRACE = timedelta(minutes=5)


def local_midnight(day: datetime, tz: ZoneInfo) -> datetime:
    """The first instant of ``day``'s local date in ``tz`` (a DST gap moves it later, never earlier)."""
    naive = datetime(day.year, day.month, day.day)
    candidate = naive.replace(tzinfo=tz)
    # A wall time inside a DST gap does not round-trip; the first real instant follows it.
    roundtrip = candidate.astimezone(ZoneInfo("UTC")).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != naive:
        candidate = roundtrip.replace(minute=0, second=0, microsecond=0)
    return candidate


def latest_tick(topic: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The most recent instant at or before ``now`` when ``topic`` ticks in zone ``tz``."""
    local = now.astimezone(tz)
    kind = topic.rsplit("/", 1)[1]
    if kind.endswith("min"):
        step = int(kind[:-3])
        minute = local.minute - local.minute % step
        return local.replace(minute=minute, second=0, microsecond=0)
    if kind == "hourly":
        return local.replace(minute=0, second=0, microsecond=0)
    midnight = local_midnight(local, tz)
    if midnight > local:
        midnight = local_midnight(local - timedelta(days=1), tz)
    if kind == "daily":
        return midnight
    if kind == "monthly":
        return local_midnight(local.replace(day=1), tz)
    days_back = (local.weekday() - WEEKDAYS.index(kind)) % 7
    return local_midnight(local - timedelta(days=days_back), tz)


def fire_due_ticks(shop: "Shop", topics: Iterable[str], now: datetime) -> list["Event"]:
    """Fire, for ``shop``, the most recent tick of each scheduler topic in ``topics`` that has not
    fired yet; returns the events created.

    A topic seen for the first time fires only when its tick is at most ``FIRST_TICK_GRACE`` old.
    ``SchedulerTick`` rows, locked while compared, make each tick fire once across processes.
    """
    from events.models import Event, SchedulerTick

    created: list[Event] = []
    for topic in sorted(topics):
        due = latest_tick(topic, now, shop.tzinfo)
        with transaction.atomic():
            record, new = SchedulerTick.objects.select_for_update().get_or_create(
                shop=shop, topic=topic, defaults={"last_tick_at": due}
            )
            if new:
                fire = now - due <= FIRST_TICK_GRACE
            elif record.last_tick_at < due:
                fire = True
                record.last_tick_at = due
                record.save(update_fields=["last_tick_at"])
            else:
                fire = False
            if fire:
                created.append(Event.objects.ingest(shop, topic, None, source="scheduler"))
                logger.info("scheduler: %s for %s (tick %s)", topic, shop, due.isoformat())
    return created
