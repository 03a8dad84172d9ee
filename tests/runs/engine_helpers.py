"""Tasks, events and a scripted local peer for the run engine's rule tests.

Not a conftest: test modules import the ``*_fixture`` functions they use (as
``tests/standin/standin_helpers.py`` does), so the fixtures stay next to the code that needs them.
"""

import json
import os
from typing import Any

import pytest
from werkzeug import Request, Response

from events.models import Event
from runs.inline import perform_event_now
from runs.models import ActionRun, Run, RunAttempt, TaskRun
from runs.reports import attempts as attempt_list
from tasks_app.models import Task

TOPIC = "user/test/go"
# The worker name ``runs.inline`` performs under, as stored on attempts.
INLINE_WORKER = f"inline:{os.getpid()}"
# The keys of a run as follow-up and error events show it (spec/runtime.md §4.6).
RUN_KEYS = [
    "id",
    "ok",
    "error",
    "result",
    "result_meta",
    "attempts",
    "run_at",
    "enqueued_at",
    "started_at",
    "stopped_at",
    "elapsed_time_ms",
]


def make_task(shop, name: str = "Task", subscriptions=(TOPIC,), script: str = "", **fields: Any) -> Task:
    """An enabled task of ``shop``."""
    return Task.objects.create(
        shop=shop, name=name, subscriptions=list(subscriptions), script=script, enabled=True, **fields
    )


def ingest(shop, topic: str = TOPIC, data: Any = None, **fields: Any) -> Event:
    """An event whose runs are left for the test to perform."""
    return Event.objects.ingest(shop, topic, data, enqueue=False, **fields)


def emit(shop, topic: str = TOPIC, data: Any = None, **fields: Any) -> Event:
    """Ingest an event and perform, in this process, every run of it and of its child events that
    is or becomes due (``runs.inline``, as ``emit_event --sync`` does)."""
    event = ingest(shop, topic, data, **fields)
    perform_event_now(event)
    return Event.objects.get(pk=event.pk)  # its run as it ended, not as it was ingested


def action(action_type: str, options: Any, **extra: Any) -> str:
    """One action object as script output (JSON; no Liquid inside)."""
    return json.dumps({"action": {"type": action_type, "options": options, **extra}})


def http_get(url: str, **options: Any) -> str:
    """A GET ``http`` action at ``url`` that fails on a 5xx answer."""
    return action("http", {"method": "get", "url": url, "error_on_5xx": True, **options})


def attempts(run: Run) -> list[dict[str, Any]]:
    """``[{"number", "ok", "error", "permanent"}]`` for each attempt of ``run``."""
    return attempt_list(run)


def attempt_rows(run: Run) -> list[RunAttempt]:
    """The attempt rows of ``run``, in order."""
    return list(RunAttempt.objects.filter(run_kind=run.kind, run_id=run.pk).order_by("number"))


def task_runs(event: Event) -> list[TaskRun]:
    """The task runs of ``event``, in creation order."""
    return list(TaskRun.objects.filter(event=event).order_by("created_at"))


def action_runs(event: Event) -> list[ActionRun]:
    """The action runs of ``event``'s task runs, by task run then position."""
    return list(ActionRun.objects.filter(task_run__event=event).order_by("task_run__created_at", "position"))


def children(event: Event, topic: str | None = None) -> list[Event]:
    """``event``'s child events (of ``topic`` if given), oldest first."""
    found = Event.objects.filter(parent=event).order_by("created_at")
    return list(found.filter(topic=topic) if topic else found)


class Peer:
    """Paths on pytest-httpserver's local server that answer scripted statuses; the requests it
    received, in order."""

    def __init__(self, httpserver) -> None:
        self.server = httpserver

    def answer(self, path: str, *statuses: int) -> str:
        """Make ``path`` answer ``statuses`` in turn (the last one to every later request) with a
        small JSON body; returns its URL."""
        queue = list(statuses or (200,))

        def respond(request: Request) -> Response:
            status = queue.pop(0) if len(queue) > 1 else queue[0]
            body = json.dumps({"path": path, "status": status})
            return Response(body, status=status, content_type="application/json")

        self.server.expect_request(path).respond_with_handler(respond)
        return self.server.url_for(path)

    @property
    def paths(self) -> list[str]:
        """The paths requested, in order."""
        return [request.path for request, _ in self.server.log]

    def count(self, path: str) -> int:
        """How many requests ``path`` received."""
        return self.paths.count(path)


@pytest.fixture(name="peer")
def peer_fixture(httpserver, settings) -> Peer:
    """A scripted local HTTP peer the address guard lets task actions reach (127.0.0.1 only)."""
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]
    return Peer(httpserver)


@pytest.fixture(name="retries")
def retries_fixture(settings) -> None:
    """Automatic retries on, with no delay: ``runs.inline`` performs each retry at once."""
    settings.HUB_RETRY_DELAYS_S = [0, 0, 0, 0]


@pytest.fixture(name="bounded_drain")
def bounded_drain_fixture(monkeypatch) -> None:
    """``runs.inline`` stops after 60 runs instead of 10,000, so a test of loop protection fails
    fast, with the runs it counts, instead of draining a loop for minutes."""
    monkeypatch.setattr("runs.inline.MAX_RUNS", 60)


@pytest.fixture(name="staff")
def staff_fixture(client, django_user_model):
    """A test client signed in as a staff superuser."""
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw-for-tests-only")
    client.force_login(user)
    return client
