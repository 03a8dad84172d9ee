"""Real ``manage.py qcluster`` subprocesses and a local HTTP peer, for the tests of crashes, stops
and concurrency with real workers (``test_recovery.py``, ``test_concurrency_workers.py``).

A cluster works on the suite's test database and broker queue, as in ``tests/test_full_path.py``,
with short engine settings (``CLUSTER_ENV``), in a process group of its own, writing its log to a
file; the ``clusters`` fixture kills every group it started. The peer, a threaded HTTP server in
the test process, counts the requests to each path, can hold them open (a run stays in flight)
and records how many it holds at once.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from events.models import Event
from runs.management.commands.qcluster import descendants
from runs.models import ActionRun, EventRun, RunStatus, ShopSlots, TaskRun
from runs.models.runs import PENDING_STATUSES

ROOT = Path(__file__).resolve().parent.parent.parent
TOPIC = "user/crash/test"
# The engine's clock in the clusters: a lapsed lease is seen within LEASE_S + SWEEP_S.
LEASE_S = 1.5
SWEEP_S = 0.5
CLUSTER_ENV = {
    "HUB_ENQUEUE_RUNS": "1",
    "HUB_RUN_LEASE_S": str(LEASE_S),
    "HUB_SWEEP_INTERVAL_S": str(SWEEP_S),
    "HUB_SHUTDOWN_GRACE_S": "10",
    "HUB_RETRY_DELAYS_S": "",  # a failure is final: every outcome here is exact
    "HUB_Q_WORKERS": "1",
    "HUB_HTTP_ALLOW_PRIVATE": "127.0.0.1",
}
# A held request is answered after this long at the latest, so no thread outlives a test by much.
HOLD_LIMIT_S = 120


def database_url() -> str:
    """The test database as a ``DATABASE_URL`` for a subprocess."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


# --- the peer ----------------------------------------------------------------------------------


