"""The echo action and unsupported action types (spec/actions.md §0.1, §7)."""

import pytest

from tasks_app.actions import registered_types
from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)


@pytest.mark.parametrize(
    "options",
    [
        {"message": "hello", "nested": {"list": [1, 2.5, None, True]}},
        ["a", 1, None],
        "just a string",
        42,
        None,
    ],
    ids=["object", "array", "string", "number", "null"],
)
def test_it_returns_its_options_as_stored(perform, options):
    run = perform("echo", options)

    assert_succeeded(run, options)
    assert run.result_meta["shopify_admin_api_time_ms"] == 0
    assert run.elapsed_time_ms is not None


def test_it_fails_with_a_string_error_as_is(perform):
    run = perform("echo", {"__error": "Forcing an error!", "order": 1001})

    assert_failed(run, "Forcing an error!")


@pytest.mark.parametrize(
    ("forced", "error"),
    [
        ({"code": 7, "why": "täst"}, '{"code":7,"why":"täst"}'),
        ([1, "two"], '[1,"two"]'),
        (12, "12"),
        (False, "false"),
        ("", ""),
    ],
)
def test_it_fails_with_other_values_as_compact_json(perform, forced, error):
    run = perform("echo", {"__error": forced})

    assert_failed(run, error)


def test_a_null_error_forces_nothing(perform):
    run = perform("echo", {"__error": None, "ok": True})

    assert_succeeded(run, {"__error": None, "ok": True})


def test_control_keys_are_taken_out_of_the_options(perform):
    run = perform("echo", {"a": 1, "__meta": {"page": 2}, "__perform_event": False})

    assert_succeeded(run, {"a": 1})
    assert run.meta == {"page": 2}
    assert run.perform_event is False


ALL_TYPES = [
    "airtable",
    "cache",
    "echo",
    "email",
    "event",
    "files",
    "flow",
    "ftp",
    "google",
    "google_drive",
    "google_sheets",
    "http",
    "report_toaster",
    "shopify",
    "slack",
]


@pytest.mark.parametrize("action_type", ["nonsense", "", "Email"])
def test_unknown_types_fail_with_a_clear_error(perform, action_type):
    run = perform(action_type, {"anything": True})

    assert_failed(run, f'unknown action type "{action_type}" (known types: {", ".join(ALL_TYPES)})')


def test_the_registry_lists_every_action_type_of_the_spec():
    assert registered_types() == ALL_TYPES


def test_a_disabled_task_fails_without_performing(perform, task_run):
    task_run.task.enabled = False
    task_run.task.save()

    run = perform("echo", {"__error": "not reached"})

    assert_failed(run, "Task is disabled")


def test_a_crashing_performer_still_ends_as_a_failed_run(perform, monkeypatch):
    from tasks_app.actions.echo import EchoAction

    def crash(self, context):
        raise RuntimeError("boom")

    monkeypatch.setattr(EchoAction, "perform", crash)

    run = perform("echo", {"a": 1})

    assert_failed(run, "internal error in the echo action: RuntimeError: boom")
    assert run.stopped_at is not None
