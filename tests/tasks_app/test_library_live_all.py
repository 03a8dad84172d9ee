"""Every library task performed for real against the Shopify stand-in (spec/actions.md, spec/runtime.md §14).

One test per export in shared/reference/mechanic-tasks/tasks. Each task is imported into a
fresh shop whose Shopify Admin API is the stand-in (``standin/``, default seed), with
the option values preview settles on (required options filled, then explored, as
``preview_task_definition(explore=True)`` does). It then receives one realistic event for its
first subscribed topic: the task's own preview event, else Shopify's example payload for the
topic, else Hub's sample data (``null`` for scheduler topics and ``mechanic/user/trigger``). The
event, its child events (``event`` actions, finished bulk operations; Hub emits no
``mechanic/actions/perform`` yet) and every action run are performed in-process.

A task's outcome is one of:

- ``complete``: every task run and every action run succeeded, and there was an action;
- ``no_action``: every task run succeeded and none rendered an action for the event;
- ``needs_service:<type>``: an action of ``<type>`` talks to a service no stand-in plays here
  (its action run is left unperformed);
- ``fails:<reason>``: a task run or an action run failed.

Time is a ``FakeClock`` shared by the stand-in and the runs: Shopify throttling waits move it
instead of sleeping, and the stand-in's cost bucket refills by exactly what was waited.

Outcomes are pinned in library_live_expected.json, strict both ways: a task that does better or
worse than listed fails until the file says so. An entry is the outcome, or ``{"outcome",
"options", "throttle_waits", "note"}`` where ``options`` overrides option values to match the
seeded shop (a sales channel or location name preview cannot know) and ``throttle_waits`` lists
the seconds of every Shopify throttling wait, in order (none when absent; compared exactly). The
reason of a ``fails`` entry is written by hand; only the ``fails`` part is compared.
``summarize()`` counts outcomes, and the module prints the count at the end of the run. To see the
outcomes a run observed, set ``HUB_LIBRARY_LIVE_RECORD=<path>``: they are written there as JSON at
the end of the module.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from standin.server import StandinServer
from standin.store import Store
from tests.clock import FakeClock
from tests.conftest import TASKS_DIR, WEBHOOKS_DIR

EXPECTED_FILE = Path(__file__).resolve().parent / "library_live_expected.json"
LIBRARY = sorted(TASKS_DIR.glob("*.json"))
OUTCOME_CLASSES = ("complete", "no_action", "needs_service", "fails")
# Action types performed here: the Shopify stand-in, local peers (pytest-httpserver for http,
# Django's locmem backend for email) or nothing outside Hub at all.
LOCAL_TYPES = frozenset({"shopify", "email", "cache", "echo", "event", "files", "flow", "http"})
NULL_DATA_TOPICS = ("mechanic/scheduler/", "mechanic/user/trigger")
# Follow-up events per task (event actions, action events, finished bulk operations); a task
# that keeps emitting events to itself stops here.
MAX_EVENTS = 12

OBSERVED: dict[str, LiveRun] = {}


@dataclass
class LiveRun:
    """What performing one library task for one event did."""

    task: str
    topic: str = ""
    options: dict = field(default_factory=dict)
    task_runs: list[tuple[str, str | None]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    action_runs: list[tuple[str, str, str | None]] = field(default_factory=list)
    unserved: list[str] = field(default_factory=list)
    graphql_errors: list[str] = field(default_factory=list)
    throttle_waits: list[float] = field(default_factory=list)
    setup_error: str | None = None

    @property
    def outcome(self) -> str:
        """The outcome class, with the failing run's error or the missing service after a colon."""
        if self.setup_error:
            return f"fails:{self.setup_error}"
        for status, error in self.task_runs:
            if status != "succeeded":
                return f"fails:task run {status}: {one_line(error or '')}"
        for kind, status, error in self.action_runs:
            if status != "succeeded":
                return f"fails:{kind} action {status}: {one_line(error or '')}"
        if self.unserved:
            return f"needs_service:{self.unserved[0]}"
        if not self.actions:
            return "no_action"
        return "complete"


