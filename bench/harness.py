"""Shared machinery of the load benchmarks (``bench/throughput.py``, ``bench/crash.py``).

A benchmark runs each database path in a child process of its own (``run_path_in_child``),
because Django is set up once per process: the child makes a temporary working folder, a fresh
SQLite file or a fresh PostgreSQL database (created and dropped here), migrates it, creates a
shop, imports a one-task export, adds a Mechanic webhook, and starts gunicorn and ``qcluster``
as subprocesses in sessions of their own, their output captured to files (``HubStack``). Load
comes from ``bench/loadgen.py`` in another process (``run_load``). The child then reads Hub's
database through the ORM to match every request to its event and action run (``hub_figures``).

Run models are looked up by name in the app ``runs`` first, then ``tasks_app``, so the benchmarks
keep working when the run engine moves. Nothing here imports Django at module level: the parent
process of a benchmark never sets it up.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PYTHON = sys.executable
LOADGEN = Path(__file__).resolve().parent / "loadgen.py"
SHOPIFY_SAMPLE = SHARED / "reference" / "shopify-webhooks" / "orders-create.json"

SHOP_DOMAIN = "hub-bench.myshopify.com"
SHOPIFY_SECRET = "hub-bench-shopify-secret"  # noqa: S105  (signs loopback deliveries only)
SHOPIFY_TOPIC = "orders/create"
WEBHOOK_TOPIC = "user/bench/load"
SUBSCRIPTIONS = [f"shopify/{SHOPIFY_TOPIC}", WEBHOOK_TOPIC]
FINAL = ("succeeded", "failed")
RUN_KINDS = ("EventRun", "TaskRun", "ActionRun")
LOOPBACK = "127.0.0.1"


# --- options --------------------------------------------------------------------------


def add_common_options(parser: argparse.ArgumentParser, *, count: int, rate: float) -> None:
    """Add the options both load benchmarks share (``count`` and ``rate`` are their defaults)."""
    add = parser.add_argument
    add(
        "--db",
        choices=("sqlite", "postgres", "both"),
        default="both",
        help="database path: SQLite + Django-Q2 ORM broker, PostgreSQL + Redis broker, or both (default)",
    )
    add(
        "-m",
        "--count",
        type=int,
        default=count,
        metavar="M",
        help=f"M: Mechanic webhook POSTs and as many signed Shopify deliveries (default {count} each)",
    )
    add("--concurrency", type=int, default=16, help="load generator threads (default 16)")
    add(
        "--rate",
        type=float,
        default=rate,
        help=f"requests per second, 0 for as fast as answers come (default {rate:g})",
    )
    add("--web-workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    add("--clusters", type=int, default=1, help="qcluster processes (default 1)")
    add("--q-workers", type=int, default=2, help="Django-Q2 worker processes per qcluster (default 2)")
    add(
        "--conn-max-age",
        type=int,
        default=None,
        help="HUB_DB_CONN_MAX_AGE for Hub's processes (default: the environment's, else Hub's 0)",
    )
    add("--log-level", default="INFO", help="HUB_LOG_LEVEL of Hub's processes (default INFO)")
    add(
        "--warmup",
        type=int,
        default=10,
        help="requests of each kind sent and performed before measuring (default 10)",
    )
    add(
        "--time-limit",
        type=float,
        default=600,
        help="seconds after which no new request is sent (default 600)",
    )
    add(
        "--drain-timeout",
        type=float,
        default=600,
        help="seconds to wait after the load for runs to finish (default 600)",
    )
    add(
        "--quiet",
        type=float,
        default=30,
        help="stop waiting when no run changed state for this many seconds (default 30)",
    )
    add(
        "--pg-url",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server; the bench creates and drops a database hub_bench_* there",
    )
    add(
        "--redis-url",
        default="redis://127.0.0.1:6379/8",
        help="Redis database of the broker (default: DB 8 on 127.0.0.1); only this run's keys are deleted",
    )
    add("--keep", action="store_true", help="keep the working folder (logs, SQLite files) and print its path")
    add("--json", metavar="FILE", help="also write every figure to FILE as JSON")
    add("--child-path", help=argparse.SUPPRESS)
    add("--child-result", help=argparse.SUPPRESS)


def db_paths(choice: str) -> list[str]:
    """The database paths a ``--db`` choice names, in the order they run."""
    return ["sqlite", "postgres"] if choice == "both" else [choice]


def raise_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so every ``finally`` cleans up."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Ignore Ctrl-C and SIGTERM inside the block (a cleanup must not be cut short by a second one)."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --- small helpers ----------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) of ``values`` by linear interpolation; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def proc_stat(pid: int) -> tuple[int, int] | None:
    """``(ppid, pgrp)`` of a live process, from ``/proc/<pid>/stat``; None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[2])


