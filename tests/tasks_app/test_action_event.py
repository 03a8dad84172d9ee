"""The event action: child events, now or later (spec/actions.md §8)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from events.models import Event
from runs.engine import perform_run
from runs.models import EventRun, RunStatus
from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def child_of(task_run) -> Event:
    return Event.objects.get(parent=task_run.event)


def test_it_creates_a_due_child_event(perform, task_run, shop):
    run = perform("event", {"topic": "user/orders/follow_up", "data": {"order_id": 1001, "tags": ["a"]}})

    child = child_of(task_run)
    assert (child.shop, child.topic, child.data, child.source, child.task_ids) == (
        shop,
        "user/orders/follow_up",
        {"order_id": 1001, "tags": ["a"]},
        "action",
        None,
    )
    assert child.run.status == RunStatus.DUE
    assert_succeeded(
        run,
        {"event": {"id": str(child.id), "topic": "user/orders/follow_up", "run_at": stamp(child.run.run_at)}},
    )


def test_absent_data_is_null(perform, task_run):
    run = perform("event", {"topic": "user/retention/extend"})

    assert run.ok is True
    assert child_of(task_run).data is None


def test_a_future_unix_run_at_schedules_the_event_run(perform, task_run):
    later = int(timezone.now().timestamp()) + 3600

    run = perform("event", {"topic": "user/tags/expire", "data": None, "run_at": later})

    child = child_of(task_run)
    assert child.run.status == RunStatus.SCHEDULED
    assert child.run.run_at == datetime.fromtimestamp(later, tz=UTC)
    assert run.result["event"]["run_at"] == stamp(datetime.fromtimestamp(later, tz=UTC))


@pytest.mark.parametrize(
    "shape", [float, str, lambda ts: f"{ts}.75"], ids=["float", "string", "float-string"]
)
def test_numeric_run_at_shapes_are_unix_seconds(perform, task_run, shape):
    later = int(timezone.now().timestamp()) + 7200

    perform("event", {"topic": "user/tags/expire", "run_at": shape(later)})

    assert child_of(task_run).run.run_at == datetime.fromtimestamp(later, tz=UTC)


def test_a_naive_date_string_is_in_the_shop_time_zone(perform, task_run, shop):
    shop.data["iana_timezone"] = "America/New_York"
    shop.save()

    run = perform("event", {"topic": "user/prices/change", "run_at": "2099-07-04 09:30"})

    expected = datetime(2099, 7, 4, 13, 30, tzinfo=UTC)  # EDT is UTC-4
    assert child_of(task_run).run.run_at == expected
    assert child_of(task_run).run.status == RunStatus.SCHEDULED
    assert run.result["event"]["run_at"] == "2099-07-04T13:30:00Z"


def test_a_date_string_with_an_offset_keeps_it(perform, task_run):
    perform("event", {"topic": "user/prices/change", "run_at": "2099-01-02T03:04:05+02:00"})

    assert child_of(task_run).run.run_at == datetime(2099, 1, 2, 1, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("run_at", [0, "2001-01-01", "1000"])
def test_a_past_run_at_means_now(perform, task_run, run_at):
    before = timezone.now()

    run = perform("event", {"topic": "user/a/b", "run_at": run_at})

    child = child_of(task_run)
    assert child.run.status == RunStatus.DUE
    assert child.run.run_at >= before - timedelta(seconds=1)
    assert run.result["event"]["run_at"] == stamp(child.run.run_at)


def test_task_id_restricts_the_responders(perform, task_run):
    run = perform("event", {"topic": "user/a/b", "task_id": str(task_run.task.id).upper()})

    assert run.ok is True
    assert child_of(task_run).task_ids == [str(task_run.task.id)]


def test_task_ids_restrict_the_responders(perform, task_run):
    ids = [str(uuid.uuid4()), str(task_run.task.id)]

    perform("event", {"topic": "user/a/b", "task_ids": ids})

    assert child_of(task_run).task_ids == ids


def test_the_child_event_reaches_a_subscribed_task(perform, task_run, shop):
    from tasks_app.models import Task

    responder = Task.objects.create(shop=shop, name="Responder", enabled=True, subscriptions=["user/a/b"])
    Task.objects.create(shop=shop, name="Excluded", enabled=True, subscriptions=["user/a/b"])
    perform("event", {"topic": "user/a/b", "data": 1, "task_ids": [str(responder.id)]})

    task_runs = perform_run(EventRun.claim(child_of(task_run).run.pk))

    assert [run.task for run in task_runs] == [responder]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"data": 1}, 'option "topic": is required'),
        (
            {"topic": "shopify/orders/create"},
            "option \"topic\": 'shopify/orders/create' must be user/<subject>/<verb> "
            "(lowercase letters, digits, _)",
        ),
        (
            {"topic": "user/Orders/done"},
            "option \"topic\": 'user/Orders/done' must be user/<subject>/<verb> "
            "(lowercase letters, digits, _)",
        ),
        (
            {"topic": "user/orders"},
            "option \"topic\": 'user/orders' must be user/<subject>/<verb> (lowercase letters, digits, _)",
        ),
        ({"topic": 5}, 'option "topic": must be a string, got number'),
        (
            {"topic": "user/a/b", "task_id": "9d3b9d7e-2f7a-4d55-9d7c-1f2f0f6c1a11", "task_ids": []},
            'option "task_ids": cannot be given together with "task_id"',
        ),
        ({"topic": "user/a/b", "task_id": "task-1"}, 'option "task_id": "task-1" is not a task id (UUID)'),
        ({"topic": "user/a/b", "task_ids": ["nope"]}, 'option "task_ids": "nope" is not a task id (UUID)'),
        (
            {"topic": "user/a/b", "task_ids": "x"},
            'option "task_ids": must be an array of task ids, got string',
        ),
        (
            {"topic": "user/a/b", "run_at": "next blue moon"},
            "option \"run_at\": could not parse 'next blue moon' as a time",
        ),
        (
            {"topic": "user/a/b", "run_at": True},
            'option "run_at": must be a Unix timestamp or a time string, got true',
        ),
        ({"topic": "user/a/b", "run_at": 1e20}, 'option "run_at": 1e+20 is not a usable Unix timestamp'),
        (
            {"topic": "user/a/b", "run_at": {"at": 1}},
            'option "run_at": must be a Unix timestamp or a time string, got object',
        ),
        (["user/a/b"], "options must be an object, got array"),
    ],
)
def test_invalid_options_fail_and_create_no_event(perform, task_run, options, error):
    run = perform("event", options)

    assert_failed(run, error)
    # Only the error event about the failed action run: no event of the action's own.
    assert list(Event.objects.filter(parent=task_run.event).values_list("topic", flat=True)) == [
        "mechanic/errors/action"
    ]