def one_line(text: str, limit: int = 240) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def outcome_class(outcome: str) -> str:
    """``fails`` for ``fails:<reason>``, ``needs_service`` for ``needs_service:<type>``..."""
    return outcome.split(":", 1)[0]


def expected_entries() -> dict[str, dict]:
    """``{task file stem: {"outcome", "options"?, "note"?}}`` from library_live_expected.json."""
    raw = json.loads(EXPECTED_FILE.read_text()) if EXPECTED_FILE.exists() else {}
    return {name: entry if isinstance(entry, dict) else {"outcome": entry} for name, entry in raw.items()}


def expected_outcomes() -> dict[str, str]:
    """``{task file stem: outcome}`` pinned in library_live_expected.json."""
    return {name: entry.get("outcome", "") for name, entry in expected_entries().items()}


def summarize(outcomes: Mapping[str, str] | None = None) -> dict[str, int]:
    """Counts of each outcome class (complete, no_action, needs_service, fails) and the total.

    ``outcomes`` defaults to what this process observed, else to the pinned file.
    """
    if outcomes is None:
        outcomes = {name: run.outcome for name, run in OBSERVED.items()} or expected_outcomes()
    counts = Counter(outcome_class(outcome) for outcome in outcomes.values())
    return {**{name: counts.get(name, 0) for name in OUTCOME_CLASSES}, "total": len(outcomes)}


def summary_line(counts: Mapping[str, int]) -> str:
    """``library live: 180/300 complete with no failed action run (no_action 40, ...)``."""
    rest = ", ".join(f"{name} {counts[name]}" for name in OUTCOME_CLASSES[1:])
    return (
        f"library live: {counts['complete']}/{counts['total']} tasks complete with no failed "
        f"action run ({rest})"
    )


# --- choosing options and the event ---------------------------------------------------------------


def preview_options(task: dict) -> dict:
    """The option values preview settles on: required options filled, then explored."""
    from tasks_app.preview import explore_options, preview_task_definition
    from tasks_app.preview import preview_options as filled_options

    options = filled_options(task, fill=True)

    def preview(values: dict) -> list:
        return preview_task_definition(dict(task, options=values))

    changed, _results = explore_options(options, preview(options), preview, str(task.get("script") or ""))
    return {**options, **changed}


def local_urls(options: dict, base: str) -> dict:
    """``options`` with every URL value (or URL in a list) pointed at the local peer ``base``."""

    def local(value: Any, key: str) -> Any:
        if isinstance(value, str) and re.match(r"https?://", value):
            return f"{base}/{key}"
        if isinstance(value, list):
            return [local(item, key) for item in value]
        return value

    return {key: local(value, re.sub(r"\W+", "_", key)) for key, value in options.items()}


def webhook_example(topic: str) -> tuple[bool, Any]:
    """Shopify's example payload for a ``shopify/...`` topic, when the reference has one."""
    if not topic.startswith("shopify/"):
        return False, None
    path = WEBHOOKS_DIR / (topic.removeprefix("shopify/").replace("/", "-") + ".json")
    return (True, json.loads(path.read_text())) if path.is_file() else (False, None)


def event_data(task: dict, topic: str) -> Any:
    """The data of the event a task receives for ``topic`` (see the module docstring)."""
    from tasks_app.preview import load_sample

    for definition in task.get("preview_event_definitions") or []:
        attributes = definition.get("event_attributes") if isinstance(definition, dict) else None
        if isinstance(attributes, dict) and attributes.get("topic") == topic:
            return attributes.get("data")
    if topic.startswith(NULL_DATA_TOPICS):
        return None
    found, data = webhook_example(topic)
    if found:
        return data
    found, data = load_sample(topic)
    return data if found else None


def first_topic(task: dict, options: dict, shop) -> str:
    """The task's first subscribed topic under ``options`` (``mechanic/user/trigger`` when none)."""
    from tasks_app.preview import preview_topics

    return preview_topics(task, options, shop.liquid_data(), shop.timezone_name)[0]


# --- performing ------------------------------------------------------------------------------------


