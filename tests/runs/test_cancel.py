"""Cancelling a queued event (spec/runtime.md §4.1 decision, §12): the verb, the staff endpoint
``POST /events/<id>/cancel`` and the admin action."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from runs import sweeper
from runs.inline import perform_event_now
from runs.models import ActionRun, EventRun, RunStatus
from runs.verbs import NotCancellable, cancel
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    action_runs,
    attempts,
    children,
    emit,
    http_get,
    ingest,
    make_task,
    peer_fixture,
    staff_fixture,
    task_runs,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(shop):
    return make_task(shop, script='{% log "ran" %}')


def cancelled_outcome(event) -> tuple:
    event.run.refresh_from_db()
    run = event.run
    return (run.status, run.ok, run.error, run.cancelled, run.permanent, run.attempts, run.started_at)


CANCELLED = ("failed", False, "Cancelled", True, True, 0, None)


def test_cancelling_a_due_event_fails_its_run_as_cancelled(shop, task):
    event = ingest(shop)

    run = cancel(event)

    assert (run.pk, run.status, run.error) == (event.run.pk, "failed", "Cancelled")
    assert cancelled_outcome(event) == CANCELLED
    assert run.stopped_at is not None


def test_a_cancelled_event_never_gets_task_runs(shop, task):
    event = ingest(shop)

    cancel(event)
    performed = perform_event_now(event)

    assert performed == 0
    assert EventRun.claim(event.run.pk) is None
    assert task_runs(event) == []
    assert cancelled_outcome(event) == CANCELLED


def test_cancelling_a_scheduled_event_keeps_it_from_ever_coming_due(shop, task):
    event = ingest(shop, run_at=timezone.now() + timedelta(hours=1))
    assert event.run.status == RunStatus.SCHEDULED

    cancel(event)
    EventRun.objects.filter(pk=event.run.pk).update(run_at=timezone.now() - timedelta(seconds=1))
    report = sweeper.sweep(wake=False)
    perform_event_now(event)

    assert report.due == 0
    assert cancelled_outcome(event) == CANCELLED
    assert task_runs(event) == []


def test_a_cancelled_event_emits_no_error_event(shop, task):
    make_task(shop, "listener", subscriptions=["mechanic/errors/event"], script='{% log "heard" %}')
    event = ingest(shop)

    cancel(event)
    perform_event_now(event)

    assert children(event) == []


def test_a_started_event_cannot_be_cancelled(shop, task):
    event = ingest(shop)
    EventRun.claim(event.run.pk)

    with pytest.raises(NotCancellable) as refused:
        cancel(event)

    assert str(refused.value) == "the event run has started; only a queued event can be cancelled"
    event.run.refresh_from_db()
    assert (event.run.status, event.run.cancelled) == ("started", False)


def test_a_finished_event_cannot_be_cancelled(shop, task):
    event = emit(shop)

    with pytest.raises(NotCancellable) as refused:
        cancel(event)

    assert str(refused.value) == "the event run has succeeded; only a queued event can be cancelled"
    event.run.refresh_from_db()
    assert (event.run.status, event.run.error, event.run.cancelled) == ("succeeded", None, False)
    assert len(task_runs(event)) == 1


def test_an_event_cannot_be_cancelled_twice(shop, task):
    event = ingest(shop)
    cancel(event)

    with pytest.raises(NotCancellable) as refused:
        cancel(event)

    assert str(refused.value) == "the event run has failed; only a queued event can be cancelled"


# --- endpoint -------------------------------------------------------------------------------


def test_the_cancel_endpoint_cancels_a_queued_event(staff, shop, task):
    event = ingest(shop)

    response = staff.post(f"/events/{event.pk}/cancel")

    assert (response.status_code, response.json()) == (
        200,
        {"id": str(event.pk), "status": "failed", "error": "Cancelled"},
    )
    assert cancelled_outcome(event) == CANCELLED


def test_the_cancel_endpoint_refuses_a_finished_event_with_409_and_the_reason(staff, shop, task):
    event = emit(shop)

    response = staff.post(f"/events/{event.pk}/cancel")

    assert (response.status_code, response.json()) == (
        409,
        {"error": "the event run has succeeded; only a queued event can be cancelled", "id": str(event.pk)},
    )


def test_the_cancel_endpoint_answers_404_for_an_unknown_event(staff, shop):
    event_id = uuid.uuid4()

    response = staff.post(f"/events/{event_id}/cancel")

    assert (response.status_code, response.json()) == (404, {"error": f"no event {event_id}"})


def test_the_cancel_endpoint_refuses_anonymous_callers(client, shop, task):
    event = ingest(shop)

    response = client.post(f"/events/{event.pk}/cancel")

    assert response.status_code == 403
    event.run.refresh_from_db()
    assert event.run.status == RunStatus.DUE


def test_the_cancel_endpoint_refuses_signed_in_non_staff(client, django_user_model, shop, task):
    client.force_login(
        django_user_model.objects.create_user("merchant", "m@example.com", "pw-for-tests-only")
    )
    event = ingest(shop)

    response = client.post(f"/events/{event.pk}/cancel")

    assert response.status_code == 403
    event.run.refresh_from_db()
    assert event.run.status == RunStatus.DUE


def test_the_cancel_endpoint_accepts_only_post(staff, shop, task):
    event = ingest(shop)

    assert staff.get(f"/events/{event.pk}/cancel").status_code == 405


# --- admin ----------------------------------------------------------------------------------


def test_the_admin_action_cancels_queued_events_and_names_the_ones_it_cannot(staff, shop, task):
    queued, finished = ingest(shop), emit(shop)

    response = staff.post(
        "/admin/events/event/",
        {"action": "cancel", "_selected_action": [str(queued.pk), str(finished.pk)]},
        follow=True,
    )

    assert sorted(str(message) for message in response.context["messages"]) == sorted(
        [
            f"Cancelled event {queued.pk}.",
            f"Event {finished.pk}: the event run has succeeded; only a queued event can be cancelled",
        ]
    )
    assert cancelled_outcome(queued) == CANCELLED
    assert Event.objects.count() == 2


# --- disabling the task (§12) ----------------------------------------------------------------


def test_an_action_run_waiting_for_a_retry_fails_unperformed_once_its_task_is_disabled(shop, peer, settings):
    settings.HUB_RETRY_DELAYS_S = [30, 30]
    task = make_task(shop, script=http_get(peer.answer("/down", 503)))
    event = emit(shop)
    (run,) = action_runs(event)
    assert run.status == RunStatus.SCHEDULED
    task.enabled = False
    task.save()
    ActionRun.objects.filter(pk=run.pk).update(run_at=timezone.now())

    perform_event_now(event)

    run.refresh_from_db()
    assert attempts(run) == [
        {"number": 1, "ok": False, "error": "HTTP 503 response", "permanent": False},
        {"number": 2, "ok": False, "error": "Task is disabled", "permanent": True},
    ]
    assert (run.status, run.auto_retries) == ("failed", 1)
    assert peer.count("/down") == 1
    assert children(event) == []
