"""Automatic retries (spec/runtime.md §9.1): which failures are tried again, when, how often, and
what each attempt leaves behind."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

import hub.settings
from runs import retries
from runs.engine import perform_run
from runs.models import ActionRun, RunStatus, TaskRun
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    INLINE_WORKER,
    action,
    action_runs,
    attempt_rows,
    attempts,
    children,
    emit,
    http_get,
    make_task,
    peer_fixture,
    retries_fixture,
    task_runs,
)

pytestmark = pytest.mark.django_db

DEFAULT_DELAYS = [30, 76, 152, 308]


def failed(number: int, error: str, *, permanent: bool = False) -> dict:
    return {"number": number, "ok": False, "error": error, "permanent": permanent}


def succeeded(number: int) -> dict:
    return {"number": number, "ok": True, "error": None, "permanent": None}


def test_a_5xx_answer_is_retried_until_the_peer_answers(shop, peer, retries):
    url = peer.answer("/flaky", 503, 503, 200)
    make_task(shop, script=http_get(url))

    event = emit(shop)

    (run,) = action_runs(event)
    assert attempts(run) == [failed(1, "HTTP 503 response"), failed(2, "HTTP 503 response"), succeeded(3)]
    assert (run.status, run.ok, run.error, run.attempts, run.auto_retries) == ("succeeded", True, None, 3, 2)
    assert run.result["status"] == 200
    assert peer.count("/flaky") == 3


def test_the_first_retry_is_scheduled_about_30_seconds_after_the_failure(shop, peer, settings):
    settings.HUB_RETRY_DELAYS_S = DEFAULT_DELAYS
    url = peer.answer("/down", 503)
    make_task(shop, script=http_get(url))
    before = timezone.now()

    event = emit(shop)

    (run,) = action_runs(event)
    assert (run.status, run.auto_retries, run.attempts, run.ok, run.error) == (
        "scheduled",
        1,
        1,
        False,
        "HTTP 503 response",
    )
    assert before + timedelta(seconds=27) <= run.run_at <= timezone.now() + timedelta(seconds=33)
    assert peer.count("/down") == 1
    assert children(event) == []


def test_the_second_retry_is_scheduled_about_76_seconds_after_the_second_failure(shop, peer, settings):
    settings.HUB_RETRY_DELAYS_S = DEFAULT_DELAYS
    url = peer.answer("/down", 503)
    make_task(shop, script=http_get(url))
    event = emit(shop)
    (run,) = action_runs(event)
    ActionRun.objects.filter(pk=run.pk).update(status=RunStatus.DUE, run_at=timezone.now())
    before = timezone.now()

    perform_run(ActionRun.claim(run.pk))

    run.refresh_from_db()
    assert (run.status, run.auto_retries, run.attempts) == ("scheduled", 2, 2)
    assert before + timedelta(seconds=68.4) <= run.run_at <= timezone.now() + timedelta(seconds=83.6)
    assert peer.count("/down") == 2


def test_after_four_retries_the_failure_is_final(shop, peer, retries):
    url = peer.answer("/down", 503)
    make_task(shop, script=http_get(url))

    event = emit(shop)

    (run,) = action_runs(event)
    assert attempts(run) == [failed(number, "HTTP 503 response") for number in range(1, 6)]
    assert (run.status, run.ok, run.permanent, run.attempts, run.auto_retries) == (
        "failed",
        False,
        False,
        5,
        4,
    )
    assert peer.count("/down") == 5


def test_the_error_event_comes_once_after_the_final_attempt(shop, peer, retries):
    url = peer.answer("/down", 503)
    make_task(shop, script=http_get(url))

    event = emit(shop)

    (error_event,) = children(event)
    assert error_event.topic == "mechanic/errors/action"
    assert error_event.data["action"]["run"]["attempts"] == 5


def test_a_failure_that_ends_in_success_emits_no_error_event(shop, peer, retries):
    url = peer.answer("/flaky", 503, 200)
    make_task(shop, script=http_get(url))

    event = emit(shop)

    assert children(event) == []


def test_an_option_error_is_permanent_and_not_retried(shop, peer, retries):
    make_task(shop, script=action("http", {"method": "get"}))

    event = emit(shop)

    (run,) = action_runs(event)
    assert attempts(run) == [failed(1, 'option "url": is required', permanent=True)]
    assert (run.status, run.permanent, run.auto_retries) == ("failed", True, 0)


def test_a_refused_internal_address_is_permanent_and_not_retried(shop, httpserver, retries):
    url = httpserver.url_for("/internal")
    make_task(shop, script=http_get(url))

    event = emit(shop)

    (run,) = action_runs(event)
    refused = (
        f"GET http://localhost:{httpserver.port}: refused to connect to 127.0.0.1 (loopback address); "
        "allow it with HUB_HTTP_ALLOW_PRIVATE"
    )
    assert attempts(run) == [failed(1, refused, permanent=True)]
    assert httpserver.log == []


def test_a_4xx_answer_without_error_on_5xx_is_a_success_and_not_retried(shop, peer, retries):
    url = peer.answer("/missing", 404)
    make_task(shop, script=http_get(url))

    event = emit(shop)

    (run,) = action_runs(event)
    assert attempts(run) == [succeeded(1)]
    assert run.result["status"] == 404
    assert peer.count("/missing") == 1


def test_a_shopify_4xx_is_permanent_and_not_retried(shop, settings, httpserver, retries):
    settings.HUB_SHOPIFY_ADMIN_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/admin/api/2026-07/orders/1.json").respond_with_json(
        {"errors": "Not Found"}, status=404
    )
    make_task(shop, script=action("shopify", ["get", "/admin/orders/1.json"]))

    event = emit(shop)

    (run,) = action_runs(event)
    assert attempts(run) == [failed(1, "Received a Shopify error (not found): Not Found", permanent=True)]
    assert len(httpserver.log) == 1


def test_a_shopify_5xx_in_an_action_is_retried(shop, settings, httpserver, retries):
    settings.HUB_SHOPIFY_ADMIN_URL = httpserver.url_for("/").rstrip("/")
    path = "/admin/api/2026-07/graphql.json"
    httpserver.expect_oneshot_request(path).respond_with_json({"errors": "Internal Server Error"}, status=500)
    httpserver.expect_request(path).respond_with_json({"data": {"shop": {"name": "Example"}}})
    make_task(shop, script=action("shopify", "{ shop { name } }"))

    event = emit(shop)

    (run,) = action_runs(event)
    error = "Received a Shopify error (internal server error): Internal Server Error"
    assert attempts(run) == [failed(1, error), succeeded(2)]
    assert run.result["data"] == {"shop": {"name": "Example"}}


def test_a_task_run_whose_shopify_read_got_a_5xx_is_retried(shop, settings, httpserver, retries):
    settings.HUB_SHOPIFY_ADMIN_URL = httpserver.url_for("/").rstrip("/")
    path = "/admin/api/2026-07/graphql.json"
    httpserver.expect_oneshot_request(path).respond_with_json({"errors": "Internal Server Error"}, status=500)
    httpserver.expect_request(path).respond_with_json({"data": {"shop": {"name": "Example"}}})
    make_task(shop, script='{% assign r = "{ shop { name } }" | shopify %}{% log r.data.shop.name %}')

    event = emit(shop)

    (run,) = task_runs(event)
    assert [(a["number"], a["ok"], a["permanent"]) for a in attempts(run)] == [
        (1, False, False),
        (2, True, None),
    ]
    assert (run.status, run.logs) == ("succeeded", ["Example"])
    assert len(httpserver.log) == 2


def test_a_liquid_error_is_permanent_and_not_retried(shop, retries):
    make_task(shop, script="{{ 1 | divided_by: 0 }}")

    event = emit(shop)

    (run,) = task_runs(event)
    assert [(a["number"], a["ok"], a["permanent"]) for a in attempts(run)] == [(1, False, True)]
    assert (run.status, run.permanent, run.auto_retries) == ("failed", True, 0)


def test_an_error_object_is_permanent_and_not_retried(shop, retries):
    make_task(shop, script='{% error "nope" %}')

    event = emit(shop)

    (run,) = task_runs(event)
    assert attempts(run) == [failed(1, "nope", permanent=True)]


def test_a_crash_while_performing_is_retried(shop, retries, monkeypatch):
    make_task(shop, script='{% log "x" %}')
    calls = []
    real = TaskRun.render

    def crash_once(self, **kwargs):
        calls.append(self.pk)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(self, **kwargs)

    monkeypatch.setattr(TaskRun, "render", crash_once)

    event = emit(shop)

    (run,) = task_runs(event)
    assert attempts(run) == [failed(1, "internal error: RuntimeError: boom"), succeeded(2)]
    assert run.logs == ["x"]


def test_attempt_rows_of_an_action_run_carry_worker_request_and_response(shop, peer, retries):
    url = peer.answer("/flaky", 503, 200)
    make_task(shop, script=http_get(url, headers={"X-Try": "1"}))

    event = emit(shop)

    (run,) = action_runs(event)
    first, second = attempt_rows(run)
    options = {"method": "get", "url": url, "error_on_5xx": True, "headers": {"X-Try": "1"}}
    assert (first.run_kind, first.worker, first.request, first.response) == (
        "action",
        INLINE_WORKER,
        options,
        None,
    )
    assert (second.worker, second.request, second.response) == (INLINE_WORKER, options, run.result)
    assert first.started_at <= first.stopped_at <= second.started_at <= second.stopped_at
    assert second.stopped_at == run.stopped_at


def test_attempt_rows_of_event_and_task_runs_carry_the_worker_and_no_request(shop):
    make_task(shop, script='{% log "x" %}')

    event = emit(shop)

    (task_run,) = task_runs(event)
    rows = attempt_rows(event.run) + attempt_rows(task_run)
    assert [(r.run_kind, r.number, r.ok, r.worker, r.request, r.response) for r in rows] == [
        ("event", 1, True, INLINE_WORKER, None, None),
        ("task", 1, True, INLINE_WORKER, None, None),
    ]


@pytest.mark.skipif("HUB_RETRY_DELAYS_S" in os.environ, reason="the environment sets its own delays")
def test_the_default_delays_are_30_76_152_and_308_seconds():
    assert hub.settings.HUB_RETRY_DELAYS_S == [30.0, 76.0, 152.0, 308.0]


@pytest.mark.parametrize(("done", "delay"), [(0, 30), (1, 76), (2, 152), (3, 308)])
def test_each_retry_waits_its_delay_within_ten_percent(settings, done, delay):
    settings.HUB_RETRY_DELAYS_S = DEFAULT_DELAYS
    now = timezone.now()

    times = [
        retries.automatic_retry_at(ActionRun(auto_retries=done), permanent=False, now=now) for _ in range(50)
    ]

    assert all(
        now + timedelta(seconds=delay * 0.9) <= at <= now + timedelta(seconds=delay * 1.1) for at in times
    )
    assert len(set(times)) > 1


def test_no_fifth_retry_and_no_retry_of_a_permanent_error(settings):
    settings.HUB_RETRY_DELAYS_S = DEFAULT_DELAYS

    assert retries.automatic_retry_at(ActionRun(auto_retries=4), permanent=False) is None
    assert retries.automatic_retry_at(ActionRun(auto_retries=0), permanent=True) is None