def unserved_type(action_run) -> str | None:
    """The action type when ``action_run`` would need a service no stand-in plays, else None."""
    kind = action_run.action_type
    if kind not in LOCAL_TYPES:
        return kind
    if kind == "http":
        options = action_run.options if isinstance(action_run.options, dict) else {}
        host = urlsplit(str(options.get("url") or "")).hostname
        if host not in ("localhost", "127.0.0.1"):
            return "http"
    return None


def claim_when_open(action_run, clock: FakeClock):
    """Claim ``action_run`` on ``clock``'s time; while its shop's Shopify budget holds it back
    (spec/runtime.md §14.1, the gate before start), let that time pass on ``clock`` first."""
    from integrations.shopify import throttling

    for _wait in range(10):
        action = type(action_run).claim(action_run.pk, now=clock.now())
        if action is not None or not action_run.uses_shopify():
            return action
        gate = [throttling.gate_wait(action_run.shop, kind, now=clock.now()) for kind in ("graphql", "rest")]
        if max(gate) <= 0:
            return None
        clock.sleep(max(gate))
    return None


def perform_tree(event, run: LiveRun, clock: FakeClock) -> None:
    """Perform ``event`` and its follow-up events in-process, like ``perform_event_now``, except
    that task runs scheduled for later are made due (time passes), action runs that need an
    outside service are left unperformed, and started bulk operations are read until they finish.
    Throttling waits go to ``clock``."""
    from django.utils import timezone

    from events.models import Event
    from runs import bulk
    from runs.engine import perform_run
    from runs.models import BulkOperationMonitor, RunStatus

    pending, seen = [event], 0
    while pending and seen < MAX_EVENTS:
        current = pending.pop(0)
        seen += 1
        event_run = current.run
        if event_run.status in (RunStatus.DUE, RunStatus.SCHEDULED):
            type(event_run).objects.filter(pk=event_run.pk).update(
                status=RunStatus.DUE, run_at=timezone.now()
            )
            claimed = type(event_run).claim(event_run.pk)
            if claimed is not None:
                perform_run(claimed, enqueue=False)
        scheduled = event_run.task_runs.filter(status=RunStatus.SCHEDULED)
        scheduled.update(status=RunStatus.DUE, run_at=timezone.now())
        for task_run in event_run.task_runs.filter(status=RunStatus.DUE).order_by("created_at"):
            claimed = type(task_run).claim(task_run.pk)
            if claimed is None:
                continue
            work = perform_run(claimed, enqueue=False, clock=clock)
            claimed.refresh_from_db()
            run.task_runs.append((claimed.status, claimed.error))
            run.actions += [action_run.action_type for action_run in claimed.action_runs.order_by("position")]
            while work:  # due action runs, then each next one a sequence releases
                action_run = work.pop(0)
                missing = unserved_type(action_run)
                if missing is not None:
                    run.unserved.append(missing)
                    continue
                action = claim_when_open(action_run, clock)
                if action is None:
                    continue
                work += perform_run(action, enqueue=False, clock=clock)
                action.refresh_from_db()
                run.action_runs.append((action.action_type, action.status, action.error))
        for monitor in BulkOperationMonitor.objects.filter(event=current, completed_at__isnull=True):
            for _read in range(3):
                if bulk.poll(monitor, enqueue=False, clock=clock):
                    break
        pending.extend(Event.objects.filter(parent=current).order_by("created_at"))


def perform_library_task(path: Path, shop, peer: str, clock: FakeClock) -> LiveRun:
    """Import the task at ``path`` into ``shop``, send it its event, perform everything on ``clock``."""
    from events.models import Event
    from tasks_app.importer import import_tasks

    task = json.loads(path.read_text())
    run = LiveRun(task=path.stem)
    overrides = expected_entries().get(path.stem, {}).get("options") or {}
    options = local_urls({**preview_options(task), **overrides}, peer)
    run.options = options
    (imported,) = import_tasks(shop, task, options_override=options, enable=True)
    if not imported.task.enabled:
        run.setup_error = f"import left the task disabled, missing {imported.missing}"
        return run
    topic = first_topic(task, options, shop)
    run.topic = topic
    shopify = topic.startswith("shopify/")
    event = Event.objects.ingest(
        shop,
        topic,
        event_data(task, topic),
        source="shopify" if shopify else "user",
        shopify_topic=topic if shopify else None,
        enqueue=False,
    )
    perform_tree(event, run, clock)
    run.throttle_waits = list(clock.sleeps)
    return run


