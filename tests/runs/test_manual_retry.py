"""Retrying a run by hand (spec/runtime.md §9.2): which runs may be retried, and with what."""

import pytest

from events.models import EventFilter
from runs.engine import perform_run
from runs.inline import perform_event_now
from runs.models import ActionRun, EventRun, RunStatus, TaskRun
from runs.verbs import NotRetryable, retry
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    action_runs,
    attempts,
    emit,
    http_get,
    ingest,
    make_task,
    peer_fixture,
    retries_fixture,
    task_runs,
)

pytestmark = pytest.mark.django_db


def refusal(run) -> str:
    with pytest.raises(NotRetryable) as refused:
        retry(run)
    return str(refused.value)


def pending(run) -> tuple:
    run.refresh_from_db()
    return (run.status, run.ok, run.error, run.permanent, run.result, run.stopped_at, run.auto_retries)


DUE_AGAIN = ("due", None, None, None, None, None, 0)


# --- allowed --------------------------------------------------------------------------------


def test_a_failed_action_run_becomes_due_again_with_its_result_discarded(shop, peer):
    make_task(shop, script=http_get(peer.answer("/down", 503)))
    event = emit(shop)
    (run,) = action_runs(event)

    returned = retry(run)

    assert (returned.pk, returned.status) == (run.pk, "due")
    assert pending(run) == DUE_AGAIN
    assert run.attempts == 1


def test_a_retried_action_run_is_performed_with_its_original_options(shop, peer):
    task = make_task(shop, script=http_get(peer.answer("/first", 503, 200)))
    event = emit(shop)
    (run,) = action_runs(event)
    task.script = http_get(peer.answer("/second", 200))
    task.save()

    retry(run)
    perform_event_now(event)

    run.refresh_from_db()
    assert peer.paths == ["/first", "/first"]
    assert attempts(run) == [
        {"number": 1, "ok": False, "error": "HTTP 503 response", "permanent": False},
        {"number": 2, "ok": True, "error": None, "permanent": None},
    ]
    assert (run.status, run.result["status"]) == ("succeeded", 200)


def test_a_retried_action_run_gets_a_fresh_allowance_of_automatic_retries(shop, peer, retries):
    make_task(shop, script=http_get(peer.answer("/down", 503)))
    event = emit(shop)
    (run,) = action_runs(event)
    assert (run.status, run.attempts, run.auto_retries) == ("failed", 5, 4)

    retry(run)
    perform_event_now(event)

    run.refresh_from_db()
    assert (run.status, run.attempts, run.auto_retries) == ("failed", 10, 4)
    assert [a["number"] for a in attempts(run)] == list(range(1, 11))
    assert peer.count("/down") == 10


def test_a_failed_task_run_is_retried_with_the_tasks_current_script(shop):
    task = make_task(shop, script='{% error "broken" %}')
    event = emit(shop)
    (run,) = task_runs(event)
    task.script = '{% log "fixed" %}'
    task.save()

    retry(run)
    perform_event_now(event)

    run.refresh_from_db()
    assert (run.status, run.error, run.error_details, run.logs) == ("succeeded", None, None, ["fixed"])


def test_a_task_run_that_created_nothing_may_be_retried(shop):
    task = make_task(shop, script='{% log "v1" %}')
    event = emit(shop)
    (run,) = task_runs(event)
    task.script = '{% log "v2" %}{% action "echo", n: 1 %}'
    task.save()

    retry(run)
    perform_event_now(event)

    run.refresh_from_db()
    assert (run.status, run.logs) == ("succeeded", ["v2"])
    assert [(a.action_type, a.status) for a in action_runs(event)] == [("echo", "succeeded")]


def test_an_event_run_that_created_no_task_runs_is_retried_with_the_current_tasks(shop):
    event = emit(shop)
    assert task_runs(event) == []
    make_task(shop, "added later", script='{% log "late" %}')

    retry(event.run)
    perform_event_now(event)

    assert [(run.task.name, run.logs) for run in task_runs(event)] == [("added later", ["late"])]


def test_a_filtered_event_run_may_be_retried_and_loses_its_flag(shop):
    event_filter = EventFilter.objects.create(shop=shop, name="skip", template="false")
    make_task(shop, script='{% log "ran" %}')
    event = emit(shop)
    event_filter.delete()

    retry(event.run)

    event.run.refresh_from_db()
    assert (event.run.status, event.run.filtered) == ("due", False)
    perform_event_now(event)
    assert [run.logs for run in task_runs(event)] == [["ran"]]


