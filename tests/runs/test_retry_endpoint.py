"""``POST /runs/<id>/retry`` and the admin's "Retry selected runs" (spec/runtime.md §9.2,
spec/platform.md §9): signed-in staff only, the same verb, refusals with the reason."""

import uuid

import pytest

from runs.inline import perform_event_now
from runs.models import RunStatus
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    action_runs,
    attempts,
    emit,
    http_get,
    make_task,
    peer_fixture,
    staff_fixture,
    task_runs,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_action(shop, peer):
    """A failed http action run (its peer answers 503, then 200) and its event."""
    make_task(shop, script=http_get(peer.answer("/flaky", 503, 200)))
    event = emit(shop)
    (run,) = action_runs(event)
    assert run.status == RunStatus.FAILED
    return run


def test_staff_retry_a_failed_run_and_get_its_new_state(staff, failed_action, peer):
    response = staff.post(f"/runs/{failed_action.pk}/retry")

    assert (response.status_code, response.json()) == (
        200,
        {"id": str(failed_action.pk), "kind": "action", "status": "due"},
    )
    perform_event_now(failed_action.task_run.event)
    failed_action.refresh_from_db()
    assert [a["ok"] for a in attempts(failed_action)] == [False, True]
    assert peer.count("/flaky") == 2


def test_the_endpoint_retries_a_failed_task_run(staff, shop):
    make_task(shop, script='{% error "bad" %}')
    (run,) = task_runs(emit(shop))

    response = staff.post(f"/runs/{run.pk}/retry")

    assert (response.status_code, response.json()) == (
        200,
        {"id": str(run.pk), "kind": "task", "status": "due"},
    )


def test_the_endpoint_retries_an_event_run_that_created_nothing(staff, shop):
    run = emit(shop).run

    response = staff.post(f"/runs/{run.pk}/retry")

    assert (response.status_code, response.json()) == (
        200,
        {"id": str(run.pk), "kind": "event", "status": "due"},
    )


def test_a_run_that_is_not_retryable_is_refused_with_409_and_the_reason(staff, shop):
    make_task(shop, script='{% action "echo", n: 1 %}')
    (run,) = action_runs(emit(shop))

    response = staff.post(f"/runs/{run.pk}/retry")

    assert (response.status_code, response.json()) == (
        409,
        {
            "error": "the action run succeeded; only a failed action run can be retried",
            "id": str(run.pk),
            "kind": "action",
        },
    )
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("succeeded", 1)


def test_a_task_run_that_created_action_runs_is_refused_with_409(staff, shop):
    make_task(shop, script='{% action "echo", n: 1 %}')
    (run,) = task_runs(emit(shop))

    response = staff.post(f"/runs/{run.pk}/retry")

    assert response.status_code == 409
    assert (
        response.json()["error"]
        == "the task run succeeded and created action runs; retrying would discard them"
    )


def test_an_unknown_run_is_404(staff, shop):
    run_id = uuid.uuid4()

    response = staff.post(f"/runs/{run_id}/retry")

    assert (response.status_code, response.json()) == (404, {"error": f"no run {run_id}"})


def test_anonymous_callers_are_refused_with_403(client, failed_action):
    response = client.post(f"/runs/{failed_action.pk}/retry")

    assert response.status_code == 403
    failed_action.refresh_from_db()
    assert failed_action.status == RunStatus.FAILED


def test_signed_in_non_staff_are_refused_with_403(client, django_user_model, failed_action):
    client.force_login(
        django_user_model.objects.create_user("merchant", "m@example.com", "pw-for-tests-only")
    )

    response = client.post(f"/runs/{failed_action.pk}/retry")

    assert response.status_code == 403
    failed_action.refresh_from_db()
    assert failed_action.status == RunStatus.FAILED


def test_the_endpoint_enforces_csrf_for_session_callers(django_user_model, failed_action):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(
        django_user_model.objects.create_superuser("staff", "s@example.com", "pw-for-tests-only")
    )

    response = client.post(f"/runs/{failed_action.pk}/retry")

    assert response.status_code == 403
    failed_action.refresh_from_db()
    assert failed_action.status == RunStatus.FAILED


# --- admin ----------------------------------------------------------------------------------


def test_the_admin_action_retries_failed_runs_and_names_the_ones_it_cannot(staff, shop, failed_action):
    make_task(shop, "echo", script='{% action "echo", n: 1 %}')
    (succeeded,) = [run for run in action_runs(emit(shop)) if run.action_type == "echo"]

    response = staff.post(
        "/admin/runs/actionrun/",
        {"action": "retry", "_selected_action": [str(failed_action.pk), str(succeeded.pk)]},
        follow=True,
    )

    assert sorted(str(message) for message in response.context["messages"]) == sorted(
        [
            f"action run {failed_action.pk} will be retried.",
            f"action run {succeeded.pk}: the action run succeeded; only a failed action run can be retried",
        ]
    )
    failed_action.refresh_from_db()
    assert failed_action.status == RunStatus.DUE


def test_the_admin_action_retries_task_runs(staff, shop):
    make_task(shop, script='{% error "bad" %}')
    (run,) = task_runs(emit(shop))

    response = staff.post(
        "/admin/runs/taskrun/", {"action": "retry", "_selected_action": [str(run.pk)]}, follow=True
    )

    assert [str(message) for message in response.context["messages"]] == [
        f"task run {run.pk} will be retried."
    ]
    run.refresh_from_db()
    assert run.status == RunStatus.DUE


def test_the_admin_retries_the_event_runs_of_selected_events(staff, shop):
    event = emit(shop)

    response = staff.post(
        "/admin/events/event/",
        {"action": "retry_event_runs", "_selected_action": [str(event.pk)]},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == [
        f"event run {event.run.pk} will be retried."
    ]


def test_the_action_run_page_lists_its_attempts(staff, shop, peer, settings):
    settings.HUB_RETRY_DELAYS_S = [0]
    make_task(shop, script=http_get(peer.answer("/flaky", 503, 200)))
    (run,) = action_runs(emit(shop))

    page = staff.get(f"/admin/runs/actionrun/{run.pk}/change/").content.decode()

    assert page.count("<td>HTTP 503 response</td>") == 1
    assert "<td>failed</td>" in page
    assert "<td>ok</td>" in page