def all_pids() -> list[int]:
    """Every process id in ``/proc``."""
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its live descendants."""
    children: dict[int, list[int]] = {}
    for other in all_pids():
        stat = proc_stat(other)
        if stat:
            children.setdefault(stat[0], []).append(other)
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        if proc_stat(current) is None:
            continue
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def rss_kib(pids: list[int]) -> int:
    """Summed resident set size (``VmRSS``) of ``pids``, in KiB; gone processes count 0."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) used by ``pids`` and by their children already waited for.

    Summed over every live process of a tree, this counts each process once, dead or alive; a
    difference of two readings is what the tree used in between.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def cmdline(pid: int) -> str:
    """The command line of ``pid`` with spaces between arguments ("" when it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_for_http(port: int, timeout: float, probe: str = "/") -> bool:
    """Whether a server on the loopback ``port`` answered a GET of ``probe`` within ``timeout`` seconds."""
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
        try:
            connection.request("GET", probe)
            connection.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
        finally:
            connection.close()
    return False


# --- subprocesses -----------------------------------------------------------------------


class Service:
    """A server subprocess in a session of its own, its output appended to a log file.

    ``start()`` may be called again after the process died (a supervisor's restart). Every
    process group ever started is remembered so that ``stop()`` can end orphans too (gunicorn
    workers outlive a killed master for a moment). Only processes whose command line contains
    ``marker`` are ever signalled by group.
    """

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path, marker: str):
        self.name, self.argv, self.env, self.log, self.marker = name, argv, env, log, marker
        self.process: subprocess.Popen | None = None
        self.groups: list[int] = []
        self.starts = 0

    def start(self) -> None:
        """Start (or restart) the process."""
        with open(self.log, "ab") as log:
            log.write(f"\n=== start {self.starts + 1} of {self.name} at {time.time():.3f}\n".encode())
            log.flush()
            self.process = subprocess.Popen(  # noqa: S603  (a fixed argument list, no shell)
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.groups.append(self.process.pid)
        self.starts += 1

    @property
    def pid(self) -> int | None:
        """The pid of the current process, or None before the first start."""
        return self.process.pid if self.process else None

    def running(self) -> bool:
        """Whether the current process is alive."""
        return self.process is not None and self.process.poll() is None

    def tree(self) -> list[int]:
        """The current process and its descendants (empty when it is not running)."""
        return process_tree(self.process.pid) if self.running() and self.process else []

    def group_members(self) -> list[int]:
        """Live processes of every group this service started that still look like it."""
        groups = set(self.groups)
        members = []
        for pid in all_pids():
            stat = proc_stat(pid)
            if stat and stat[1] in groups and self.marker in cmdline(pid):
                members.append(pid)
        return members

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM the current process, wait up to ``timeout`` s, then SIGKILL whatever is left."""
        if self.running() and self.process:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        kill_pids(self.group_members())
        if self.process:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)


def kill_pids(pids: list[int], sig: int = signal.SIGKILL) -> int:
    """Send ``sig`` to each of ``pids``; returns how many were signalled (gone ones are skipped)."""
    sent = 0
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
            sent += 1
    return sent