# --- fixtures and tests ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def standin_server(request) -> Iterator[StandinServer]:
    """One stand-in for the module (each test resets its store); prints the summary at the end."""
    server = StandinServer(Store.from_file()).start()
    yield server
    server.stop()
    if not OBSERVED:
        return
    record = os.environ.get("HUB_LIBRARY_LIVE_RECORD")
    if record:
        Path(record).write_text(
            json.dumps(
                {name: OBSERVED[name].__dict__ | {"outcome": OBSERVED[name].outcome} for name in OBSERVED},
                indent=1,
                ensure_ascii=False,
                default=str,
            )
        )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    line = summary_line(summarize())
    if reporter is not None:
        reporter.write_line("")
        reporter.write_line(line)
    else:
        print(line)


@pytest.fixture
def live(standin_server, settings, httpserver, tmp_path) -> Iterator[tuple[StandinServer, str, FakeClock]]:
    """Clean stand-in data on a fresh fake clock, Hub pointed at it, and local peers for http
    and email actions."""
    clock = FakeClock()
    standin_server.reset(Store.from_file(clock=clock))
    settings.HUB_SHOPIFY_ADMIN_URL = standin_server.url
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HUB_FILES_ROOT = str(tmp_path / "files")
    httpserver.expect_request(re.compile(".*")).respond_with_json({"ok": True})
    yield standin_server, httpserver.url_for("").rstrip("/"), clock


def keep_inside_today(store: Store, order_id: str) -> None:
    """Move a seeded order (created hours ago) to no earlier than today's midnight in UTC, so a task
    counting today's orders finds it also when the suite runs just after midnight."""
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with store.lock:
        record = store.get(order_id, "Order")
        created = datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00"))
        if created < midnight:
            stamp = min(midnight + timedelta(seconds=1), now).isoformat().replace("+00:00", "Z")
            record["createdAt"] = record["processedAt"] = stamp


@pytest.mark.slow
@pytest.mark.parametrize("path", LIBRARY, ids=[path.stem for path in LIBRARY])
def test_library_task_runs_live(path, shop, live):
    server, peer, clock = live
    shop.access_token = "shpat_standin"  # an installed shop; the stand-in takes any token
    shop.save(update_fields=["access_token"])
    today_order = expected_entries().get(path.stem, {}).get("order_created_today")
    if today_order:
        keep_inside_today(server.store, today_order)
    run = perform_library_task(path, shop, peer, clock)
    run.graphql_errors = [
        one_line(f"{error.get('message')} in {entry['query']}", 400)
        for entry in server.store.graphql_errors
        for error in entry["errors"]
    ]
    OBSERVED[path.stem] = run
    actual = run.outcome
    listed = expected_outcomes().get(path.stem)
    assert listed is not None, f"{path.stem}: {actual} (list it in {EXPECTED_FILE.name})"
    if outcome_class(listed) == "fails":
        assert outcome_class(actual) == "fails", f"{path.stem} now {actual}; listed as {listed}"
    else:
        assert actual == listed, f"{path.stem}: {actual}; listed as {listed}"
    assert run.throttle_waits == expected_entries()[path.stem].get("throttle_waits", []), (
        f"{path.stem}: throttling waits {run.throttle_waits} (list them as throttle_waits)"
    )


def test_expected_outcomes_name_library_tasks_and_classes():
    listed = expected_outcomes()
    assert sorted(set(listed) - {path.stem for path in LIBRARY}) == []
    assert sorted({outcome_class(outcome) for outcome in listed.values()} - set(OUTCOME_CLASSES)) == []
    assert [name for name, outcome in listed.items() if outcome in ("fails", "fails:")] == []
