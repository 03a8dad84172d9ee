"""Error events, ``mechanic/errors/event``, ``/task`` and ``/action`` (spec/runtime.md §11): when
they are emitted, their payload, who receives them, and the loop guard."""

import re

import pytest

from events.models import Event, EventFilter
from runs.engine import perform_run
from runs.inline import perform_event_now
from runs.models import EventRun, TaskRun
from runs.models.runs import stamp
from runs.verbs import cancel
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    RUN_KEYS,
    TOPIC,
    action,
    action_runs,
    bounded_drain_fixture,
    children,
    emit,
    http_get,
    ingest,
    make_task,
    peer_fixture,
    task_runs,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bounded_drain")]

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")

TASK_ERROR = "mechanic/errors/task"
ACTION_ERROR = "mechanic/errors/action"
EVENT_ERROR = "mechanic/errors/event"
EVENT_KEYS = ["id", "topic", "source", "created_at", "webhook_request_id", "flow_action_run_id", "run"]
# spec/runtime.md §11.3, in its order, then the task run.
TASK_KEYS = [
    "id",
    "name",
    "event_topics",
    "options",
    "script",
    "created_at",
    "updated_at",
    "subscriptions",
    "enabled",
    "online_store_javascript",
    "order_status_javascript",
    "docs",
    "shopify_access_scopes_required",
    "subscriptions_template",
    "shopify_api_version",
    "liquid_profiling",
    "perform_action_runs_in_sequence",
    "halt_action_run_sequence_on_error",
    "run",
]
LISTENER_SCRIPT = "{% log topic: event.topic, message: error.message %}"


def listener(shop, name="listener", subscriptions=(TASK_ERROR, ACTION_ERROR, EVENT_ERROR)):
    """A task subscribed only to error topics, logging each error's topic and message."""
    return make_task(shop, name, subscriptions=subscriptions, script=LISTENER_SCRIPT)


def heard(task) -> list[dict]:
    """What ``task`` logged, over all its task runs, oldest first."""
    return [log for run in TaskRun.objects.filter(task=task).order_by("created_at") for log in run.logs]


# --- emission -------------------------------------------------------------------------------


def test_an_error_tag_emits_a_task_error_with_the_message(shop):
    task = make_task(shop, script='{% error "out of stock" %}')

    event = emit(shop)

    (error_event,) = children(event)
    (task_run,) = task_runs(event)
    assert (error_event.topic, error_event.source, error_event.origin_task_id) == (
        TASK_ERROR,
        "mechanic",
        task.id,
    )
    assert error_event.data["message"] == "out of stock"
    assert error_event.data["task"]["run"]["id"] == str(task_run.pk)


def test_a_failed_action_emits_an_action_error(shop, peer):
    url = peer.answer("/down", 503)
    make_task(shop, script=http_get(url))

    event = emit(shop)

    (error_event,) = children(event)
    (run,) = action_runs(event)
    assert (error_event.topic, error_event.origin_action_run_id) == (ACTION_ERROR, run.pk)
    assert error_event.data["message"] == "HTTP 503 response"


def test_a_failing_event_filter_emits_an_event_error_naming_the_filter(shop):
    EventFilter.objects.create(shop=shop, name="broken", template="{{ 1 | divided_by: 0 }}")

    event = emit(shop)

    (error_event,) = children(event)
    message = 'event filter "broken": Liquid error (line 1, column 8): divided_by: divided by 0'
    assert (error_event.topic, error_event.data["message"], error_event.data["filter"]) == (
        EVENT_ERROR,
        message,
        {"name": "broken"},
    )


def test_the_task_error_payload_has_message_event_and_task(shop):
    task = make_task(shop, script='{% error "bad" %}', options={"limit__number": 3})

    event = emit(shop, data={"n": 1})

    (error_event,) = children(event)
    (task_run,) = task_runs(event)
    event.run.refresh_from_db()
    task.refresh_from_db()
    data = error_event.data
    assert list(data) == ["message", "event", "task"]
    assert list(data["event"]) == EVENT_KEYS
    assert data["event"] == {
        "id": str(event.pk),
        "topic": TOPIC,
        "source": "user",
        "created_at": stamp(event.created_at),
        "webhook_request_id": None,
        "flow_action_run_id": None,
        "run": event.run.run_data(),
    }
    assert list(data["event"]["run"]) == RUN_KEYS
    assert list(data["task"]) == TASK_KEYS
    assert data["task"] == {**task.error_data(), "run": task_run.run_data()}
    assert (data["task"]["name"], data["task"]["event_topics"], data["task"]["options"]) == (
        "Task",
        [TOPIC],
        {"limit__number": 3},
    )
    assert (data["task"]["run"]["ok"], data["task"]["run"]["error"]) == (False, "bad")