def manage(args: list[str], env: dict[str, str], log: Path) -> None:
    """Run ``manage.py`` with ``args``; raises ``RuntimeError`` with its output's tail on failure."""
    with open(log, "ab") as out:
        out.write(f"\n=== manage.py {' '.join(args)}\n".encode())
        out.flush()
        code = subprocess.run(  # noqa: S603  (a fixed argument list, no shell)
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        ).returncode
    if code:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"manage.py {args[0]} exited {code}:\n{tail}")


# --- databases ----------------------------------------------------------------------------


@dataclass
class Database:
    """One database path: where Hub's data and its Django-Q2 queue live.

    ``sqlite``: a file in the working folder and the ORM broker. ``postgres``: a database
    ``hub_bench_<pid>_<hex>`` created on ``pg_url`` and the Redis broker on ``redis_url``. The
    queue name ``q_name`` is unique to this run, so other clusters on the same Redis never take
    its messages.
    """

    path: str
    workdir: Path
    pg_url: str
    redis_url: str
    name: str = ""
    q_name: str = field(default_factory=lambda: f"hub-bench-{os.getpid()}-{secrets.token_hex(3)}")
    created: bool = False

    @property
    def url(self) -> str:
        """``DATABASE_URL`` for Hub."""
        if self.path == "sqlite":
            return f"sqlite:///{self.workdir / 'hub.sqlite3'}"
        return f"{self.pg_url.rstrip('/')}/{self.name}"

    def create(self) -> None:
        """Create the PostgreSQL database (nothing to do for SQLite: migrate makes the file)."""
        if self.path != "postgres":
            return
        import psycopg

        self.name = f"hub_bench_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(f"{self.pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True

    def drop(self) -> None:
        """Drop the database this object created and delete its queue's Redis keys."""
        if self.path != "postgres":
            return
        if self.created:
            import psycopg

            with psycopg.connect(f"{self.pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False
        import redis

        client = redis.Redis.from_url(self.redis_url)
        keys = list(client.scan_iter(match=f"*{self.q_name}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


# --- Hub on one path ------------------------------------------------------------------


def run_model(name: str) -> Any:
    """A run model by class name, from the app ``runs`` when it exists, else ``tasks_app``."""
    from django.apps import apps

    for app in ("runs", "tasks_app"):
        try:
            return apps.get_model(app, name)
        except LookupError:
            continue
    raise LookupError(f"no run model {name} in runs or tasks_app")


class HubStack:
    """Hub on one database path, from a fresh database to its last process ended.

    Use as a context manager in the child process of one path; ``script`` is the Liquid of the
    one task (subscribed to ``SUBSCRIPTIONS``) and ``extra_env`` adds settings for Hub's
    processes. Exiting stops every process and drops the database, also after errors.
    """

    def __init__(
        self, opts: argparse.Namespace, path: str, script: str, extra_env: dict[str, str] | None = None
    ):
        self.opts = opts
        self.workdir = Path(tempfile.mkdtemp(prefix=f"hub-bench-{path}-"))
        self.db = Database(path, self.workdir, opts.pg_url, opts.redis_url)
        self.script = script
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.web: Service | None = None
        self.clusters: list[Service] = []
        self.webhook_path = ""
        self.performed_before = 0
        self.env: dict[str, str] = {}

    def __enter__(self) -> HubStack:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def hub_env(self) -> dict[str, str]:
        """The environment of Hub's processes on this path."""
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "hub.settings",
                "PYTHONUNBUFFERED": "1",
                "DATABASE_URL": self.db.url,
                "HUB_Q_NAME": self.db.q_name,
                "HUB_Q_WORKERS": str(self.opts.q_workers),
                "HUB_ENQUEUE_RUNS": "1",
                "HUB_LOG_LEVEL": self.opts.log_level,
                "HUB_SHOPIFY_API_SECRET": SHOPIFY_SECRET,
                "HUB_FILES_ROOT": str(self.workdir / "files"),
                "HUB_BASE_URL": f"http://{LOOPBACK}:{self.port}",
                "HUB_WEBHOOK_BASE_URL": f"http://{LOOPBACK}:{self.port}/webhooks",
            }
        )
        if self.opts.conn_max_age is not None:
            env["HUB_DB_CONN_MAX_AGE"] = str(self.opts.conn_max_age)
        if self.db.path == "postgres":
            env["REDIS_URL"] = self.db.redis_url
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        """Create and migrate the database, set up the shop, task and webhook, start the servers."""
        self.db.create()
        self.env = self.hub_env()
        setup_log = self.workdir / "setup.log"
        manage(["migrate", "--no-input", "-v", "0"], self.env, setup_log)
        manage(["create_shop", SHOP_DOMAIN, "--no-email"], self.env, setup_log)
        export = self.workdir / "task.json"
        export.write_text(
            json.dumps(
                {"name": "Bench task", "script": self.script, "subscriptions": SUBSCRIPTIONS, "options": {}}
            )
        )
        manage(["import_task", "--shop", SHOP_DOMAIN, "--enable", str(export)], self.env, setup_log)
        self.setup_django()
        self.webhook_path = self.create_webhook()
        self.web = Service(
            "gunicorn", self.gunicorn_argv(), self.env, self.workdir / "gunicorn.log", "gunicorn"
        )
        self.web.start()
        for number in range(self.opts.clusters):
            cluster = Service(
                f"qcluster-{number}",
                [PYTHON, "manage.py", "qcluster"],
                self.env,
                self.workdir / f"qcluster-{number}.log",
                "qcluster",
            )
            cluster.start()
            self.clusters.append(cluster)
        if not wait_for_http(self.port, 60, "/shopify/webhooks"):
            raise RuntimeError(f"gunicorn did not answer on port {self.port} within 60 s; see {self.web.log}")

    def gunicorn_argv(self) -> list[str]:
        """The gunicorn command line: sync workers on the loopback port, no access log."""
        return [
            PYTHON, "-m", "gunicorn", "hub.wsgi:application",
            "--bind", f"{LOOPBACK}:{self.port}",
            "--workers", str(self.opts.web_workers),
            "--timeout", "60",
            "--graceful-timeout", "10",
            "--no-control-socket",
        ]  # fmt: skip

    def setup_django(self) -> None:
        """Set this process up as Hub on this path, for the ORM reads of the measurement."""
        os.environ.pop("REDIS_URL", None)
        os.environ.update(self.env)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    def create_webhook(self) -> str:
        """Create the Mechanic webhook of ``WEBHOOK_TOPIC``; returns its path."""
        from django.apps import apps

        shop = apps.get_model("integrations", "Shop").objects.get(myshopify_domain=SHOP_DOMAIN)
        webhook = apps.get_model("events", "Webhook").objects.create(
            shop=shop, name="Bench", topic=WEBHOOK_TOPIC
        )
        return f"/webhooks/{webhook.id}"

    def close(self) -> None:
        """Stop every process, close this process's connections, drop the database, tidy up."""
        with uninterrupted():
            for service in [*self.clusters, *([self.web] if self.web else [])]:
                with contextlib.suppress(Exception):  # cleanup goes on whatever one service does
                    service.stop()
            with contextlib.suppress(Exception):  # Django may not be set up yet
                from django.db import connections

                connections.close_all()
            try:
                self.db.drop()
            finally:
                if self.opts.keep:
                    print(f"  kept {self.workdir}", flush=True)
                else:
                    shutil.rmtree(self.workdir, ignore_errors=True)

    # --- load and measurement ---

    def load_plan(self, count: int, tag: str, rate: float | None = None) -> dict:
        """A loadgen plan of ``count`` requests alternating webhook POSTs and Shopify deliveries."""
        return load_plan(
            self.opts,
            self.port,
            count,
            tag,
            [
                {"kind": "webhook", "path": self.webhook_path, "body": webhook_body()},
                shopify_target("/shopify/webhooks"),
            ],
            rate,
        )

    def cluster_rss_kib(self) -> int:
        """Summed RSS of every qcluster process tree, in KiB."""
        return rss_kib([pid for cluster in self.clusters for pid in cluster.tree()])

    def cpu_s(self) -> float:
        """CPU seconds used so far by gunicorn and every qcluster (not PostgreSQL or Redis)."""
        services = [*self.clusters, *([self.web] if self.web else [])]
        return cpu_s([pid for service in services for pid in service.tree()])

    def web_rss_kib(self) -> int:
        """Summed RSS of the gunicorn process tree, in KiB."""
        return rss_kib(self.web.tree()) if self.web else 0

    def warm_up(self, per_kind: int) -> None:
        """Send ``per_kind`` requests of each kind and wait until their runs are performed."""
        if per_kind <= 0:
            return
        load = run_load(self.load_plan(2 * per_kind, f"warm{secrets.token_hex(3)}", 0), self.workdir)
        state = self.wait_for_runs(self.performed_before + load.accepted, timeout=120, quiet=60)
        if state["reason"] != "complete":
            raise RuntimeError(f"warm-up runs did not finish ({state}); see the logs in {self.workdir}")
        self.performed_before = state["final_actions"]

    def run_counts(self) -> dict[str, dict[str, int]]:
        """Rows of each run model by status: ``{"ActionRun": {"succeeded": 12, ...}, ...}``."""
        from django.db.models import Count

        counts = {}
        for name in RUN_KINDS:
            rows = run_model(name).objects.values("status").annotate(n=Count("pk")).order_by()
            counts[name] = {row["status"]: row["n"] for row in rows}
        return counts

    def wait_for_runs(self, expected_actions: int, timeout: float, quiet: float) -> dict:
        """Poll until ``expected_actions`` action runs are final and no run is pending (see
        ``wait_until_settled``); returns ``{"reason", "waited_s", "final_actions"}``."""

        def poll() -> tuple[object, int, int]:
            counts = self.run_counts()
            final = sum(counts["ActionRun"].get(status, 0) for status in FINAL)
            pending = sum(n for kind in counts.values() for status, n in kind.items() if status not in FINAL)
            return counts, final, pending

        state = wait_until_settled(poll, expected_actions, timeout, quiet, interval=0.5)
        state["final_actions"] = state.pop("final")
        return state

    def logs(self) -> list[Path]:
        """The log files of Hub's processes."""
        return [
            path for path in [self.web.log if self.web else None, *(c.log for c in self.clusters)] if path
        ]


def wait_until_settled(
    poll: Callable[[], tuple[object, int, int]], expected: int, timeout: float, quiet: float, interval: float
) -> dict:
    """Call ``poll`` (returning ``(state, final, pending)``) every ``interval`` seconds until
    ``final >= expected`` with nothing pending ("complete"), the state stayed the same for
    ``quiet`` seconds ("quiet"), or ``timeout`` seconds passed ("timeout").
    Returns ``{"reason", "waited_s", "final"}``."""
    started = time.monotonic()
    last, last_change = None, started
    while True:
        state, final, pending = poll()
        now = time.monotonic()
        reason = None
        if final >= expected and pending == 0:
            reason = "complete"
        elif state != last:
            last, last_change = state, now
        elif now - last_change >= quiet:
            reason = "quiet"
        if reason is None and now - started >= timeout:
            reason = "timeout"
        if reason:
            return {"reason": reason, "waited_s": round(now - started, 1), "final": final}
        time.sleep(interval)


def webhook_body() -> dict:
    """The body of a Mechanic webhook POST (a contact form; ``bench_id`` is added per request)."""
    return {
        "name": "Bench Customer",
        "email": "bench@example.com",
        "message": "Hello from the load generator",
    }


def shopify_target(path: str) -> dict:
    """A loadgen target of signed ``orders/create`` deliveries with Shopify's published sample body."""
    return {
        "kind": "shopify",
        "path": path,
        "body": json.loads(SHOPIFY_SAMPLE.read_text()),
        "secret": SHOPIFY_SECRET,
        "topic": SHOPIFY_TOPIC,
        "domain": SHOP_DOMAIN,
    }


def load_plan(
    opts: argparse.Namespace, port: int, count: int, tag: str, targets: list[dict], rate: float | None = None
) -> dict:
    """A loadgen plan (see ``bench/loadgen.py``) from the benchmark's options."""
    return {
        "host": LOOPBACK,
        "port": port,
        "concurrency": opts.concurrency,
        "count": count,
        "tag": tag,
        "rate": opts.rate if rate is None else rate,
        "time_limit_s": opts.time_limit,
        "timeout_s": 60,
        "targets": targets,
    }


@dataclass
class LoadRun:
    """What one loadgen run did: its records (see ``bench/loadgen.py``), and the CPU seconds and
    wall seconds the load generator itself used (to show it was not the bottleneck)."""

    records: list[dict]
    cpu_s: float
    wall_s: float

    @property
    def accepted(self) -> int:
        """Requests answered 2xx."""
        return sum(1 for record in self.records if 200 <= record["status"] < 300)


def run_load(plan: dict, workdir: Path) -> LoadRun:
    """Run ``plan`` in a loadgen subprocess and return what it did (killed on Ctrl-C)."""
    plan_file = workdir / f"plan-{plan['tag']}.json"
    out_file = workdir / f"load-{plan['tag']}.jsonl"
    plan_file.write_text(json.dumps(plan))
    argv = [PYTHON, str(LOADGEN), str(plan_file), str(out_file)]
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=ROOT)  # noqa: S603  (a fixed argument list, no shell)
    try:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = code = os.waitstatus_to_exitcode(status)
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
    if code:
        raise RuntimeError(f"loadgen exited {code}")
    records = [json.loads(line) for line in out_file.read_text().splitlines() if line]
    return LoadRun(records, usage.ru_utime + usage.ru_stime, time.monotonic() - started)


# --- figures -------------------------------------------------------------------------


def request_figures(records: list[dict]) -> dict:
    """Figures of the requests alone: counts by answer, accepted per second, ingest latency."""
    accepted = [record for record in records if 200 <= record["status"] < 300]
    answers = Counter(
        str(record["status"]) if record["status"] else record["err"].split(":")[0] for record in records
    )
    figures: dict[str, Any] = {
        "requests": len(records),
        "accepted": len(accepted),
        "answers": dict(answers),
        "accepted_per_s": None,
        "ingest_p50_ms": None,
        "ingest_p99_ms": None,
    }
    if accepted:
        first = min(record["t"] for record in records)
        last = max(record["t"] + record["lat"] for record in accepted)
        latencies = [1000 * record["lat"] for record in accepted]
        figures["accepted_per_s"] = len(accepted) / max(last - first, 1e-9)
        figures["ingest_p50_ms"] = percentile(latencies, 50)
        figures["ingest_p99_ms"] = percentile(latencies, 99)
    return figures


def completion_figures(records: list[dict], done_at: dict[str, float]) -> dict:
    """End-to-end figures from the send times and ``done_at`` (bench id → Unix time performed).

    ``e2e_events_per_s`` counts accepted requests performed, over the time from the first POST
    to the last one performed; ``lag`` is each one's performed time minus its send time;
    ``drain_s`` is the time from the last accepted answer to the last one performed.
    """
    accepted = [record for record in records if 200 <= record["status"] < 300]
    lags = [done_at[r["bench_id"]] - r["t"] for r in accepted if r["bench_id"] in done_at]
    figures: dict[str, Any] = {
        "performed": len(lags),
        "e2e_events_per_s": None,
        "e2e_window_s": None,
        "drain_s": None,
        "lag_p50_s": percentile(lags, 50),
        "lag_p99_s": percentile(lags, 99),
    }
    done = [done_at[r["bench_id"]] for r in accepted if r["bench_id"] in done_at]
    if done:
        first = min(record["t"] for record in records)
        window = max(done) - first
        figures["e2e_window_s"] = window
        figures["e2e_events_per_s"] = len(done) / max(window, 1e-9)
        figures["drain_s"] = max(done) - max(r["t"] + r["lat"] for r in accepted)
    return figures


def hub_events(tag: str) -> dict[str, list[str]]:
    """Event ids by bench id, for the events whose data carries a ``bench_id`` of run ``tag``."""
    from django.apps import apps
    from django.db.models.fields.json import KeyTextTransform

    events: dict[str, list[str]] = {}
    rows = (
        apps.get_model("events", "Event")
        .objects.annotate(bench_id=KeyTextTransform("bench_id", "data"))
        .filter(bench_id__startswith=f"{tag}-")
        .values_list("pk", "bench_id")
    )
    for event_id, bench_id in rows:
        events.setdefault(bench_id, []).append(str(event_id))
    return events


def hub_action_runs() -> dict[str, list[dict]]:
    """Every action run by event id: ``{"id", "status", "stopped_at" (Unix s or None), "error"}``."""
    model = run_model("ActionRun")
    names = {f.name for f in model._meta.get_fields()}
    event_field = "event_id" if "event" in names else "task_run__event_id"
    runs: dict[str, list[dict]] = {}
    for run_id, event_id, status, stopped, error in model.objects.values_list(
        "pk", event_field, "status", "stopped_at", "error"
    ):
        runs.setdefault(str(event_id), []).append(
            {
                "id": str(run_id),
                "status": status,
                "stopped_at": stopped.timestamp() if stopped else None,
                "error": error,
            }
        )
    return runs


def hub_figures(records: list[dict], tag: str) -> dict:
    """Every figure of one Hub load run: requests, completion, lost, duplicated, failed.

    An accepted request is ``lost`` when no event carries its bench id; ``duplicated_events``
    counts bench ids with more than one event and ``duplicated_actions`` events with more than
    one action run (the task renders exactly one). A request counts as performed when its
    event's action run succeeded.
    """
    events = hub_events(tag)
    action_runs = hub_action_runs()
    done_at: dict[str, float] = {}
    failed: Counter[str] = Counter()
    duplicated_actions = 0
    for bench_id, event_ids in events.items():
        runs = [run for event_id in event_ids for run in action_runs.get(event_id, [])]
        duplicated_actions += len(runs) > 1
        for run in runs:
            if run["status"] == "succeeded" and run["stopped_at"]:
                done_at[bench_id] = max(done_at.get(bench_id, 0), run["stopped_at"])
            elif run["status"] == "failed":
                failed[run["error"] or ""] += 1
    accepted_ids = {r["bench_id"] for r in records if 200 <= r["status"] < 300}
    figures = {**request_figures(records), **completion_figures(records, done_at)}
    figures.update(
        {
            "lost": len(accepted_ids - set(events)),
            "events_of_unaccepted": len(set(events) - accepted_ids),
            "duplicated_events": sum(1 for ids in events.values() if len(ids) > 1),
            "duplicated_actions": duplicated_actions,
            "failed_actions": sum(failed.values()),
            "failed_action_errors": dict(failed.most_common(5)),
        }
    )
    return figures


def stranded(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    """Runs not final, as ``{"ActionRun due": 3, ...}`` (from ``HubStack.run_counts``)."""
    return {
        f"{kind} {status}": n
        for kind, by_status in counts.items()
        for status, n in sorted(by_status.items())
        if status not in FINAL and n
    }


LOG_PATTERNS = {
    "tracebacks": re.compile(r"^Traceback"),
    "error_lines": re.compile(r"\bERROR\b|\bCRITICAL\b"),
    "warning_lines": re.compile(r"\bWARNING\b"),
    "database_locked": re.compile(r"database is locked", re.IGNORECASE),
}


def scan_logs(paths: list[Path], samples: int = 6) -> dict:
    """Counts of tracebacks, error, warning and "database is locked" lines, and distinct samples."""
    counts: Counter[str] = Counter()
    seen: dict[str, int] = {}
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            hits = [name for name, pattern in LOG_PATTERNS.items() if pattern.search(line)]
            counts.update(hits)
            if hits and hits != ["warning_lines"]:
                # Numbers and ids vary per line; group lines that differ only in them.
                key = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "#", line.strip())[:200]
                seen[key] = seen.get(key, 0) + 1
    top = sorted(seen.items(), key=lambda item: -item[1])[:samples]
    return {
        **{name: counts.get(name, 0) for name in LOG_PATTERNS},
        "samples": [f"{n}× {text}" for text, n in top],
    }


# --- child processes and output --------------------------------------------------------------


def run_path_in_child(script: Path, path: str) -> dict:
    """Run ``script`` with this process's arguments for one database path in a child process.

    The child writes its figures as JSON; a child that fails yields ``{"label", "error"}``.
    Ctrl-C reaches the child too (same process group): this waits for it to clean up.
    """
    argv = strip_child_options(sys.argv[1:])
    with tempfile.NamedTemporaryFile(prefix="hub-bench-result-", suffix=".json", delete=False) as handle:
        result_file = Path(handle.name)
    process = subprocess.Popen(  # noqa: S603  (a fixed argument list, no shell)
        [PYTHON, str(script), *argv, "--child-path", path, "--child-result", str(result_file)]
    )
    try:
        code = process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGTERM)
        process.wait(120)
        raise
    finally:
        text = result_file.read_text() if result_file.exists() else ""
        result_file.unlink(missing_ok=True)
    if code or not text:
        return {"label": f"hub {path}", "error": f"child exited {code}"}
    return json.loads(text)


