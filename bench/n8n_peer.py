"""n8n as the peer of ``bench/throughput.py --peer n8n``: install, start, load, measure.

n8n is installed with npm into ``bench/.peers/n8n/`` (git-ignored). On Node 20 what works is
n8n 1.123.x (newer releases need Node 24), an npm ``overrides`` entry pinning ``xlsx`` to its
registry version (n8n's own points at a CDN that is not reachable here), ``npm install
--ignore-scripts`` and then ``npm rebuild sqlite3`` (the one native module the SQLite database
needs), and ``N8N_EXPRESSION_ENGINE=legacy`` at start.

Each measurement starts n8n on a fresh SQLite database with one imported and activated workflow,
Webhook (POST, answer at once) → Set (copies ``bench_id`` from the body), sends it the same load
as Hub gets (the same bodies and headers, both kinds to the one webhook), and reads the
executions from n8n's database: a request is performed when an execution whose data holds its
``bench_id`` has ``stoppedAt`` set and status ``success``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import harness

PEER_DIR = Path(__file__).resolve().parent / ".peers" / "n8n"
DEFAULT_VERSION = "1.123.81"
XLSX_VERSION = "0.18.5"
WEBHOOK_PATH = "/webhook/hub-bench"
FINAL = ("success", "error", "canceled", "crashed")

WORKFLOW = {
    "id": "hubbench00000001",
    "name": "Hub bench: webhook to Set",
    "active": True,
    "nodes": [
        {
            "id": "8c1f0a52-1d7b-4f57-9d3c-0a1b2c3d4e01",
            "name": "Webhook",
            "type": "n8n-nodes-base.webhook",
            "typeVersion": 2,
            "position": [0, 0],
            "webhookId": "8c1f0a52-1d7b-4f57-9d3c-0a1b2c3d4e02",
            "parameters": {
                "httpMethod": "POST",
                "path": "hub-bench",
                "responseMode": "onReceived",
                "options": {},
            },
        },
        {
            "id": "8c1f0a52-1d7b-4f57-9d3c-0a1b2c3d4e03",
            "name": "Set",
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "position": [220, 0],
            "parameters": {
                "assignments": {
                    "assignments": [
                        {
                            "id": "8c1f0a52-1d7b-4f57-9d3c-0a1b2c3d4e04",
                            "name": "bench_id",
                            "value": "={{ $json.body.bench_id }}",
                            "type": "string",
                        }
                    ]
                },
                "options": {},
            },
        },
    ],
    "connections": {"Webhook": {"main": [[{"node": "Set", "type": "main", "index": 0}]]}},
    "settings": {"executionOrder": "v1"},
}

# n8n's settings for the benchmark: no telemetry or update checks, SQLite in WAL mode with a
# read pool (what n8n recommends), and no pruning, so every execution can be counted.
BASE_ENV = {
    "DB_TYPE": "sqlite",
    "DB_SQLITE_POOL_SIZE": "2",
    "EXECUTIONS_MODE": "regular",
    "EXECUTIONS_DATA_PRUNE": "false",
    "EXECUTIONS_DATA_SAVE_ON_SUCCESS": "all",
    "N8N_EXPRESSION_ENGINE": "legacy",
    "N8N_DIAGNOSTICS_ENABLED": "false",
    "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
    "N8N_TEMPLATES_ENABLED": "false",
    "N8N_PERSONALIZATION_ENABLED": "false",
    "N8N_HIRING_BANNER_ENABLED": "false",
    "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS": "false",
    "N8N_LOG_LEVEL": "warn",
}


def installed_version() -> str | None:
    """The n8n version installed in ``PEER_DIR``, or None."""
    package = PEER_DIR / "node_modules" / "n8n" / "package.json"
    if not package.exists():
        return None
    return json.loads(package.read_text()).get("version")


def npm(args: list[str], log: Path) -> None:
    """Run ``npm`` in ``PEER_DIR``; raises ``RuntimeError`` with the log's tail on failure."""
    executable = shutil.which("npm")
    if executable is None:
        raise RuntimeError("npm is not installed (n8n needs Node.js 20 and npm)")
    with open(log, "ab") as out:
        out.write(f"\n=== npm {' '.join(args)}\n".encode())
        out.flush()
        code = subprocess.run(  # noqa: S603  (a fixed argument list, no shell)
            [executable, *args], cwd=PEER_DIR, stdout=out, stderr=subprocess.STDOUT, check=False
        ).returncode
    if code:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"npm {' '.join(args)} exited {code}; the end of {log}:\n{tail}")


