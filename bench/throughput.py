"""Throughput benchmark of Hub's whole path, from inbound HTTP to the last action run (a script, not a test).

    .venv/bin/python bench/throughput.py [-m M] [--db sqlite|postgres|both] [--peer n8n] [--json FILE]

For each database path (SQLite + Django-Q2 ORM broker; PostgreSQL + Redis broker) it starts Hub
from nothing: a fresh database (a file in a temporary folder, or ``hub_bench_*`` created and
dropped on the PostgreSQL server), ``migrate``, a shop, one task subscribed to
``shopify/orders/create`` and ``user/bench/load`` whose script renders one ``echo`` action, a
Mechanic webhook, then gunicorn (``--web-workers`` sync workers) and ``--clusters`` ``qcluster``
processes of ``--q-workers`` workers each. A load generator in another process
(``bench/loadgen.py``) sends ``--warmup`` requests of each kind and waits for them, then M
Mechanic webhook POSTs and M signed Shopify deliveries (Shopify's published ``orders/create``
body, 15 kB), alternating, from ``--concurrency`` threads, to loopback only, bounded by
``--time-limit``. Every body carries a unique ``bench_id``; the bench then polls Hub's database
until every accepted request's action run is final (or nothing changed for ``--quiet`` seconds, or
``--drain-timeout``), and matches each request to its event (``Event.data.bench_id``) and action
run.

Figures, per run:

- ``acc/s``: accepted (2xx) requests per second, first send to last answer.
- ``ingest p50/p99``: milliseconds from sending a request to reading its whole answer.
- ``e2e ev/s``: events performed (their action run succeeded) per second, from the first POST to
  the last action run's ``stopped_at``.
- ``lag p50/p99``: seconds from sending a request to its action run's ``stopped_at``.
- ``e2e s``: seconds from the first POST to the last action run (the window of ``e2e ev/s``).
- ``drain``: seconds from the last accepted answer to the last action run (the backlog left when
  the load ended).
- ``CPU ms/ev``: CPU time Hub's gunicorn and qcluster processes (n8n's node process) used from
  the warm-up's end to the last run, per event performed; PostgreSQL and Redis are not counted.
  Less sensitive than rates to other work on the machine.
- ``RSS before/after``: summed RSS of every qcluster process tree after the warm-up and after the
  load was performed (MiB). Django-Q2 recycles a worker after 500 tasks, which resets its RSS.
- ``lost``: accepted requests with no event; ``dup``: requests with more than one event plus
  events with more than one action run; ``stranded``: runs of any kind not final at the end;
  ``not 2xx``: requests answered otherwise or not at all.

With ``--peer n8n`` it installs n8n into ``bench/.peers/n8n/`` (see ``bench/n8n_peer.py``) and
measures a Webhook → Set workflow under the same load in the same invocation, interleaved (Hub
SQLite, n8n, Hub PostgreSQL, n8n, ... ``--rounds`` times), then prints each Hub path's ratio
Hub / n8n of end-to-end events per second and of accepted requests per second (against the
median of the n8n runs). Every process and database the bench makes is removed at the end, also
on Ctrl-C or an error.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
from pathlib import Path

import harness

SCRIPT = '{% action "echo", bench_id: event.data.bench_id, topic: event.topic %}'

COLUMNS = [
    ("run", "label", ""),
    ("acc/s", "accepted_per_s", ".1f"),
    ("ingest p50 ms", "ingest_p50_ms", ".1f"),
    ("p99 ms", "ingest_p99_ms", ".1f"),
    ("e2e ev/s", "e2e_events_per_s", ".1f"),
    ("lag p50 s", "lag_p50_s", ".2f"),
    ("p99 s", "lag_p99_s", ".2f"),
    ("e2e s", "e2e_window_s", ".1f"),
    ("drain s", "drain_s", ".1f"),
    ("CPU ms/ev", "cpu_ms_per_event", ".1f"),
    ("RSS before MiB", "rss_before_mib", ".0f"),
    ("after MiB", "rss_after_mib", ".0f"),
    ("lost", "lost", "d"),
    ("dup", "dup", "d"),
    ("stranded", "stranded_total", "d"),
    ("not 2xx", "not_accepted", "d"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (``--help`` documents every option)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    harness.add_common_options(parser, count=1000, rate=0)
    parser.add_argument("--peer", choices=("n8n",), help="also measure n8n under the same load, interleaved")
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat the interleaved sequence this many times"
    )
    parser.add_argument(
        "--n8n-version",
        default=None,
        help="n8n version to install (default 1.123.81, the newest for Node 20)",
    )
    parser.add_argument(
        "--n8n-env", action="append", metavar="KEY=VALUE", help="extra environment for n8n (repeatable)"
    )
    return parser.parse_args(argv)


def child(opts: argparse.Namespace) -> dict:
    """Measure Hub on ``opts.child_path`` (runs in the child process of that path)."""
    path = opts.child_path
    label = f"hub {path}"
    with harness.HubStack(opts, path, SCRIPT) as hub:
        print(f"  {label}: Hub up on port {hub.port}; warming up", flush=True)
        hub.warm_up(opts.warmup)
        rss_before, web_before, cpu_before = hub.cluster_rss_kib(), hub.web_rss_kib(), hub.cpu_s()
        tag = f"hb{secrets.token_hex(3)}"
        print(f"  {label}: sending {2 * opts.count} requests", flush=True)
        load = harness.run_load(hub.load_plan(2 * opts.count, tag), hub.workdir)
        state = hub.wait_for_runs(hub.performed_before + load.accepted, opts.drain_timeout, opts.quiet)
        rss_after, web_after, cpu = hub.cluster_rss_kib(), hub.web_rss_kib(), hub.cpu_s() - cpu_before
        figures = harness.hub_figures(load.records, tag)
        figures.update(
            {
                "label": label,
                "cpu_s": cpu,
                "loadgen_cpu_s": load.cpu_s,
                "loadgen_wall_s": load.wall_s,
                "wait": state,
                "rss_before_kib": rss_before,
                "rss_after_kib": rss_after,
                "web_rss_before_kib": web_before,
                "web_rss_after_kib": web_after,
                "stranded": harness.stranded(hub.run_counts()),
                "logs": harness.scan_logs(hub.logs()),
            }
        )
    return figures


def steps(opts: argparse.Namespace) -> list[str]:
    """The measurements in order: Hub paths, each followed by n8n when it is the peer."""
    sequence = []
    for _ in range(opts.rounds):
        for path in harness.db_paths(opts.db):
            sequence.append(path)
            if opts.peer:
                sequence.append("n8n")
    return sequence


def finish_row(row: dict) -> dict:
    """Add the table's derived columns to a result row."""
    row["rss_before_mib"] = (row.get("rss_before_kib") or 0) / 1024 or None
    row["rss_after_mib"] = (row.get("rss_after_kib") or 0) / 1024 or None
    if row.get("cpu_s") and row.get("performed"):
        row["cpu_ms_per_event"] = 1000 * row["cpu_s"] / row["performed"]
    row["dup"] = (row.get("duplicated_events") or 0) + (row.get("duplicated_actions") or 0)
    row["stranded_total"] = sum((row.get("stranded") or {}).values())
    row["not_accepted"] = (row.get("requests") or 0) - (row.get("accepted") or 0)
    return row


