"""Event runs, task runs and action runs: matching, offsets, claiming, rendering into action runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from runs import dispatch, sweeper
from runs.engine import perform_run
from runs.models import ActionRun, EventRun, RunAttempt, RunStatus, ShopSlots, TaskRun
from tasks_app.models import Task

pytestmark = pytest.mark.django_db


def make_task(shop, name="Task", subscriptions=("shopify/orders/create",), script="", enabled=True, **fields):
    return Task.objects.create(
        shop=shop, name=name, subscriptions=list(subscriptions), script=script, enabled=enabled, **fields
    )


def perform_event_run(event) -> list[TaskRun]:
    """Claim and perform the event's run; its task runs, due and scheduled, in creation order."""
    run = EventRun.claim(event.run.pk)
    assert run is not None
    perform_run(run)
    return list(TaskRun.objects.filter(event_run=run).order_by("created_at"))


def test_event_run_creates_one_task_run_per_matching_subscription(shop):
    first = make_task(shop, "first")
    make_task(shop, "other topic", subscriptions=["shopify/orders/paid"])
    make_task(shop, "disabled", enabled=False)
    twice = make_task(shop, "twice", subscriptions=["shopify/orders/create", "shopify/orders/create+1.hour"])
    event = Event.objects.ingest(shop, "shopify/orders/create", {"id": 1}, source="shopify", enqueue=False)

    runs = perform_event_run(event)

    assert sorted((run.task.name, run.subscription, run.status) for run in runs) == [
        ("first", "shopify/orders/create", "due"),
        ("twice", "shopify/orders/create", "due"),
        ("twice", "shopify/orders/create+1.hour", "scheduled"),
    ]
    event.run.refresh_from_db()
    assert (event.run.status, event.run.ok, event.run.result) == ("succeeded", True, None)
    assert {run.task_id for run in runs} == {first.id, twice.id}


def test_delayed_subscription_runs_at_the_offset_and_is_handed_over_when_due(shop):
    make_task(shop, subscriptions=["shopify/orders/create+2.days"])
    event = Event.objects.ingest(shop, "shopify/orders/create", {}, enqueue=False)
    before = timezone.now()

    (run,) = perform_event_run(event)

    assert run.status == RunStatus.SCHEDULED
    assert before + timedelta(days=2) <= run.run_at <= timezone.now() + timedelta(days=2)
    assert sweeper.sweep(wake=False).due == 0
    TaskRun.objects.filter(pk=run.pk).update(run_at=timezone.now() - timedelta(seconds=1))
    assert sweeper.sweep(wake=False).due == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DUE


def test_month_offsets_step_on_the_calendar_and_clamp_to_month_end(shop):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from events.topics import parse_subscription

    start = datetime(2026, 1, 31, 12, 0, tzinfo=ZoneInfo("UTC"))
    later = parse_subscription("shopify/orders/create+1.month").run_at(start, ZoneInfo("America/Chicago"))
    assert later.astimezone(ZoneInfo("UTC")) == datetime(2026, 2, 28, 12, 0, tzinfo=ZoneInfo("UTC"))


def test_event_with_task_ids_reaches_only_those_tasks(shop):
    wanted = make_task(shop, "wanted", subscriptions=["mechanic/user/trigger"])
    make_task(shop, "unwanted", subscriptions=["mechanic/user/trigger"])
    event = Event.objects.ingest(
        shop, "mechanic/user/trigger", None, task_ids=[str(wanted.id)], enqueue=False
    )

    runs = perform_event_run(event)

    assert [run.task_id for run in runs] == [wanted.id]


def test_a_run_is_claimed_once(shop):
    event = Event.objects.ingest(shop, "user/a/b", None, enqueue=False)

    assert EventRun.claim(event.run.pk) is not None
    assert EventRun.claim(event.run.pk) is None
    event.run.refresh_from_db()
    assert (event.run.status, event.run.attempts) == ("started", 1)


def test_a_wake_up_call_for_a_run_that_is_no_longer_due_does_nothing(shop):
    event = Event.objects.ingest(shop, "user/a/b", None, enqueue=False)

    assert dispatch.wake("event", str(event.run.pk)) == f"performed 1 run(s), from event run {event.run.pk}"
    assert dispatch.wake("event", str(event.run.pk)) == f"event run {event.run.pk} not claimable; skipped"
    event.run.refresh_from_db()
    assert (event.run.status, event.run.attempts) == ("succeeded", 1)


def test_task_run_creates_action_runs_with_options_meta_and_control_parameters(shop):
    script = (
        '{"log": "order {{ order.id }}"}\n'
        '{"action": {"type": "echo", "options": {"id": {{ order.id }}}, "meta": {"stage": 1}}}\n'
        '{"action": {"type": "cache", "options": {"set": {"key": "k", "value": 1}, '
        '"__meta": {"m": 2}, "__perform_event": false}}}'
    )
    make_task(shop, script=script)
    event = Event.objects.ingest(shop, "shopify/orders/create", {"id": 42}, enqueue=False)
    (task_run,) = perform_event_run(event)
    task_run = TaskRun.claim(task_run.pk)

    action_runs = perform_run(task_run)

    task_run.refresh_from_db()
    assert (task_run.status, task_run.error, task_run.logs) == ("succeeded", None, ["order 42"])
    assert [
        (a.position, a.action_type, a.options, a.meta, a.perform_event, a.status) for a in action_runs
    ] == [
        (0, "echo", {"id": 42}, {"stage": 1}, True, "due"),
        (1, "cache", {"set": {"key": "k", "value": 1}}, {"m": 2}, False, "due"),
    ]
    assert task_run.result[0] == {"log": "order 42"}