def install(version: str) -> None:
    """Install n8n ``version`` into ``PEER_DIR`` unless it is there already (takes a few minutes)."""
    if installed_version() == version:
        return
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    package = {
        "name": "hub-bench-n8n-peer",
        "private": True,
        "dependencies": {"n8n": version},
        "overrides": {"xlsx": XLSX_VERSION},
    }
    (PEER_DIR / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    log = PEER_DIR / "install.log"
    print(f"installing n8n {version} into {PEER_DIR} (log: {log})", flush=True)
    npm(["install", "--ignore-scripts", "--no-audit", "--no-fund"], log)
    npm(["rebuild", "sqlite3"], log)
    if installed_version() != version:
        raise RuntimeError(f"n8n {version} is not in {PEER_DIR} after npm install; see {log}")


def parse_stamp(text: str | None) -> float | None:
    """Unix seconds from n8n's SQLite timestamp text (``2026-01-02 03:04:05.678``, UTC)."""
    if not text:
        return None
    return datetime.strptime(text[:23], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC).timestamp()


class N8nPeer:
    """One n8n process on a fresh SQLite database with the benchmark's workflow active."""

    def __init__(self, opts: argparse.Namespace):
        self.opts = opts
        self.workdir = Path(tempfile.mkdtemp(prefix="hub-bench-n8n-"))
        self.port = harness.free_port()
        self.service: harness.Service | None = None
        self.performed_before = 0
        self.accepted_so_far = 0
        node = shutil.which("node") or "node"
        self.n8n = [node, str(PEER_DIR / "node_modules" / "n8n" / "bin" / "n8n")]
        self.env = {
            **os.environ,
            **BASE_ENV,
            "N8N_USER_FOLDER": str(self.workdir),
            "N8N_PORT": str(self.port),
            "N8N_LISTEN_ADDRESS": harness.LOOPBACK,
            "WEBHOOK_URL": f"http://{harness.LOOPBACK}:{self.port}/",
        }
        for item in opts.n8n_env or []:
            key, _, value = item.partition("=")
            self.env[key] = value

    @property
    def database(self) -> Path:
        """n8n's SQLite file."""
        return self.workdir / ".n8n" / "database.sqlite"

    def __enter__(self) -> N8nPeer:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cli(self, args: list[str]) -> None:
        """Run an n8n CLI command (before ``start``: they use the database directly)."""
        log = self.workdir / "setup.log"
        with open(log, "ab") as out:
            code = subprocess.run(  # noqa: S603  (a fixed argument list, no shell)
                [*self.n8n, *args],
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            ).returncode
        if code:
            raise RuntimeError(f"n8n {args[0]} exited {code}:\n{log.read_text(errors='replace')[-2000:]}")

    def start(self) -> None:
        """Import and activate the workflow, start n8n, wait until its webhook answers."""
        workflow = self.workdir / "workflow.json"
        workflow.write_text(json.dumps([WORKFLOW]))
        self.cli(["import:workflow", f"--input={workflow}"])
        self.cli(["update:workflow", f"--id={WORKFLOW['id']}", "--active=true"])
        self.service = harness.Service("n8n", [*self.n8n, "start"], self.env, self.workdir / "n8n.log", "n8n")
        self.service.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.webhook_answers():
                self.accepted_so_far += 1
                return
            if not self.service.running():
                break
            time.sleep(0.5)
        raise RuntimeError(f"n8n's webhook did not answer within 120 s; see {self.service.log}")

    def webhook_answers(self) -> bool:
        """Whether the workflow's webhook accepts a POST (which starts one warm-up execution)."""
        import http.client

        connection = http.client.HTTPConnection(harness.LOOPBACK, self.port, timeout=5)
        try:
            connection.request(
                "POST",
                WEBHOOK_PATH,
                body=b'{"bench_id": "probe"}',
                headers={"Content-Type": "application/json"},
            )
            return connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def close(self) -> None:
        """Stop n8n and remove its working folder (unless ``--keep``)."""
        with harness.uninterrupted():
            if self.service:
                self.service.stop()
            if self.opts.keep:
                print(f"  kept {self.workdir}", flush=True)
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def load_plan(self, count: int, tag: str, rate: float | None = None) -> dict:
        """The same load as Hub's, every request to the workflow's webhook."""
        return harness.load_plan(
            self.opts,
            self.port,
            count,
            tag,
            [
                {"kind": "webhook", "path": WEBHOOK_PATH, "body": harness.webhook_body()},
                harness.shopify_target(WEBHOOK_PATH),
            ],
            rate,
        )

    def query(self, sql: str) -> list[tuple]:
        """Rows of a read-only query on n8n's database."""
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def status_counts(self) -> dict[str, int]:
        """Executions by status."""
        return dict(self.query("SELECT status, COUNT(*) FROM execution_entity GROUP BY status"))

    def wait_for_executions(self, expected: int, timeout: float, quiet: float) -> dict:
        """Poll until ``expected`` executions are final and none is pending (or quiet, or timeout;
        see ``harness.wait_until_settled``); returns ``{"reason", "waited_s", "final_executions"}``."""

        def poll() -> tuple[object, int, int]:
            counts = self.status_counts()
            final = sum(n for status, n in counts.items() if status in FINAL)
            return counts, final, sum(n for status, n in counts.items() if status not in FINAL)

        state = harness.wait_until_settled(poll, expected, timeout, quiet, interval=1.0)
        state["final_executions"] = state.pop("final")
        return state

    def warm_up(self, per_kind: int) -> None:
        """Send ``per_kind`` requests of each kind and wait for their executions."""
        load = harness.run_load(
            self.load_plan(2 * max(per_kind, 0), f"warm{secrets.token_hex(3)}", 0), self.workdir
        )
        self.accepted_so_far += load.accepted
        state = self.wait_for_executions(self.accepted_so_far, timeout=120, quiet=30)
        self.performed_before = state["final_executions"]

    def figures(self, records: list[dict], tag: str) -> dict:
        """The same figures as ``harness.hub_figures``, from n8n's executions."""
        pattern = re.compile(re.escape(tag) + r"-\d+")
        done_at: dict[str, float] = {}
        seen: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        rows = self.query(
            "SELECT e.status, e.stoppedAt, d.data FROM execution_entity e "
            "JOIN execution_data d ON d.executionId = e.id"
        )
        for status, stopped, data in rows:
            for bench_id in set(pattern.findall(data)):
                seen[bench_id] += 1
                if status == "success" and stopped:
                    done_at[bench_id] = max(done_at.get(bench_id, 0), parse_stamp(stopped) or 0)
                elif status in FINAL:
                    failed[status] += 1
        accepted_ids = {r["bench_id"] for r in records if 200 <= r["status"] < 300}
        figures = {**harness.request_figures(records), **harness.completion_figures(records, done_at)}
        figures.update(
            {
                "lost": len(accepted_ids - set(seen)),
                "events_of_unaccepted": len(set(seen) - accepted_ids),
                "duplicated_events": sum(1 for n in seen.values() if n > 1),
                "duplicated_actions": 0,
                "failed_actions": sum(failed.values()),
                "failed_action_errors": dict(failed),
            }
        )
        return figures


def measure(opts: argparse.Namespace, count: int) -> dict[str, Any]:
    """Start n8n, warm it up, send ``count`` requests, wait for the executions; its figures."""
    with N8nPeer(opts) as peer:
        peer.warm_up(opts.warmup)
        rss_before = harness.rss_kib(peer.service.tree()) if peer.service else 0
        cpu_before = harness.cpu_s(peer.service.tree()) if peer.service else 0
        tag = f"n8n{secrets.token_hex(3)}"
        print(f"  n8n {installed_version()}: sending {count} requests", flush=True)
        load = harness.run_load(peer.load_plan(count, tag), peer.workdir)
        state = peer.wait_for_executions(
            peer.performed_before + load.accepted, opts.drain_timeout, opts.quiet
        )
        rss_after = harness.rss_kib(peer.service.tree()) if peer.service else 0
        cpu = harness.cpu_s(peer.service.tree()) - cpu_before if peer.service else 0
        counts = peer.status_counts()
        figures = peer.figures(load.records, tag)
        figures.update(
            {
                "label": "n8n",
                "cpu_s": cpu,
                "loadgen_cpu_s": load.cpu_s,
                "loadgen_wall_s": load.wall_s,
                "version": installed_version(),
                "wait": state,
                "rss_before_kib": rss_before,
                "rss_after_kib": rss_after,
                "stranded": {f"execution {s}": n for s, n in counts.items() if s not in FINAL and n},
                "logs": harness.scan_logs([peer.service.log] if peer.service else []),
                "env": {k: v for k, v in peer.env.items() if k in BASE_ENV or k.startswith(("N8N_", "DB_"))},
            }
        )
    return figures
