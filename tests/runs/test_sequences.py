"""Action sequences (spec/runtime.md §8): one at a time, in order, each after the previous one's
final outcome; halting on error fails the rest unperformed."""

import pytest

from runs.engine import perform_run
from runs.models import ActionRun, EventRun, TaskRun
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    TOPIC,
    action_runs,
    attempts,
    children,
    emit,
    http_get,
    ingest,
    make_task,
    peer_fixture,
    retries_fixture,
    task_runs,
)

pytestmark = pytest.mark.django_db

SKIPPED = "Skipped: previous action in sequence failed"


def sequenced(shop, *urls: str, halt: bool = False, **fields):
    """A task performing a GET at each of ``urls`` in sequence."""
    return make_task(
        shop,
        script="".join(http_get(url) for url in urls),
        perform_action_runs_in_sequence=True,
        halt_action_run_sequence_on_error=halt,
        **fields,
    )


def outcomes(event) -> list[tuple[int, str, str | None]]:
    return [(run.position, run.status, run.error) for run in action_runs(event)]


def test_only_the_first_action_of_a_sequence_is_due_when_the_task_run_ends(shop, peer):
    sequenced(shop, *(peer.answer(path, 200) for path in ("/a", "/b", "/c")))
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))

    became_due = perform_run(TaskRun.claim(task_runs(event)[0].pk))

    assert [run.position for run in became_due] == [0]
    assert [run.status for run in action_runs(event)] == ["due", "unscheduled", "unscheduled"]
    (task_run,) = task_runs(event)
    assert (task_run.sequenced, task_run.halt_on_error) == (True, False)


def test_each_action_is_released_only_when_the_previous_one_ends(shop, peer):
    sequenced(shop, *(peer.answer(path, 200) for path in ("/a", "/b", "/c")))
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    (first,) = perform_run(TaskRun.claim(task_runs(event)[0].pk))

    (second,) = perform_run(ActionRun.claim(first.pk))

    assert second.position == 1
    assert [run.status for run in action_runs(event)] == ["succeeded", "due", "unscheduled"]
    assert peer.paths == ["/a"]


def test_actions_in_sequence_reach_the_peer_in_order(shop, peer):
    paths = ["/1", "/2", "/3", "/4", "/5"]
    sequenced(shop, *(peer.answer(path, 200) for path in paths))

    event = emit(shop)

    assert peer.paths == paths
    assert [status for _, status, _ in outcomes(event)] == ["succeeded"] * 5
    runs = action_runs(event)
    assert all(before.stopped_at <= after.started_at for before, after in zip(runs, runs[1:], strict=False))


def test_without_halting_the_next_action_runs_after_a_failure(shop, peer):
    sequenced(shop, peer.answer("/a", 200), peer.answer("/b", 503), peer.answer("/c", 200))

    event = emit(shop)

    assert outcomes(event) == [
        (0, "succeeded", None),
        (1, "failed", "HTTP 503 response"),
        (2, "succeeded", None),
    ]
    assert peer.paths == ["/a", "/b", "/c"]


def test_with_halting_later_actions_fail_unperformed(shop, peer):
    urls = [peer.answer("/a", 200), peer.answer("/b", 503), peer.answer("/c", 200), peer.answer("/d", 200)]
    sequenced(shop, *urls, halt=True)

    event = emit(shop)

    assert outcomes(event) == [
        (0, "succeeded", None),
        (1, "failed", "HTTP 503 response"),
        (2, "failed", SKIPPED),
        (3, "failed", SKIPPED),
    ]
    assert peer.paths == ["/a", "/b"]
    skipped = action_runs(event)[2:]
    assert [(run.ok, run.permanent, run.attempts, run.started_at, attempts(run)) for run in skipped] == [
        (False, True, 0, None, []),
        (False, True, 0, None, []),
    ]


def test_a_sequence_waits_for_the_retries_of_a_failing_action(shop, peer, retries):
    sequenced(shop, peer.answer("/a", 503, 503, 200), peer.answer("/b", 200), halt=True)

    event = emit(shop)

    assert peer.paths == ["/a", "/a", "/a", "/b"]
    assert outcomes(event) == [(0, "succeeded", None), (1, "succeeded", None)]


def test_a_halting_sequence_halts_only_after_the_final_attempt(shop, peer, retries):
    sequenced(shop, peer.answer("/a", 503), peer.answer("/b", 200), halt=True)

    event = emit(shop)

    assert peer.paths == ["/a"] * 5
    assert outcomes(event) == [(0, "failed", "HTTP 503 response"), (1, "failed", SKIPPED)]


def test_skipped_actions_emit_no_follow_ups(shop, peer):
    urls = [peer.answer("/a", 503), peer.answer("/b", 200), peer.answer("/c", 200)]
    script = "".join(http_get(url) for url in urls)
    make_task(
        shop,
        subscriptions=[TOPIC, "mechanic/actions/perform"],
        script=f'{{% if event.topic == "{TOPIC}" %}}{script}{{% endif %}}',
        perform_action_runs_in_sequence=True,
        halt_action_run_sequence_on_error=True,
    )

    event = emit(shop)

    follow_ups = children(event, "mechanic/actions/perform")
    assert [child.data["options"]["url"] for child in follow_ups] == [urls[0]]


def test_halting_without_sequencing_does_nothing(shop, peer):
    make_task(
        shop,
        script=http_get(peer.answer("/a", 503)) + http_get(peer.answer("/b", 200)),
        halt_action_run_sequence_on_error=True,
    )

    event = emit(shop)

    assert outcomes(event) == [(0, "failed", "HTTP 503 response"), (1, "succeeded", None)]


def test_the_sequence_setting_is_read_when_the_task_run_creates_its_actions(shop, peer):
    task = sequenced(shop, peer.answer("/a", 503), peer.answer("/b", 200), halt=True)
    event = ingest(shop)
    perform_run(EventRun.claim(event.run.pk))
    (first,) = perform_run(TaskRun.claim(task_runs(event)[0].pk))
    task.perform_action_runs_in_sequence = False
    task.halt_action_run_sequence_on_error = False
    task.save()

    perform_run(ActionRun.claim(first.pk))

    assert outcomes(event) == [(0, "failed", "HTTP 503 response"), (1, "failed", SKIPPED)]
    assert peer.paths == ["/a"]


def test_two_task_runs_of_one_sequenced_task_do_not_wait_for_each_other(shop, peer):
    sequenced(shop, peer.answer("/a", 200), peer.answer("/b", 200))
    first, second = ingest(shop), ingest(shop)
    for event in (first, second):
        perform_run(EventRun.claim(event.run.pk))
        perform_run(TaskRun.claim(task_runs(event)[0].pk))

    assert [run.status for run in action_runs(first) + action_runs(second)] == [
        "due",
        "unscheduled",
        "due",
        "unscheduled",
    ]