def test_the_error_payload_writes_every_time_in_utc_with_milliseconds(shop):
    make_task(shop, script='{% error "bad" %}')

    event = emit(shop)

    (error_event,) = children(event)
    data = error_event.data
    times = [data["event"]["created_at"], data["task"]["created_at"], data["task"]["updated_at"]]
    times += [
        data[part]["run"][key] for part in ("event", "task") for key in ("run_at", "started_at", "stopped_at")
    ]
    assert [STAMP.fullmatch(value) is not None for value in times] == [True] * 9


def test_the_action_error_payload_adds_the_action_with_its_run(shop, peer):
    url = peer.answer("/down", 503)
    make_task(shop, script=http_get(url, __meta={"stage": 2}))

    event = emit(shop)

    (error_event,) = children(event)
    (run,) = action_runs(event)
    data = error_event.data
    assert list(data) == ["message", "event", "task", "action"]
    assert list(data["task"]) == TASK_KEYS
    assert data["task"]["run"]["id"] == str(run.task_run_id)
    assert data["action"] == {
        "type": "http",
        "options": {"method": "get", "url": url, "error_on_5xx": True},
        "meta": {"stage": 2},
        "run": run.run_data(),
    }
    assert (data["action"]["run"]["ok"], data["action"]["run"]["error"], data["action"]["run"]["result"]) == (
        False,
        "HTTP 503 response",
        None,
    )


def test_the_event_error_payload_has_message_event_and_filter_only(shop):
    EventFilter.objects.create(shop=shop, name="broken", template="{{ 1 | divided_by: 0 }}")

    event = emit(shop)

    (error_event,) = children(event)
    event.run.refresh_from_db()
    assert list(error_event.data) == ["message", "event", "filter"]
    assert error_event.data["event"]["run"] == event.run.run_data()
    assert error_event.data["event"]["run"]["ok"] is False


def test_an_error_event_is_a_child_of_the_failed_runs_event(shop):
    make_task(shop, script='{% error "bad" %}')

    event = emit(shop)

    (error_event,) = children(event)
    assert error_event.parent_id == event.pk
    assert error_event.data["event"]["id"] == str(event.pk)


# --- routing --------------------------------------------------------------------------------


def test_an_error_only_task_hears_every_task_and_action_error_of_the_shop(shop, peer):
    url = peer.answer("/down", 503)
    make_task(shop, "fails in liquid", script='{% error "liquid says no" %}')
    make_task(shop, "fails in action", script=http_get(url))
    ears = listener(shop)

    emit(shop)

    assert sorted(heard(ears), key=lambda log: log["topic"]) == [
        {"topic": ACTION_ERROR, "message": "HTTP 503 response"},
        {"topic": TASK_ERROR, "message": "liquid says no"},
    ]


def test_an_error_only_task_hears_event_errors(shop):
    ears = listener(shop)
    EventFilter.objects.create(
        shop=shop,
        name="broken for user events",
        template='{% if event.topic contains "user/" %}{{ 1 | divided_by: 0 }}{% endif %}',
    )

    event = emit(shop)

    (error_event,) = children(event)
    assert heard(ears) == [{"topic": EVENT_ERROR, "message": error_event.data["message"]}]


def test_a_task_with_other_subscriptions_hears_only_errors_about_its_own_runs(shop):
    own = make_task(
        shop,
        "own",
        subscriptions=[TOPIC, TASK_ERROR],
        script=f'{{% if error %}}{LISTENER_SCRIPT}{{% else %}}{{% error "mine" %}}{{% endif %}}',
    )
    make_task(shop, "other", script='{% error "theirs" %}')

    emit(shop)

    assert heard(own) == [{"topic": TASK_ERROR, "message": "mine"}]


def test_a_task_with_other_subscriptions_hears_no_event_errors(shop):
    mixed = make_task(shop, "mixed", subscriptions=["user/other/go", EVENT_ERROR], script=LISTENER_SCRIPT)
    only = listener(shop, "only", subscriptions=[EVENT_ERROR])
    EventFilter.objects.create(
        shop=shop,
        name="broken",
        template='{% if event.topic contains "user/" %}{{ 1 | divided_by: 0 }}{% endif %}',
    )

    emit(shop)

    assert heard(mixed) == []
    assert [log["topic"] for log in heard(only)] == [EVENT_ERROR]


