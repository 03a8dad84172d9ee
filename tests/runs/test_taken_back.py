"""A worker whose run was taken back while it performed (its lease lapsed, spec/runtime.md §6):
its outcome is dropped, and nothing it made on the way is kept."""

from datetime import timedelta

import pytest
from django.utils import timezone

from runs import sweeper
from runs.engine import perform_run
from runs.models import ActionRun, EventRun, RunAttempt, ShopSlots, TaskRun
from runs.verbs import retry
from tests.runs.engine_helpers import (
    action,
    attempts,
    children,
    ingest,
    make_task,
    task_runs,
)

pytestmark = pytest.mark.django_db


def taken_over(model, run_id, owner: str = "host:2:new"):
    """Make the run look taken back by the sweeper and claimed again by another worker."""
    model.objects.filter(pk=run_id).update(lease_owner=owner)


def test_an_event_run_taken_back_while_performing_creates_no_task_runs(shop):
    make_task(shop, script='{% log "x" %}')
    event = ingest(shop)
    run = EventRun.claim(event.run.pk, owner="host:1:slow")
    taken_over(EventRun, run.pk)

    became_due = perform_run(run)

    assert became_due == []
    assert task_runs(event) == []
    event.run.refresh_from_db()
    assert (event.run.status, event.run.lease_owner) == ("started", "host:2:new")
    assert not RunAttempt.objects.exists()


def test_a_task_run_taken_back_while_performing_creates_no_action_runs(shop):
    make_task(shop, script=action("echo", {"n": 1}))
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    run = TaskRun.claim(task_runs(event)[0].pk, owner="host:1:slow")
    taken_over(TaskRun, run.pk)

    became_due = perform_run(run)

    assert became_due == []
    assert not ActionRun.objects.exists()
    run.refresh_from_db()
    assert (run.status, run.result) == ("started", None)
    assert ShopSlots.objects.get(shop=shop).in_flight == 1


def test_a_failed_action_run_taken_back_while_performing_emits_nothing(shop):
    make_task(shop, subscriptions=["user/test/go", "mechanic/actions/perform"], script=action("http", {}))
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    (created,) = perform_run(TaskRun.claim(task_runs(event)[0].pk))
    run = ActionRun.claim(created.pk, owner="host:1:slow")
    taken_over(ActionRun, run.pk)

    assert perform_run(run) == []

    assert children(event) == []


def test_an_action_run_whose_worker_was_lost_fails_for_good_with_an_error_event_and_can_be_retried(shop):
    make_task(shop, script=action("echo", {"n": 1}))
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    (created,) = perform_run(TaskRun.claim(task_runs(event)[0].pk))
    run = ActionRun.claim(created.pk, owner="host:1:dead")
    ActionRun.objects.filter(pk=run.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    report = sweeper.sweep(wake=False)

    assert report.lost == {"action": 1, "task": 0, "event": 0}
    run.refresh_from_db()
    assert (run.status, run.ok, run.error, run.permanent) == (
        "failed",
        False,
        "worker lost while performing; outcome unknown",
        True,
    )
    assert attempts(run) == [
        {
            "number": 1,
            "ok": False,
            "error": "worker lost while performing; outcome unknown",
            "permanent": True,
        }
    ]
    (error_event,) = children(event)
    assert (error_event.topic, error_event.data["message"]) == (
        "mechanic/errors/action",
        "worker lost while performing; outcome unknown",
    )
    assert ShopSlots.objects.get(shop=shop).in_flight == 0
    assert retry(run).status == "due"