def strip_child_options(argv: list[str]) -> list[str]:
    """``argv`` without the hidden ``--child-*`` options and ``--json``."""
    stripped, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--child-path", "--child-result", "--json"):
            skip = True
            continue
        if arg.startswith(("--child-path=", "--child-result=", "--json=")):
            continue
        stripped.append(arg)
    return stripped


def child_guard(opts: argparse.Namespace, body: Any) -> int:
    """Run ``body(opts)`` in a benchmark's child, write its figures to ``--child-result``; exit code."""
    raise_on_sigterm()
    try:
        figures = body(opts)
    except KeyboardInterrupt:
        print("  interrupted; cleaned up", flush=True)
        return 130
    Path(opts.child_result).write_text(json.dumps(figures, default=str))
    return 0


def interruptible(main: Callable[[], int]) -> int:
    """Run a benchmark's ``main``; Ctrl-C or SIGTERM ends it with status 130 after its cleanup."""
    try:
        return main()
    except KeyboardInterrupt:
        print("interrupted; every process and database of this run was cleaned up", file=sys.stderr)
        return 130


def fmt(value: Any, spec: str = ".1f") -> str:
    """A figure for the table: formatted number, "-" for None, text as is."""
    if value is None:
        return "-"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format(value, spec)
    return str(value)


