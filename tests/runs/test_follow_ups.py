"""Follow-up events, ``mechanic/actions/perform`` (spec/runtime.md §10.1, §10.2)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from runs.engine import perform_run
from runs.inline import perform_event_now
from runs.models import EventRun, RunStatus, TaskRun
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    RUN_KEYS,
    TOPIC,
    action,
    action_runs,
    children,
    emit,
    http_get,
    ingest,
    make_task,
    peer_fixture,
    retries_fixture,
    task_runs,
)
from tests.standin.standin_helpers import clock_fixture, standin_fixture  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

FOLLOW_UP = "mechanic/actions/perform"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def answering(first: str, then: str) -> str:
    """A script that renders ``first`` for the trigger and ``then`` for its follow-up."""
    return f'{{% if event.topic == "{FOLLOW_UP}" %}}{then}{{% else %}}{first}{{% endif %}}'


def test_the_follow_up_event_data_is_the_action_with_its_run(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(
        shop,
        subscriptions=[TOPIC, FOLLOW_UP],
        script=answering(http_get(url, __meta={"stage": "first"}), ""),
    )

    event = emit(shop)

    (run,) = action_runs(event)
    (follow_up,) = children(event, FOLLOW_UP)
    assert list(follow_up.data) == ["type", "options", "meta", "run"]
    assert follow_up.data == {
        "type": "http",
        "options": {"method": "get", "url": url, "error_on_5xx": True},
        "meta": {"stage": "first"},
        "run": run.run_data(),
    }
    assert list(follow_up.data["run"]) == RUN_KEYS
    assert (follow_up.data["run"]["ok"], follow_up.data["run"]["error"]) == (True, None)
    assert follow_up.data["run"]["result"]["status"] == 200
    assert follow_up.data["run"]["attempts"] == 1
    assert all(STAMP.fullmatch(follow_up.data["run"][key]) for key in ("run_at", "started_at", "stopped_at"))


def test_the_action_variable_of_an_http_follow_up_reads_the_run(shop, peer):
    url = peer.answer("/hook", 201)
    make_task(
        shop,
        subscriptions=[TOPIC, FOLLOW_UP],
        script=answering(
            http_get(url),
            "{% log type: action.type, ok: action.run.ok, status: action.run.result.status, "
            "same: event.data.run.id, meta: action.meta %}",
        ),
    )

    event = emit(shop)

    (run,) = action_runs(event)
    (follow_up,) = children(event, FOLLOW_UP)
    (answer,) = task_runs(follow_up)
    assert answer.logs == [{"type": "http", "ok": True, "status": 201, "same": str(run.pk), "meta": None}]


def test_the_action_variable_of_a_failed_http_action_has_its_error_and_no_result(shop, peer):
    url = peer.answer("/hook", 503)
    make_task(
        shop,
        subscriptions=[TOPIC, FOLLOW_UP],
        script=answering(
            http_get(url), "{% log ok: action.run.ok, error: action.run.error, result: action.run.result %}"
        ),
    )

    event = emit(shop)

    (follow_up,) = children(event, FOLLOW_UP)
    assert task_runs(follow_up)[0].logs == [{"ok": False, "error": "HTTP 503 response", "result": None}]


def test_the_action_variable_of_a_shopify_follow_up_reads_the_mutation_result(shop, standin):
    mutation = 'mutation { tagsAdd(id: "gid://shopify/Order/450789469", tags: "followed") { node { id } } }'
    make_task(
        shop,
        subscriptions=[TOPIC, FOLLOW_UP],
        script=answering(action("shopify", mutation), "{% log action.run.result.data.tagsAdd.node.id %}"),
    )

    event = emit(shop)

    (follow_up,) = children(event, FOLLOW_UP)
    assert follow_up.data["type"] == "shopify"
    assert follow_up.data["options"] == mutation
    assert task_runs(follow_up)[0].logs == ["gid://shopify/Order/450789469"]


def test_a_follow_up_comes_after_the_final_attempt_only(shop, peer, retries):
    url = peer.answer("/flaky", 503, 503, 200)
    make_task(shop, subscriptions=[TOPIC, FOLLOW_UP], script=answering(http_get(url), ""))

    event = emit(shop)

    (follow_up,) = children(event, FOLLOW_UP)
    assert (follow_up.data["run"]["ok"], follow_up.data["run"]["attempts"]) == (True, 3)


def test_an_echo_action_emits_no_follow_up(shop):
    make_task(shop, subscriptions=[TOPIC, FOLLOW_UP], script=answering(action("echo", {"a": 1}), ""))

    event = emit(shop)

    assert action_runs(event)[0].status == RunStatus.SUCCEEDED
    assert children(event) == []


def test_perform_event_false_beside_the_options_emits_no_follow_up(shop):
    script = action("cache", {"set": {"key": "k", "value": 1}}, __perform_event=False)
    make_task(shop, subscriptions=[TOPIC, FOLLOW_UP], script=answering(script, ""))

    event = emit(shop)

    (run,) = action_runs(event)
    assert (run.status, run.perform_event) == ("succeeded", False)
    assert children(event) == []


def test_perform_event_false_inside_the_options_emits_no_follow_up(shop):
    script = action("cache", {"set": {"key": "k", "value": 1}, "__perform_event": False})
    make_task(shop, subscriptions=[TOPIC, FOLLOW_UP], script=answering(script, ""))

    event = emit(shop)

    (run,) = action_runs(event)
    assert (run.status, run.perform_event) == ("succeeded", False)
    assert children(event) == []


def test_perform_event_other_than_false_still_emits(shop):
    options = {"set": {"key": "k", "value": 1}, "__perform_event": "false"}
    make_task(shop, subscriptions=[TOPIC, FOLLOW_UP], script=answering(action("cache", options), ""))

    event = emit(shop)

    assert [child.topic for child in children(event)] == [FOLLOW_UP]


def test_a_task_that_does_not_subscribe_gets_no_follow_up(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(shop, script=http_get(url))

    event = emit(shop)

    assert action_runs(event)[0].status == RunStatus.SUCCEEDED
    assert children(event) == []


def test_the_follow_up_reaches_only_the_originating_task(shop, peer):
    url = peer.answer("/hook", 200)
    origin = make_task(
        shop, "origin", subscriptions=[TOPIC, FOLLOW_UP], script=answering(http_get(url), "{% log 1 %}")
    )
    make_task(shop, "bystander", subscriptions=["user/other/go", FOLLOW_UP], script="{% log 2 %}")

    event = emit(shop)

    (follow_up,) = children(event, FOLLOW_UP)
    assert follow_up.origin_task_id == origin.id
    assert [(run.task.name, run.logs) for run in task_runs(follow_up)] == [("origin", [1])]


def test_the_follow_up_is_a_child_of_the_task_runs_event(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(
        shop,
        subscriptions=[TOPIC, FOLLOW_UP],
        script=answering(http_get(url), "{% log event.parent.topic %}"),
    )

    event = emit(shop)

    (follow_up,) = children(event, FOLLOW_UP)
    assert (follow_up.parent_id, follow_up.source, follow_up.origin_action_run_id) == (
        event.pk,
        "mechanic",
        action_runs(event)[0].pk,
    )
    assert task_runs(follow_up)[0].logs == [TOPIC]


def test_an_offset_on_the_follow_up_subscription_delays_its_task_run(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(
        shop, subscriptions=[TOPIC, f"{FOLLOW_UP}+1.hour"], script=answering(http_get(url), "{% log 1 %}")
    )
    before = timezone.now()

    event = emit(shop)

    (follow_up,) = children(event, FOLLOW_UP)
    (answer,) = task_runs(follow_up)
    assert (answer.status, answer.subscription) == ("scheduled", f"{FOLLOW_UP}+1.hour")
    assert before + timedelta(hours=1) <= answer.run_at <= timezone.now() + timedelta(hours=1)


def test_the_subscription_is_read_when_the_action_ends(shop, peer):
    url = peer.answer("/hook", 200)
    task = make_task(shop, subscriptions=[TOPIC], script=answering(http_get(url), ""))
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    perform_run(TaskRun.claim(task_runs(event)[0].pk))
    task.subscriptions = [TOPIC, FOLLOW_UP]
    task.save()

    perform_event_now(event)

    assert [child.topic for child in children(event)] == [FOLLOW_UP]