def ratios(results: list[dict]) -> list[dict]:
    """Hub / n8n for each Hub path: end-to-end events/s and accepted requests/s (medians)."""
    peers = [r for r in results if r.get("label") == "n8n" and r.get("e2e_events_per_s")]
    if not peers:
        return []
    peer_e2e = statistics.median(r["e2e_events_per_s"] for r in peers)
    peer_acc = statistics.median(r["accepted_per_s"] for r in peers)
    rows = []
    for label in dict.fromkeys(r["label"] for r in results if r["label"].startswith("hub")):
        runs = [r for r in results if r["label"] == label and r.get("e2e_events_per_s")]
        if runs:
            hub_e2e = statistics.median(r["e2e_events_per_s"] for r in runs)
            hub_acc = statistics.median(r["accepted_per_s"] for r in runs)
            rows.append(
                {"path": label, "e2e_ratio": hub_e2e / peer_e2e, "accepted_ratio": hub_acc / peer_acc}
            )
    return rows


def report(opts: argparse.Namespace, results: list[dict]) -> None:
    """Print the table, the ratios, errors and log findings."""
    print()
    print(harness.config_line(opts))
    harness.print_table([finish_row(r) for r in results if "error" not in r], COLUMNS)
    for row in ratios(results):
        print(
            f"{row['path']} / n8n: e2e events/s {row['e2e_ratio']:.2f}x, "
            f"accepted requests/s {row['accepted_ratio']:.2f}x"
        )
    for row in results:
        if "error" in row:
            print(f"{row['label']}: FAILED: {row['error']}")
            continue
        notes = [
            f"waited {row['wait']}",
            f"loadgen {row['loadgen_cpu_s']:.1f} CPU-s in {row['loadgen_wall_s']:.1f} s",
        ]
        if row.get("answers"):
            notes.append(f"answers {row['answers']}")
        if row.get("stranded"):
            notes.append(f"stranded {row['stranded']}")
        if row.get("failed_actions"):
            notes.append(f"failed {row['failed_action_errors']}")
        logs = row.get("logs") or {}
        notes.append(
            f"logs: {logs.get('tracebacks', 0)} tracebacks, {logs.get('error_lines', 0)} error lines, "
            f"{logs.get('database_locked', 0)} 'database is locked'"
        )
        print(f"{row['label']}: " + "; ".join(notes))
        for sample in logs.get("samples", []):
            print(f"    {sample}")


def main() -> int:
    """Run every measurement, print the report, write ``--json``."""
    opts = parse_args()
    if opts.child_path:
        return harness.child_guard(opts, child)
    harness.raise_on_sigterm()
    if opts.peer == "n8n":
        import n8n_peer

        try:
            n8n_peer.install(opts.n8n_version or n8n_peer.DEFAULT_VERSION)
        except RuntimeError as exc:
            print(f"n8n cannot be installed: {exc}", file=sys.stderr)
            return 1
    print(harness.config_line(opts), flush=True)
    results = []
    for step in steps(opts):
        print(f"== {step}", flush=True)
        if step == "n8n":
            import n8n_peer

            try:
                results.append(n8n_peer.measure(opts, 2 * opts.count))
            except RuntimeError as exc:
                results.append({"label": "n8n", "error": str(exc)})
        else:
            results.append(harness.run_path_in_child(Path(__file__).resolve(), step))
    report(opts, results)
    harness.write_json(opts.json, {"config": vars(opts), "results": results, "ratios": ratios(results)})
    return 0


if __name__ == "__main__":
    sys.exit(harness.interruptible(main))