def print_table(rows: list[dict], columns: list[tuple[str, str, str]]) -> None:
    """Print ``rows`` as an aligned table of ``columns`` (header, key, format spec)."""
    cells = [[header for header, _, _ in columns]]
    cells += [[fmt(row.get(key), spec) for _, key, spec in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    for number, line in enumerate(cells):
        print(
            "  ".join(
                cell.rjust(width) if i else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            )
        )
        if number == 0:
            print("  ".join("-" * width for width in widths))


def config_line(opts: argparse.Namespace) -> str:
    """The process split and load shape, for the header of a report."""
    rate = f"{opts.rate:g}/s" if opts.rate else "unpaced"
    conn = "env/default" if opts.conn_max_age is None else str(opts.conn_max_age)
    return (
        f"gunicorn {opts.web_workers} sync workers; {opts.clusters} qcluster x {opts.q_workers} workers; "
        f"M={opts.count} webhooks + {opts.count} Shopify deliveries; concurrency {opts.concurrency}; "
        f"rate {rate}; HUB_DB_CONN_MAX_AGE {conn}; HUB_LOG_LEVEL {opts.log_level}; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def write_json(path: str | None, payload: dict) -> None:
    """Write ``payload`` to ``path`` as indented JSON when a path is given."""
    if path:
        Path(path).write_text(json.dumps(payload, indent=2, default=str) + "\n")
        print(f"wrote {path}")