class Peer(ThreadingHTTPServer):
    """Answers every request with a small JSON body: ``{"data": {...}}`` on the Shopify Admin API
    paths (``/admin/...``, for the ``shopify`` filter), ``{"ok": true}`` elsewhere.

    ``counts`` holds the requests per path, counted on arrival. While ``hold_all`` is in force,
    or for the first request to a path starting with a prefix given to ``hold_first``, a request
    is answered only after ``release``; otherwise after ``delay`` seconds. ``peak`` is the most
    requests in progress at once, ``group_peaks`` the same per first path segment
    (``/<group>/...``).
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), PeerHandler)
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.delay = 0.0
        self.holding = False
        self.held_first: set[str] = set()
        self.gate = threading.Event()
        self.in_flight: Counter[str] = Counter()
        self.peak = 0
        self.group_peaks: Counter[str] = Counter()
        self.thread = threading.Thread(target=self.serve_forever, name="test-peer", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def hold_all(self) -> None:
        self.gate.clear()
        self.holding = True

    def hold_first(self, prefix: str) -> None:
        self.gate.clear()
        self.held_first.add(prefix)

    def release(self) -> None:
        """Answer every held request now, and hold no more."""
        self.holding = False
        self.held_first.clear()
        self.gate.set()

    def count(self, prefix: str) -> int:
        """Requests so far to paths starting with ``prefix``."""
        with self.lock:
            return self._count(prefix)

    def _count(self, prefix: str) -> int:
        return sum(n for path, n in self.counts.items() if path.startswith(prefix))

    def arrive(self, path: str) -> bool:
        """Count a request; whether it is to be held."""
        group = path.split("/")[1]
        with self.lock:
            self.counts[path] += 1
            self.in_flight[""] += 1
            self.in_flight[group] += 1
            self.peak = max(self.peak, self.in_flight[""])
            self.group_peaks[group] = max(self.group_peaks[group], self.in_flight[group])
            first = any(path.startswith(prefix) and self._count(prefix) == 1 for prefix in self.held_first)
            return self.holding or first

    def leave(self, path: str) -> None:
        with self.lock:
            self.in_flight[""] -= 1
            self.in_flight[path.split("/")[1]] -= 1


class PeerHandler(BaseHTTPRequestHandler):
    server: Peer

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer()

    def answer(self) -> None:
        peer, path = self.server, self.path
        left = False
        try:
            if peer.arrive(path):
                peer.gate.wait(HOLD_LIMIT_S)
            elif peer.delay:
                time.sleep(peer.delay)
            data = {"data": {"shop": {"name": "Peer"}}} if path.startswith("/admin/") else {"ok": True}
            body = json.dumps(data).encode()
            # The request stops counting as in flight before its answer goes out: once the worker
            # has the answer it may free its slot and send the next request, which must not
            # overlap this one in the count just because this thread had not run again yet.
            peer.leave(path)
            left = True
            with contextlib.suppress(OSError):  # the worker holding the request may have been killed
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        finally:
            if not left:
                peer.leave(path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        pass


# Fixtures are registered under their short names; test modules import the *_fixture functions.
@pytest.fixture(name="peer")
def peer_fixture() -> Iterator[Peer]:
    server = Peer()
    server.thread.start()
    yield server
    server.release()
    server.shutdown()
    server.server_close()


# --- clusters ----------------------------------------------------------------------------------


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


class QCluster:
    """One ``manage.py qcluster`` subprocess, leader of its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill_worker(self, pid: int, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to one of this cluster's processes (never to anything else)."""
        assert pid in descendants(self.pid), f"{pid} is not a process of cluster {self.pid}"
        os.kill(pid, sig)

    def terminate(self) -> None:
        os.kill(self.pid, signal.SIGTERM)

    def exit_status(self) -> int | None:
        """The main process's exit status once it ended, else None. It is left unreaped, so its
        group id stays ours."""
        if self.process.returncode is not None:
            return self.process.returncode
        ended = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        return None if ended is None else ended.si_status

    def exited(self) -> bool:
        return self.exit_status() is not None

    def sentinel(self) -> int:
        """The pid of Django-Q2's sentinel, the main process's one child."""
        (pid,) = (pid for pid in descendants(self.pid) if parent_of(pid) == self.pid)
        return pid

    def group_members(self) -> list[int]:
        """Live processes of this cluster's group other than its main process."""
        members = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended while we looked
                continue
            if fields[0] != "Z" and int(fields[2]) == self.pid and int(stat.parent.name) != self.pid:
                members.append(int(stat.parent.name))
        return members

    def kill(self) -> None:
        """SIGKILL the whole process group, wait until its processes are gone, then reap the main
        process (until then the group id cannot be anybody else's)."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while self.group_members() and time.monotonic() < deadline:
                time.sleep(0.05)
        self.process.wait(timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class Clusters:
    """Starts clusters for one test and waits on conditions, showing their logs on a timeout."""

    def __init__(self, log_dir: Path, peer: Peer) -> None:
        self.log_dir = log_dir
        self.peer = peer
        self.processes: list[QCluster] = []

    def start(self, **env: str) -> QCluster:
        """Start a cluster with ``CLUSTER_ENV`` and ``env`` (``HUB_Q_WORKERS="2"``...)."""
        environment = {
            **os.environ,
            **CLUSTER_ENV,
            "DATABASE_URL": database_url(),
            "HUB_Q_NAME": django_settings.Q_CLUSTER["name"],
            "HUB_SHOPIFY_ADMIN_URL": self.peer.base_url,
            **env,
        }
        cluster = QCluster(environment, self.log_dir / f"qcluster-{len(self.processes) + 1}.log")
        self.processes.append(cluster)
        return cluster

    def wait_until(self, condition: Callable[[], object], timeout: float, what: str) -> float:
        """Poll ``condition`` until it is true; returns the seconds it took. Fails the test with
        the clusters' logs after ``timeout`` seconds."""
        start = time.monotonic()
        while not condition():
            if time.monotonic() - start > timeout:
                pytest.fail(f"not within {timeout} s: {what}\n{self.logs()}")
            time.sleep(0.05)
        return time.monotonic() - start

    def wait_settled(self, timeout: float) -> float:
        """Wait until no run is pending (every run, error events' included, reached a final state)
        and none has become pending for two sweeps: a run's error event is ingested just after the
        run failed. Returns the seconds until the last run ended."""
        calm_since: list[float] = []

        def settled() -> bool:
            if pending_runs():
                calm_since.clear()
                return False
            calm_since[:] = calm_since or [time.monotonic()]
            return time.monotonic() - calm_since[0] >= 2 * SWEEP_S

        start = time.monotonic()
        self.wait_until(settled, timeout + 2 * SWEEP_S, "every run reaches a final state")
        return calm_since[0] - start

    def logs(self) -> str:
        return "\n".join(
            f"--- {cluster.log_path.name} (pid {cluster.pid}) ---\n{cluster.log()[-6000:]}"
            for cluster in self.processes
        )

    def kill_all(self) -> None:
        for cluster in self.processes:
            cluster.kill()


@pytest.fixture(name="clusters")
def clusters_fixture(transactional_db, settings, tmp_path, peer) -> Iterator[Clusters]:
    """Start real clusters on the test database; every one is killed before the database is
    flushed. The test process queues wake-up calls as the web server does. The standing
    Django-Q2 schedules are removed: what a test sees is the clusters' own sweeper, not the
    minute schedule that backs it up."""
    from django_q.brokers import get_broker
    from django_q.models import Schedule

    settings.HUB_ENQUEUE_RUNS = True
    Schedule.objects.all().delete()
    get_broker().purge_queue()
    harness = Clusters(tmp_path, peer)
    try:
        yield harness
    finally:
        harness.kill_all()
        get_broker().purge_queue()


# --- rows --------------------------------------------------------------------------------------


def http_task(shop, peer: Peer, *, group: str = "a", before: str = ""):
    """A task on ``TOPIC`` whose one action is a GET to ``/<group>/<event.data.key>`` at the peer;
    ``before`` is Liquid rendered first."""
    from tasks_app.models import Task

    url = f"{peer.base_url}/{group}/"
    return Task.objects.create(
        shop=shop,
        name=f"Call the peer ({group})",
        enabled=True,
        subscriptions=[TOPIC],
        script=before
        + '{% assign url = "'
        + url
        + '" | append: event.data.key %}{% action "http", method: "get", url: url %}',
    )


def ingest(shop, key: str) -> Event:
    return Event.objects.ingest(shop, TOPIC, {"key": key}, source="user")


def action_run_of(event: Event) -> ActionRun:
    return ActionRun.objects.get(task_run__event=event)


def pending_runs() -> int:
    return sum(
        model.objects.filter(status__in=PENDING_STATUSES).count() for model in (EventRun, TaskRun, ActionRun)
    )


def status_of(run) -> str:
    return type(run).objects.values_list("status", flat=True).get(pk=run.pk)


def owner_pid(run) -> int:
    """The pid of the worker process holding ``run`` (``lease_owner`` is ``host:pid:token``)."""
    owner = type(run).objects.values_list("lease_owner", flat=True).get(pk=run.pk)
    return int(owner.split(":")[1])


def slots_in_use(shop) -> int:
    return ShopSlots.objects.get(shop=shop).in_flight


def error_events() -> list[tuple[str, object, str]]:
    """``(topic, origin action run id, message)`` of every error event."""
    return [
        (event.topic, event.origin_action_run_id, event.data["message"])
        for event in Event.objects.filter(topic__startswith="mechanic/errors/").order_by("created_at")
    ]


def started(run) -> bool:
    return status_of(run) == RunStatus.STARTED