def test_a_failed_event_run_may_be_retried(shop):
    event_filter = EventFilter.objects.create(shop=shop, name="broken", template="{{ 1 | divided_by: 0 }}")
    make_task(shop, script='{% log "ran" %}')
    event = emit(shop)
    event_filter.delete()

    retry(event.run)
    perform_event_now(event)

    event.run.refresh_from_db()
    assert (event.run.status, event.run.error) == ("succeeded", None)
    assert len(task_runs(event)) == 1


def test_a_retried_run_of_a_disabled_task_fails_as_disabled(shop):
    task = make_task(shop, script='{% error "broken" %}')
    event = emit(shop)
    (run,) = task_runs(event)
    task.enabled = False
    task.save()

    retry(run)
    perform_event_now(event)

    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "Task is disabled")


# --- refused --------------------------------------------------------------------------------


def test_a_succeeded_action_run_cannot_be_retried(shop):
    make_task(shop, script='{% action "echo", n: 1 %}')
    (run,) = action_runs(emit(shop))

    assert refusal(run) == "the action run succeeded; only a failed action run can be retried"
    run.refresh_from_db()
    assert (run.status, run.result) == ("succeeded", {"n": 1})


def test_a_task_run_that_created_action_runs_cannot_be_retried(shop):
    make_task(shop, script='{% action "echo", n: 1 %}')
    (run,) = task_runs(emit(shop))

    assert refusal(run) == "the task run succeeded and created action runs; retrying would discard them"


def test_an_event_run_that_created_task_runs_cannot_be_retried(shop):
    make_task(shop, script='{% log "x" %}')
    event = emit(shop)

    assert refusal(event.run) == "the event run succeeded and created task runs; retrying would discard them"


def test_a_started_run_cannot_be_retried(shop):
    make_task(shop, script='{% log "x" %}')
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    run = TaskRun.claim(task_runs(event)[0].pk)

    assert refusal(run) == "the task run is started, not finished"
    run.refresh_from_db()
    assert run.status == RunStatus.STARTED


def test_a_run_waiting_for_an_automatic_retry_cannot_be_retried_by_hand(shop, peer, settings):
    settings.HUB_RETRY_DELAYS_S = [30]
    make_task(shop, script=http_get(peer.answer("/down", 503)))
    (run,) = action_runs(emit(shop))

    assert refusal(run) == "the action run is scheduled, not finished"


def test_a_due_run_cannot_be_retried(shop):
    event = ingest(shop)

    assert refusal(event.run) == "the event run is due, not finished"


def test_a_retry_of_a_run_that_changed_meanwhile_is_refused(shop, peer):
    make_task(shop, script=http_get(peer.answer("/down", 503)))
    (run,) = action_runs(emit(shop))
    ActionRun.objects.filter(pk=run.pk).update(status=RunStatus.DUE)

    assert refusal(run) == "the action run changed meanwhile; reload it and try again"


def test_a_retried_shopify_action_run_keeps_its_original_api_version(shop, settings, httpserver):
    settings.HUB_SHOPIFY_ADMIN_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_oneshot_request("/admin/api/2026-07/graphql.json").respond_with_json(
        {"errors": "Internal Server Error"}, status=500
    )
    httpserver.expect_request("/admin/api/2026-07/graphql.json").respond_with_json(
        {"data": {"shop": {"name": "X"}}}
    )
    task = make_task(
        shop, script='{% action "shopify" %}{ shop { name } }{% endaction %}', shopify_api_version="2026-07"
    )
    event = emit(shop)
    (run,) = action_runs(event)
    assert run.status == RunStatus.FAILED
    task.shopify_api_version = "2025-01"
    task.save()

    retry(run)
    perform_event_now(event)

    run.refresh_from_db()
    assert (run.status, run.shopify_api_version) == ("succeeded", "2026-07")
    assert [request.path for request, _ in httpserver.log] == ["/admin/api/2026-07/graphql.json"] * 2


def test_a_retried_task_run_takes_the_tasks_current_api_version(shop):
    task = make_task(shop, script='{% error "broken" %}', shopify_api_version="2026-07")
    event = emit(shop)
    (run,) = task_runs(event)
    task.script = '{% action "echo", n: 1 %}'
    task.shopify_api_version = "2025-01"
    task.save()

    retry(run)
    perform_event_now(event)

    run.refresh_from_db()
    assert (run.status, run.shopify_api_version) == ("succeeded", "2025-01")
    assert [a.shopify_api_version for a in action_runs(event)] == ["2025-01"]
