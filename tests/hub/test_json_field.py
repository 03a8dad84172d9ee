"""JSON columns read back exactly as written, on SQLite and on PostgreSQL."""

import pytest

from events.models import Event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value",
    [
        {"zeta": 1, "alpha": {"y": 2, "b": [3, {"k": None}]}, "mid": "x"},
        {"big": 1e20, "exact": 0.1, "int": 10**20},
        "{}",
        "",
        None,
        [{"b": 1, "a": 2}],
    ],
)
def test_event_data_keeps_key_order_and_numbers(shop, value):
    event = Event.objects.ingest(shop, "user/a/b", value, enqueue=False)

    stored = Event.objects.get(pk=event.pk).data

    assert stored == value
    assert repr(stored) == repr(value)
