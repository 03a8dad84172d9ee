"""``emit_event --sync --json`` shows the engine's rules end to end: retries, follow-ups, error
events and halted sequences, each with its runs and attempts (spec/runtime.md §8–§11)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    TOPIC,
    action,
    http_get,
    make_task,
    peer_fixture,
)

pytestmark = pytest.mark.django_db

FOLLOW_UP = "mechanic/actions/perform"


@pytest.fixture(autouse=True)
def _check_settings(settings):
    """``HUB_RETRY_DELAYS_S=0,0,0,0`` and ``HUB_HTTP_ALLOW_PRIVATE=127.0.0.1``, as the check runs."""
    settings.HUB_RETRY_DELAYS_S = [0.0, 0.0, 0.0, 0.0]
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]


def emit_sync(topic: str = TOPIC) -> dict:
    out = StringIO()
    call_command("emit_event", topic, "--sync", "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def attempt(number: int, error: str | None = None, *, permanent: bool | None = None) -> dict:
    if error is None:
        return {"number": number, "ok": True, "error": None, "permanent": None}
    return {"number": number, "ok": False, "error": error, "permanent": permanent}


def test_an_http_action_failing_twice_with_503_shows_three_attempts(shop, peer):
    url = peer.answer("/flaky", 503, 503, 200)
    make_task(shop, script=http_get(url))

    report = emit_sync()

    (task_run,) = report["task_runs"]
    (action_run,) = task_run["action_runs"]
    assert action_run["attempts"] == [
        attempt(1, "HTTP 503 response", permanent=False),
        attempt(2, "HTTP 503 response", permanent=False),
        attempt(3),
    ]
    assert (action_run["type"], action_run["status"], action_run["error"]) == ("http", "succeeded", None)
    assert action_run["result"]["status"] == 200
    assert peer.count("/flaky") == 3
    assert report["child_events"] == []


def test_a_follow_up_child_event_shows_the_logged_status(shop, peer):
    url = peer.answer("/flaky", 503, 503, 200)
    make_task(
        shop,
        subscriptions=[TOPIC, FOLLOW_UP],
        script=f'{{% if event.topic == "{FOLLOW_UP}" %}}{{% log action.run.result.status %}}'
        f"{{% else %}}{http_get(url)}{{% endif %}}",
    )

    report = emit_sync()

    assert len(report["task_runs"][0]["action_runs"][0]["attempts"]) == 3
    (child,) = report["child_events"]
    assert (child["event"]["topic"], child["event_run"]["status"]) == (FOLLOW_UP, "succeeded")
    (answer,) = child["task_runs"]
    assert (answer["status"], answer["logs"], answer["action_runs"]) == ("succeeded", [200], [])
    assert child["event"]["data"]["run"]["attempts"] == 3
    assert peer.count("/flaky") == 3


def test_an_error_tag_makes_a_task_error_child_event_an_error_task_receives(shop):
    make_task(shop, "fails", script='{% log "before" %}{% error "the order has no email" %}')
    make_task(
        shop,
        "reports errors",
        subscriptions=["mechanic/errors/task"],
        script='{% log error.message | prepend: "heard: " %}',
    )

    report = emit_sync()

    (failed,) = report["task_runs"]
    assert (failed["task"], failed["status"], failed["error"], failed["logs"]) == (
        "fails",
        "failed",
        "the order has no email",
        ["before"],
    )
    assert failed["attempts"] == [attempt(1, "the order has no email", permanent=True)]
    (child,) = report["child_events"]
    assert child["event"]["topic"] == "mechanic/errors/task"
    assert child["event"]["data"]["message"] == "the order has no email"
    (heard,) = child["task_runs"]
    assert (heard["task"], heard["status"], heard["logs"]) == (
        "reports errors",
        "succeeded",
        ["heard: the order has no email"],
    )
    assert child["child_events"] == []


def test_a_halting_sequence_shows_later_actions_failed_and_never_performed(shop, peer):
    urls = [peer.answer("/first", 200), peer.answer("/second", 200), peer.answer("/third", 200)]
    make_task(
        shop,
        script=action("http", {"method": "fetch", "url": urls[0]}) + http_get(urls[1]) + http_get(urls[2]),
        perform_action_runs_in_sequence=True,
        halt_action_run_sequence_on_error=True,
    )

    report = emit_sync()

    (task_run,) = report["task_runs"]
    skipped = "Skipped: previous action in sequence failed"
    invalid = "option \"method\": 'fetch' is not one of options, head, get, post, put, patch, delete"
    assert [(run["status"], run["error"], run["attempts"]) for run in task_run["action_runs"]] == [
        ("failed", invalid, [attempt(1, invalid, permanent=True)]),
        ("failed", skipped, []),
        ("failed", skipped, []),
    ]
    assert peer.paths == []
    assert [child["event"]["topic"] for child in report["child_events"]] == ["mechanic/errors/action"]


def test_a_halting_sequence_after_a_503_that_outlasts_its_retries(shop, peer):
    urls = [peer.answer("/down", 503), peer.answer("/after", 200)]
    make_task(
        shop,
        script=http_get(urls[0]) + http_get(urls[1]),
        perform_action_runs_in_sequence=True,
        halt_action_run_sequence_on_error=True,
    )

    report = emit_sync()

    first, second = report["task_runs"][0]["action_runs"]
    assert first["attempts"] == [attempt(n, "HTTP 503 response", permanent=False) for n in range(1, 6)]
    assert (second["status"], second["error"], second["attempts"]) == (
        "failed",
        "Skipped: previous action in sequence failed",
        [],
    )
    assert peer.paths == ["/down"] * 5