def test_an_error_only_task_hears_only_the_error_topics_it_subscribes_to(shop):
    ears = listener(shop, subscriptions=[ACTION_ERROR])
    make_task(shop, script='{% error "bad" %}')

    event = emit(shop)

    assert [child.topic for child in children(event)] == [TASK_ERROR]
    assert heard(ears) == []


# --- loop guard and quiet failures ---------------------------------------------------------


def test_a_failure_while_handling_an_error_event_emits_nothing(shop):
    make_task(shop, "fails", script='{% error "first" %}')
    make_task(shop, "fails too", subscriptions=[TASK_ERROR], script='{% error "second" %}')

    event = emit(shop)

    (error_event,) = children(event)
    (handler,) = task_runs(error_event)
    assert (handler.status, handler.error) == ("failed", "second")
    assert children(error_event) == []
    assert Event.objects.count() == 2


def test_a_failed_action_while_handling_an_error_event_emits_nothing(shop, peer):
    url = peer.answer("/down", 503)
    make_task(shop, "fails", script='{% error "first" %}')
    make_task(shop, "reports", subscriptions=[TASK_ERROR], script=http_get(url))

    event = emit(shop)

    (error_event,) = children(event)
    assert [run.status for run in action_runs(error_event)] == ["failed"]
    assert children(error_event) == []
    assert peer.count("/down") == 1


def test_a_disabled_task_emits_no_error_event(shop):
    task = make_task(shop, script='{% log "never" %}')
    ears = listener(shop)
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    task.enabled = False
    task.save()

    perform_event_now(event)

    (task_run,) = TaskRun.objects.filter(event=event, task=task)
    assert (task_run.status, task_run.error) == ("failed", "Task is disabled")
    assert children(event) == []
    assert heard(ears) == []


def test_a_cancelled_event_emits_no_error_event(shop):
    listener(shop)
    event = ingest(shop)

    cancel(event)
    perform_event_now(event)

    assert children(event) == []
    assert Event.objects.count() == 1


def test_actions_skipped_by_a_halted_sequence_emit_no_error_events(shop, peer):
    down, later = peer.answer("/down", 503), peer.answer("/later", 200)
    make_task(
        shop,
        script=http_get(down) + http_get(later) + action("echo", {}),
        perform_action_runs_in_sequence=True,
        halt_action_run_sequence_on_error=True,
    )

    event = emit(shop)

    assert [run.status for run in action_runs(event)] == ["failed", "failed", "failed"]
    assert [(child.topic, child.data["message"]) for child in children(event)] == [
        (ACTION_ERROR, "HTTP 503 response")
    ]


def test_an_error_event_listener_reads_the_error_variable(shop):
    ears = make_task(
        shop,
        "ears",
        subscriptions=[TASK_ERROR],
        script="{% log task: error.task.name, ok: error.task.run.ok, topic: error.event.topic %}",
    )
    make_task(shop, "fails", script='{% error "bad" %}')

    emit(shop)

    assert heard(ears) == [{"task": "fails", "ok": False, "topic": TOPIC}]


def test_a_deleted_tasks_pending_runs_fail_as_disabled_and_emit_nothing(shop):
    task = make_task(shop, script='{% action "echo", n: 1 %}')
    ears = listener(shop)
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    task.delete()

    perform_event_now(event)

    assert [
        (run.task_id, run.status, run.error) for run in TaskRun.objects.filter(event=event, task=None)
    ] == [(None, "failed", "Task is disabled")]
    assert children(event) == []
    assert heard(ears) == []


def test_a_deleted_tasks_pending_action_runs_fail_as_disabled_and_emit_nothing(shop, peer):
    task = make_task(
        shop, subscriptions=[TOPIC, "mechanic/actions/perform"], script=http_get(peer.answer("/x", 200))
    )
    ears = listener(shop)
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    perform_run(TaskRun.claim(task_runs(event)[0].pk))
    task.delete()

    perform_event_now(event)

    assert [(run.status, run.error) for run in action_runs(event)] == [("failed", "Task is disabled")]
    assert peer.paths == []
    assert children(event) == []
    assert heard(ears) == []
