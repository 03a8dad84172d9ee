"""Crash benchmark: Hub under load while its processes are killed with SIGKILL (a script, not a test).

    .venv/bin/python bench/crash.py [-m M] [--kills N] [--seed S] [--db sqlite|postgres|both] [--json FILE]

Hub is set up as in ``bench/throughput.py`` (fresh database, gunicorn, ``qcluster``), but its one
task renders one ``http`` action that POSTs the event's id and ``bench_id`` to a counting HTTP
peer in the bench process (``HUB_HTTP_ALLOW_PRIVATE=127.0.0.1`` lets the address guard through).
While the load generator sends M Mechanic webhook POSTs and M signed Shopify deliveries (paced at
``--rate`` per second), the bench kills, at ``--kills`` random moments (seeded by ``--seed``)
spread over ``--kill-window`` seconds, one of these with SIGKILL:

- ``q-worker``: one Django-Q2 worker process (a child of the cluster; Django-Q2 starts another);
- ``qcluster``: the whole process group of a ``qcluster``;
- ``web-worker``: one gunicorn worker (the master starts another);
- ``web-master``: the gunicorn master alone (its workers leave when they see it gone).

Like a supervisor (systemd's default), the bench starts ``qcluster`` or gunicorn again
``--restart-delay`` seconds after it stopped, whatever the reason, having first killed what was left
of it (a killed gunicorn master's workers). Once the load is over it waits until no run changed state for
``--quiet`` seconds (at most ``--drain-timeout``), then prints:

- ``accepted``: requests answered 2xx; ``refused``: connections refused while the web server was
  down; ``cut off``: requests that got no answer (their event may exist: counted apart);
- ``lost``: accepted requests with no event;
- ``stranded``: runs of any kind not final (``due``, ``started``...), by kind and status;
- ``duplicated``: events whose action the peer received more than once (and events with more
  than one action run, and requests with more than one event);
- ``unknown``: runs failed because their worker was lost (their error names "worker" and
  "lost"), with the exact texts seen;
- the kills made, the restarts, and what Hub's logs say.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import harness

SCRIPT = """{% action "http" %}
{
  "method": "post",
  "url": "http://127.0.0.1:PEER_PORT/hit",
  "body": {"event_id": {{ event.id | json }}, "bench_id": {{ event.data.bench_id | json }}}
}
{% endaction %}"""

TARGETS = ("q-worker", "qcluster", "web-worker", "web-master")
WORKER_READY = re.compile(r"ready for work at (\d+)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (``--help`` documents every option)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    harness.add_common_options(parser, count=1100, rate=20)
    add = parser.add_argument
    add("--kills", type=int, default=6, help="SIGKILLs to make (default 6)")
    add("--seed", type=int, default=1, help="seed of the kill moments and targets (default 1)")
    add(
        "--targets",
        default=",".join(TARGETS),
        help=f"comma-separated kill targets, cycled in a seeded order (default {','.join(TARGETS)})",
    )
    add(
        "--kill-window",
        type=float,
        default=None,
        help="seconds from the load's start over which kills are spread (default: the paced load's length)",
    )
    add(
        "--restart-delay",
        type=float,
        default=3,
        help="seconds before a stopped server is started again (default 3)",
    )
    opts = parser.parse_args(argv)
    opts.quiet = min(opts.quiet, opts.drain_timeout)
    return opts


class CountingPeer:
    """A threaded HTTP server counting the POSTs it receives, by the ``event_id`` in their JSON body."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.bench_ids: dict[str, str] = {}
        self.lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    data = json.loads(body)
                except ValueError:
                    data = {}
                peer.record(str(data.get("event_id")), str(data.get("bench_id")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "11")
                self.end_headers()
                self.wfile.write(b'{"ok":true}')

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (http.server's name)
                return

        self.server = ThreadingHTTPServer((harness.LOOPBACK, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def record(self, event_id: str, bench_id: str) -> None:
        """Count one POST for ``event_id``."""
        with self.lock:
            self.hits[event_id] += 1
            self.bench_ids[event_id] = bench_id

    def __enter__(self) -> CountingPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def kill_plan(opts: argparse.Namespace, window: float) -> list[tuple[float, str]]:
    """``(seconds after load start, target)`` for each kill: one random moment per equal slice
    of ``window``, so that kills are at least ``restart_delay`` + 2 s apart."""
    rng = random.Random(opts.seed)  # noqa: S311  (seeded on purpose: a run can be repeated)
    targets = [name.strip() for name in opts.targets.split(",") if name.strip()]
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise SystemExit(f"--targets: unknown {sorted(unknown)} (known: {', '.join(TARGETS)})")
    order: list[str] = []
    while len(order) < opts.kills:
        order.extend(rng.sample(targets, len(targets)))
    slot = window / max(opts.kills, 1)
    gap = opts.restart_delay + 2
    return [(i * slot + rng.uniform(1, max(slot - gap, 1.5)), order[i]) for i in range(opts.kills)]


class Chaos:
    """Kills Hub's processes on a plan and restarts servers like a supervisor, in a thread."""

    def __init__(self, hub: harness.HubStack, plan: list[tuple[float, str]], opts: argparse.Namespace):
        self.hub, self.plan, self.opts = hub, list(plan), opts
        self.rng = random.Random(opts.seed + 1)  # noqa: S311  (seeded on purpose)
        self.kills: list[dict] = []
        self.restarts: Counter[str] = Counter()
        self.unexpected_exits: Counter[str] = Counter()
        self.leftovers_killed: Counter[str] = Counter()
        self.down_since: dict[str, float] = {}
        self.killed: set[str] = set()
        self.skipped: list[str] = []
        self.stop = threading.Event()
        self.aborted = threading.Event()
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def services(self) -> list[harness.Service]:
        """The supervised servers: gunicorn and every qcluster."""
        return [*([self.hub.web] if self.hub.web else []), *self.hub.clusters]

    def run(self) -> None:
        """Make the planned kills and keep the servers up; after ``stop``, skip kills not made yet
        and end once every server runs again."""
        while not self.aborted.is_set():
            if self.stop.is_set():
                self.skipped.extend(target for _, target in self.plan)
                self.plan = []
                if all(service.running() for service in self.services()):
                    return
            now = time.monotonic() - self.started
            if self.plan and now >= self.plan[0][0]:
                _, target = self.plan.pop(0)
                self.kills.append({"at_s": round(now, 1), "target": target, **self.kill(target)})
            for service in self.services():
                self.supervise(service, now)
            time.sleep(0.1)

    def supervise(self, service: harness.Service, now: float) -> None:
        """Start ``service`` again ``restart_delay`` seconds after it was first seen stopped.

        As systemd does by default (``KillMode=control-group``), what is left of the stopped
        service is killed first: gunicorn workers outlive a killed master for up to half their
        timeout, serving on and holding the port, so a new master could not bind it.
        """
        if service.running():
            self.down_since.pop(service.name, None)
            return
        if service.name not in self.down_since:
            self.down_since[service.name] = now
            if service.name not in self.killed:
                self.unexpected_exits[service.name] += 1
            self.killed.discard(service.name)
        elif now - self.down_since[service.name] >= self.opts.restart_delay:
            self.leftovers_killed[service.name] += harness.kill_pids(service.group_members())
            service.start()
            self.restarts[service.name] += 1
            self.down_since.pop(service.name, None)

    def kill(self, target: str) -> dict:
        """SIGKILL ``target``; returns the pids killed (none when nothing fitted)."""
        if target == "q-worker":
            pids = self.q_worker()
        elif target == "qcluster":
            cluster = self.rng.choice(self.hub.clusters)
            pids = cluster.tree()
            if pids and cluster.pid:
                self.killed.add(cluster.name)
                os.killpg(cluster.pid, signal.SIGKILL)  # the group we started it in (start_new_session)
                return {"pids": pids, "signalled": len(pids)}
        else:
            pids = self.web_pids(target)
        return {"pids": pids, "signalled": harness.kill_pids(pids)}

    def web_pids(self, target: str) -> list[int]:
        """The gunicorn master (``web-master``) or one of its workers chosen at random."""
        web = self.hub.web
        if web is None or not web.running() or web.pid is None:
            return []
        if target == "web-master":
            self.killed.add(web.name)
            return [web.pid]
        workers = [pid for pid in web.tree() if pid != web.pid]
        return [self.rng.choice(workers)] if workers else []

    def q_worker(self) -> list[int]:
        """One live Django-Q2 worker pid: from the cluster logs' "ready for work at <pid>" lines,
        else any process of the cluster below its first child (the sentinel)."""
        cluster = self.rng.choice(self.hub.clusters)
        tree = set(cluster.tree())
        announced = [int(pid) for pid in WORKER_READY.findall(cluster.log.read_text(errors="replace"))]
        workers = sorted({pid for pid in announced if pid in tree})
        if not workers:
            workers = [
                pid
                for pid in tree
                if pid != cluster.pid and (harness.proc_stat(pid) or (0, 0))[0] != cluster.pid
            ]
        return [self.rng.choice(workers)] if workers else []

    def finish(self, *, abort: bool = False) -> None:
        """Let pending restarts happen, then stop the thread (at most 30 s); ``abort`` stops it at once."""
        if abort:
            self.aborted.set()
        self.stop.set()
        self.thread.join(30)


def worker_lost_errors() -> Counter[str]:
    """Errors of runs (any kind) that name a lost worker, with how many runs have each."""
    errors: Counter[str] = Counter()
    for name in harness.RUN_KINDS:
        rows = (
            harness.run_model(name)
            .objects.filter(error__icontains="worker")
            .filter(error__icontains="lost")
            .values_list("error", flat=True)
        )
        errors.update(f"{name}: {error}" for error in rows)
    return errors


def peer_figures(peer: CountingPeer, events: dict[str, list[str]]) -> dict:
    """What the counting peer saw, against the events of this run."""
    event_ids = {event_id for ids in events.values() for event_id in ids}
    with peer.lock:
        hits = dict(peer.hits)
    return {
        "peer_posts": sum(hits.values()),
        "peer_events": len(hits),
        "peer_duplicated": sum(1 for event_id, n in hits.items() if n > 1 and event_id in event_ids),
        "peer_duplicate_posts": sum(n - 1 for event_id, n in hits.items() if n > 1 and event_id in event_ids),
        "events_never_posted": len(event_ids - set(hits)),
    }


def answer_figures(records: list[dict]) -> dict:
    """Requests by how they ended: accepted, refused (server down), cut off, other answers."""
    refused = sum(1 for r in records if r["status"] == 0 and "ConnectionRefused" in (r["err"] or ""))
    cut_off = sum(1 for r in records if r["status"] == 0) - refused
    other = sum(1 for r in records if r["status"] and not 200 <= r["status"] < 300)
    return {"refused": refused, "cut_off": cut_off, "other_answers": other}


def child(opts: argparse.Namespace) -> dict:
    """Run the crash load on ``opts.child_path`` (in the child process of that path)."""
    path = opts.child_path
    label = f"hub {path}"
    with CountingPeer() as peer:
        script = SCRIPT.replace("PEER_PORT", str(peer.port))
        env = {"HUB_HTTP_ALLOW_PRIVATE": harness.LOOPBACK}
        with harness.HubStack(opts, path, script, env) as hub:
            print(f"  {label}: Hub up on port {hub.port}, peer on {peer.port}; warming up", flush=True)
            hub.warm_up(opts.warmup)
            window = opts.kill_window or (2 * opts.count / opts.rate if opts.rate else 60)
            plan = kill_plan(opts, window)
            tag = f"hc{secrets.token_hex(3)}"
            print(
                f"  {label}: sending {2 * opts.count} requests; kills at {[(round(a), t) for a, t in plan]}",
                flush=True,
            )
            chaos = Chaos(hub, plan, opts)
            chaos.thread.start()
            try:
                load = harness.run_load(hub.load_plan(2 * opts.count, tag), hub.workdir)
            except BaseException:
                chaos.finish(abort=True)
                raise
            chaos.finish()
            records = load.records
            state = hub.wait_for_runs(hub.performed_before + load.accepted, opts.drain_timeout, opts.quiet)
            figures = harness.hub_figures(records, tag)
            figures.update(answer_figures(records))
            figures.update(peer_figures(peer, harness.hub_events(tag)))
            unknown = worker_lost_errors()
            figures.update(
                {
                    "label": label,
                    "wait": state,
                    "kills": chaos.kills,
                    "restarts": dict(chaos.restarts),
                    "skipped_kills": chaos.skipped,
                    "leftovers_killed": dict(chaos.leftovers_killed),
                    "unexpected_exits": dict(chaos.unexpected_exits),
                    "stranded": harness.stranded(hub.run_counts()),
                    "failed_unknown": sum(unknown.values()),
                    "failed_unknown_errors": dict(unknown.most_common(10)),
                    "logs": harness.scan_logs(hub.logs()),
                }
            )
    return figures


COLUMNS = [
    ("run", "label", ""),
    ("requests", "requests", "d"),
    ("accepted", "accepted", "d"),
    ("refused", "refused", "d"),
    ("cut off", "cut_off", "d"),
    ("lost", "lost", "d"),
    ("stranded", "stranded_total", "d"),
    ("duplicated", "peer_duplicated", "d"),
    ("unknown", "failed_unknown", "d"),
    ("failed", "failed_actions", "d"),
    ("performed", "performed", "d"),
    ("kills", "kill_count", "d"),
]


def report(opts: argparse.Namespace, results: list[dict]) -> None:
    """Print the table and, per run, the kills, stranded runs, errors and log findings."""
    print()
    print(
        harness.config_line(opts)
        + f"; {opts.kills} kills, seed {opts.seed}, restart after {opts.restart_delay:g} s"
    )
    for row in results:
        row["stranded_total"] = sum((row.get("stranded") or {}).values())
        row["kill_count"] = sum(1 for kill in row.get("kills", []) if kill.get("signalled"))
    harness.print_table([r for r in results if "error" not in r], COLUMNS)
    for row in results:
        if "error" in row:
            print(f"{row['label']}: FAILED: {row['error']}")
            continue
        print(
            f"{row['label']}: waited {row['wait']}; restarts {row['restarts']}; "
            f"unexpected exits {row['unexpected_exits']}; leftovers killed at restart "
            f"{row['leftovers_killed']}; kills skipped {row['skipped_kills']}"
        )
        print("    kills: " + ", ".join(f"{k['at_s']}s {k['target']} {k['pids']}" for k in row["kills"]))
        print(f"    stranded: {row['stranded']}; answers {row['answers']}")
        print(
            f"    peer: {row['peer_posts']} posts for {row['peer_events']} events, "
            f"{row['peer_duplicated']} events "
            f"posted twice or more; {row['events_never_posted']} events never posted; duplicated action runs "
            f"{row['duplicated_actions']}, duplicated events {row['duplicated_events']}; events of requests "
            f"not accepted {row['events_of_unaccepted']}"
        )
        for text, n in row["failed_unknown_errors"].items():
            print(f"    unknown: {n}× {text}")
        for text, n in row["failed_action_errors"].items():
            print(f"    failed: {n}× {text[:200]}")
        logs = row["logs"]
        print(
            f"    logs: {logs['tracebacks']} tracebacks, {logs['error_lines']} error lines, "
            f"{logs['database_locked']} 'database is locked'"
        )
        for sample in logs["samples"]:
            print(f"      {sample[:220]}")


def main() -> int:
    """Run the crash bench on each path, print the report, write ``--json``."""
    opts = parse_args()
    if opts.child_path:
        return harness.child_guard(opts, child)
    harness.raise_on_sigterm()
    print(harness.config_line(opts), flush=True)
    results = []
    for path in harness.db_paths(opts.db):
        print(f"== {path}", flush=True)
        results.append(harness.run_path_in_child(Path(__file__).resolve(), path))
    report(opts, results)
    harness.write_json(opts.json, {"config": vars(opts), "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(harness.interruptible(main))
