"""Scheduler topics tick in each shop's time zone, once per tick, only for subscribed shops."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.models import Event
from events.scheduler import latest_tick
from tasks_app.models import Task
from tasks_app.scheduling import tick

CHICAGO = ZoneInfo("America/Chicago")
KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("topic", "now_utc", "zone", "expected_local"),
    [
        (
            "mechanic/scheduler/10min",
            datetime(2026, 3, 4, 15, 37, 12, tzinfo=UTC),
            CHICAGO,
            datetime(2026, 3, 4, 9, 30),
        ),
        (
            "mechanic/scheduler/15min",
            datetime(2026, 3, 4, 15, 37, tzinfo=UTC),
            CHICAGO,
            datetime(2026, 3, 4, 9, 30),
        ),
        # Kolkata is UTC+5:30: a 20-minute tick aligns on local wall-clock minutes.
        (
            "mechanic/scheduler/20min",
            datetime(2026, 3, 4, 15, 45, tzinfo=UTC),
            KOLKATA,
            datetime(2026, 3, 4, 21, 0),
        ),
        (
            "mechanic/scheduler/30min",
            datetime(2026, 3, 4, 15, 45, tzinfo=UTC),
            KOLKATA,
            datetime(2026, 3, 4, 21, 0),
        ),
        (
            "mechanic/scheduler/hourly",
            datetime(2026, 3, 4, 15, 59, tzinfo=UTC),
            CHICAGO,
            datetime(2026, 3, 4, 9, 0),
        ),
        (
            "mechanic/scheduler/daily",
            datetime(2026, 3, 4, 5, 59, tzinfo=UTC),
            CHICAGO,
            datetime(2026, 3, 3, 0, 0),
        ),
        (
            "mechanic/scheduler/daily",
            datetime(2026, 3, 4, 6, 0, tzinfo=UTC),
            CHICAGO,
            datetime(2026, 3, 4, 0, 0),
        ),
        # 2026-03-04 is a Wednesday.
        (
            "mechanic/scheduler/monday",
            datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
            CHICAGO,
            datetime(2026, 3, 2, 0, 0),
        ),
        (
            "mechanic/scheduler/wednesday",
            datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
            CHICAGO,
            datetime(2026, 3, 4, 0, 0),
        ),
        (
            "mechanic/scheduler/sunday",
            datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
            CHICAGO,
            datetime(2026, 3, 1, 0, 0),
        ),
        (
            "mechanic/scheduler/monthly",
            datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
            CHICAGO,
            datetime(2026, 3, 1, 0, 0),
        ),
    ],
)
def test_latest_tick_is_computed_in_the_shop_time_zone(topic, now_utc, zone, expected_local):
    assert latest_tick(topic, now_utc, zone) == expected_local.replace(tzinfo=zone)


def test_daily_tick_in_a_dst_gap_fires_at_the_first_instant_of_the_day():
    # Santiago skips 00:00-01:00 on 2026-09-06.
    zone = ZoneInfo("America/Santiago")
    now = datetime(2026, 9, 6, 12, 0, tzinfo=UTC)
    assert latest_tick("mechanic/scheduler/daily", now, zone) == datetime(2026, 9, 6, 1, 0, tzinfo=zone)


@pytest.mark.django_db
def test_tick_fires_each_subscribed_topic_once_per_tick(shop):
    Task.objects.create(
        shop=shop, name="hourly", enabled=True, subscriptions=["mechanic/scheduler/hourly+5.minutes"]
    )
    Task.objects.create(shop=shop, name="off", enabled=False, subscriptions=["mechanic/scheduler/daily"])
    now = datetime(2026, 3, 4, 15, 1, tzinfo=UTC)

    first = tick(now)
    again = tick(now + timedelta(minutes=1))
    next_hour = tick(now + timedelta(hours=1))

    assert [(event.topic, event.source, event.data) for event in first] == [
        ("mechanic/scheduler/hourly", "scheduler", None)
    ]
    assert again == []
    assert [event.topic for event in next_hour] == ["mechanic/scheduler/hourly"]
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_after_downtime_only_the_most_recent_missed_tick_fires(shop):
    Task.objects.create(shop=shop, name="10min", enabled=True, subscriptions=["mechanic/scheduler/10min"])
    start = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    tick(start)

    late = tick(start + timedelta(hours=3, minutes=4))

    assert len(late) == 1
    assert Event.objects.filter(topic="mechanic/scheduler/10min").count() == 2


@pytest.mark.django_db
def test_a_tick_first_seen_long_after_it_happened_does_not_fire(shop):
    Task.objects.create(shop=shop, name="daily", enabled=True, subscriptions=["mechanic/scheduler/daily"])

    assert tick(datetime(2026, 3, 4, 15, 0, tzinfo=UTC)) == []
