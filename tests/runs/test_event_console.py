"""The events console (issue 10, item 4; spec/platform.md §9.4, §9.6): each event's outcome in the
list (one query whatever the rows), filters, and the event page's run tree with Retry, Cancel and
Replay buttons that call the runtime's verbs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event
from runs.models import ActionRun, EventRun, RunStatus, TaskRun
from tests.runs.engine_helpers import emit, ingest, make_task

pytestmark = pytest.mark.django_db

LIST = "/admin/events/event/"


def page(event: Event) -> str:
    return f"/admin/events/event/{event.pk}/change/"


@pytest.fixture
def echo_task(shop):
    return make_task(shop, name="Echo task", script='{% action "echo", n: 1 %}')


def failed_action(shop) -> Event:
    """An event whose action run failed for good."""
    event = emit(shop)
    ActionRun.objects.filter(task_run__event=event).update(
        status=RunStatus.FAILED, ok=False, error="boom", permanent=True
    )
    return event


def outcomes(admin_client, query: str = "") -> list[str]:
    response = admin_client.get(LIST + query)
    return [event.outcome for event in response.context["cl"].result_list]


def test_the_list_shows_failed_pending_and_succeeded_events(admin_client, shop, echo_task):
    failed_action(shop)
    ingest(shop)  # its event run is still due
    emit(shop)

    assert sorted(outcomes(admin_client)) == ["failed", "pending", "succeeded"]
    assert outcomes(admin_client, "?outcome=failed") == ["failed"]
    assert outcomes(admin_client, f"?task={echo_task.pk}") == ["succeeded", "failed"]
    assert (
        '<td class="field-outcome_display"><span class="outcome outcome-failed">failed</span></td>'
        in admin_client.get(LIST).content.decode()
    )


def test_the_list_does_the_same_queries_for_one_event_or_many(admin_client, shop, echo_task):
    failed_action(shop)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(LIST)
    for _ in range(6):
        emit(shop)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(LIST)

    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_event_page_shows_the_run_tree_with_a_retry_button_for_the_failed_action_run(
    admin_client, shop, echo_task
):
    event = failed_action(shop)
    action_run = ActionRun.objects.get(task_run__event=event)

    html = admin_client.get(page(event)).content.decode()

    assert 'Outcome: <strong class="outcome outcome-failed">failed</strong>' in html
    assert "<strong>Echo task</strong>" in html
    assert f'href="/admin/runs/actionrun/{action_run.pk}/change/"' in html
    assert f'formaction="/admin/events/event/{event.pk}/retry/{action_run.pk}/"' in html
    assert html.count(">Retry</button>") == 1  # only the failed run


def test_retry_from_the_event_page_makes_the_failed_action_run_due_again(admin_client, shop, echo_task):
    event = failed_action(shop)
    action_run = ActionRun.objects.get(task_run__event=event)

    response = admin_client.post(f"/admin/events/event/{event.pk}/retry/{action_run.pk}/", follow=True)

    assert response.redirect_chain == [(page(event), 302)]
    action_run.refresh_from_db()
    assert (action_run.status, action_run.error) == ("due", None)
    assert [str(message) for message in response.context["messages"]] == [
        f"action run {action_run.pk} will be retried."
    ]
    assert outcomes(admin_client) == ["pending"]


def test_a_run_that_cannot_be_retried_says_why(admin_client, shop, echo_task):
    event = emit(shop)
    task_run = TaskRun.objects.get(event=event)

    response = admin_client.post(f"/admin/events/event/{event.pk}/retry/{task_run.pk}/", follow=True)

    (message,) = response.context["messages"]
    assert str(message).startswith(f"task run {task_run.pk}: ")
    task_run.refresh_from_db()
    assert task_run.status == "succeeded"


def test_retry_needs_post_and_a_run_of_that_event(admin_client, shop, echo_task):
    event, other = failed_action(shop), failed_action(shop)
    other_run = ActionRun.objects.get(task_run__event=other)

    assert admin_client.get(f"/admin/events/event/{event.pk}/retry/{other_run.pk}/").status_code == 404
    assert admin_client.post(f"/admin/events/event/{event.pk}/retry/{other_run.pk}/").status_code == 404


def test_cancel_from_the_event_page_fails_the_queued_event_run(admin_client, shop, echo_task):
    event = ingest(shop)
    assert 'formaction="/admin/events/event/' in admin_client.get(page(event)).content.decode()

    admin_client.post(f"/admin/events/event/{event.pk}/cancel/")

    run = EventRun.objects.get(event=event)
    assert (run.status, run.error, run.cancelled) == ("failed", "Cancelled", True)


def test_replay_from_the_event_page_opens_the_new_event(admin_client, shop, echo_task):
    event = emit(shop, data={"n": 1})

    response = admin_client.post(f"/admin/events/event/{event.pk}/replay/")

    replayed = Event.objects.exclude(pk=event.pk).get()
    assert response["Location"] == page(replayed)
    assert (replayed.topic, replayed.data) == (event.topic, {"n": 1})


def test_the_tree_lists_child_events(admin_client, shop):
    make_task(shop, script='{% action "event", topic: "user/child/made", data: "x" %}')
    event = emit(shop)
    child = Event.objects.get(parent=event)

    html = admin_client.get(page(event)).content.decode()

    assert f'Child event <a href="/admin/events/event/{child.pk}/change/">user/child/made</a>' in html