def test_error_objects_fail_the_task_run_and_create_no_action_runs(shop):
    script = '{"action": {"type": "echo", "options": {}}} {"error": "stop here"} {"log": "after"}'
    make_task(shop, script=script)
    event = Event.objects.ingest(shop, "shopify/orders/create", {}, enqueue=False)
    (task_run,) = perform_event_run(event)

    assert perform_run(TaskRun.claim(task_run.pk)) == []

    task_run.refresh_from_db()
    assert (task_run.status, task_run.ok, task_run.error) == ("failed", False, "stop here")
    assert task_run.logs == ["after"]
    assert ActionRun.objects.count() == 0


def test_several_error_objects_give_a_json_array_message(shop):
    make_task(shop, script='{"error": "a"} {"error": {"code": 2}}')
    event = Event.objects.ingest(shop, "shopify/orders/create", {}, enqueue=False)
    (task_run,) = perform_event_run(event)

    perform_run(TaskRun.claim(task_run.pk))

    task_run.refresh_from_db()
    assert task_run.error == '["a",{"code":2}]'


def test_invalid_output_fails_the_task_run(shop):
    make_task(shop, script='hello {"log": 1}')
    event = Event.objects.ingest(shop, "shopify/orders/create", {}, enqueue=False)
    (task_run,) = perform_event_run(event)

    perform_run(TaskRun.claim(task_run.pk))

    task_run.refresh_from_db()
    assert task_run.status == "failed"
    assert task_run.error.startswith("Task output is not a valid stream")


def test_a_disabled_task_fails_its_task_run(shop):
    task = make_task(shop, script='{"log": 1}')
    event = Event.objects.ingest(shop, "shopify/orders/create", {}, enqueue=False)
    (task_run,) = perform_event_run(event)
    Task.objects.filter(pk=task.pk).update(enabled=False)

    perform_run(TaskRun.claim(task_run.pk))

    task_run.refresh_from_db()
    assert (task_run.status, task_run.error) == ("failed", "Task is disabled")


def test_due_runs_are_queued_on_the_broker_after_commit(shop, settings, django_capture_on_commit_callbacks):
    from django_q.brokers import get_broker

    settings.HUB_ENQUEUE_RUNS = True
    broker = get_broker()
    broker.purge_queue()
    with django_capture_on_commit_callbacks(execute=True):
        event = Event.objects.ingest(shop, "user/a/b", None)

    assert broker.queue_size() == 1
    event.run.refresh_from_db()
    assert event.run.enqueued_at is not None
    broker.purge_queue()


def test_a_crash_while_performing_fails_the_run_instead_of_leaving_it_started(shop, monkeypatch, settings):
    settings.HUB_RETRY_DELAYS_S = []  # no automatic retry: the failure is final at once
    make_task(shop, script='{"log": 1}')
    event = Event.objects.ingest(shop, "shopify/orders/create", {}, enqueue=False)
    (task_run,) = perform_event_run(event)

    def explode(run, *, clock):
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    monkeypatch.setattr("runs.models.runs.render_task_run", explode)
    # The task run, then the run of the error event its failure made.
    assert dispatch.wake("task", str(task_run.pk)) == f"performed 2 run(s), from task run {task_run.pk}"

    task_run.refresh_from_db()
    assert (task_run.status, task_run.ok, task_run.permanent) == ("failed", False, False)
    assert (
        task_run.error
        == "internal error: ValueError: Exceeds the limit (4300 digits) for integer string conversion"
    )


def test_an_event_run_whose_worker_was_lost_is_performed_again(shop):
    event = Event.objects.ingest(shop, "user/a/b", None, enqueue=False)
    fresh = Event.objects.ingest(shop, "user/a/b", None, enqueue=False)
    lost = EventRun.claim(event.run.pk, owner="host:1:dead")
    held = EventRun.claim(fresh.run.pk, owner="host:2:alive")
    EventRun.objects.filter(pk=lost.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    report = sweeper.sweep(wake=False)

    assert report.lost == {"action": 0, "task": 0, "event": 1}
    lost.refresh_from_db()
    held.refresh_from_db()
    assert (lost.status, lost.lease_owner, lost.attempts) == ("due", "", 1)
    assert (held.status, held.lease_owner) == ("started", "host:2:alive")
    (attempt,) = RunAttempt.objects.filter(run_id=lost.pk)
    assert (attempt.number, attempt.ok, attempt.permanent, attempt.worker) == (1, False, False, "host:1:dead")
    assert attempt.error == "worker lost; the run is performed again"
    assert ShopSlots.objects.get(shop=shop).in_flight == 1
