"""Building real task runs and action runs for the action performer tests.

Not a conftest, so pytest does not rewrite the asserts here: each carries its own message.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from pytest_httpserver import HTTPServer

from events.models import Event
from runs.engine import perform_run
from runs.models import ActionRun, RunStatus, TaskRun
from tasks_app.models import Task

ORDER = {"id": 1001, "name": "#1001", "email": "buyer@example.com"}


def make_task_run(shop, *, task: Task | None = None) -> TaskRun:
    """A succeeded task run of an enabled task for a ``shopify/orders/create`` event."""
    task = task or Task.objects.create(
        shop=shop,
        name="Order follow-up",
        script="{% action 'echo', ok: true %}",
        enabled=True,
        subscriptions=["shopify/orders/create"],
    )
    event = Event.objects.ingest(shop, "shopify/orders/create", ORDER, source="shopify", enqueue=False)
    return TaskRun.objects.create(
        shop=shop,
        event_run=event.run,
        event=event,
        task=task,
        subscription="shopify/orders/create",
        run_at=timezone.now(),
        status=RunStatus.SUCCEEDED,
    )


def run_action(task_run: TaskRun, action_type: str, options: Any, *, meta: Any = None) -> ActionRun:
    """Create the action run the way a task run does, claim it, perform it as the engine does, reload it."""
    created = ActionRun.from_action(task_run, 0, {"type": action_type, "options": options, "meta": meta})
    claimed = ActionRun.claim(created.pk)
    assert claimed is not None
    perform_run(claimed, enqueue=False)
    claimed.refresh_from_db()
    return claimed


# Fixtures are registered under their short names; test modules import the *_fixture
# functions, so a test parameter never shadows an imported name.


@pytest.fixture(name="task_run")
def task_run_fixture(shop) -> TaskRun:
    """A succeeded task run of an enabled task, for the ``shop`` fixture."""
    return make_task_run(shop)


@pytest.fixture(name="perform")
def perform_fixture(task_run) -> Callable[..., ActionRun]:
    """``perform(type, options)`` → the finished, reloaded ``ActionRun``."""

    def perform_(action_type: str, options: Any, **kwargs) -> ActionRun:
        return run_action(task_run, action_type, options, **kwargs)

    return perform_


def assert_failed(run: ActionRun, error: str) -> None:
    """The run failed with exactly ``error`` and stored no result."""
    outcome = (run.status, run.ok, run.error, run.result)
    assert outcome == (RunStatus.FAILED, False, error, None), f"{outcome!r}, expected error {error!r}"


def assert_succeeded(run: ActionRun, result: Any) -> None:
    """The run succeeded with exactly ``result``."""
    outcome = (run.status, run.ok, run.error)
    assert outcome == (RunStatus.SUCCEEDED, True, None), f"{outcome!r}, expected success"
    assert run.result == result, f"result {run.result!r}\n  expected {result!r}"


class LocalHTTPServer(HTTPServer):
    """pytest-httpserver's ``HTTPServer`` that stops within 50 ms: its serving loop checks for
    ``stop()`` every 0.05 s instead of werkzeug's default 0.5 s."""

    def thread_target(self) -> None:
        """Serve until ``stop()``."""
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.05)
