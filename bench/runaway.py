"""Runaway scripts against the render limits (issue 12, "limits that hold"): each script runs as a task
through ``manage.py emit_event --sync --json`` in its own process, on a scratch SQLite database, and
the figures printed are the wall time of that process, its peak RSS and the error its task run ended
with. Not a pass/fail test: it prints figures.

    .venv/bin/python bench/runaway.py [--timeout-s 10] [--memory-mb 512]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
A41 = '{% assign s = "' + "a" * 41 + '!" %}'
SCRIPTS = {
    "backtracking regexp": A41 + '{{ s | match: "(a|aa)+$" }}',
    "backtracking scan": A41 + '{{ s | scan: "(a|aa)+$" }}',
    "date width": '{{ "now" | date: "%999999999Y" }}',
    "append doubling": (
        '{% assign s = "0123456789" %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}'
    ),
    "concat of ranges": "{% assign a = (1..30000000) | concat: (1..30000000) %}{{ a | size }}",
}


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run one manage.py command; exits with its output when it fails."""
    result = subprocess.run(  # noqa: S603  (this interpreter, fixed arguments)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


def measured(env: dict, *args: str) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MiB (GNU time) and stdout of one manage.py command."""
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        ["/usr/bin/time", "-f", "%M", sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    peak_kib = int(result.stderr.strip().splitlines()[-1]) if result.stderr.strip() else 0
    return elapsed, peak_kib // 1024, result.stdout


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--timeout-s", default="10")
    options.add_argument("--memory-mb", default="512")
    args = options.parse_args()
    folder = tempfile.mkdtemp(prefix="hub-runaway-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
        "HUB_TASK_RUN_TIMEOUT_S": args.timeout_s,
        "HUB_TASK_RUN_MEMORY_MB": args.memory_mb,
        "HUB_ENQUEUE_RUNS": "0",
    }
    env.pop("REDIS_URL", None)
    manage(env, "migrate", "-v", "0")
    manage(env, "create_shop", "runaway.myshopify.com", "--no-email")
    baseline = measured(env, "emit_event", "user/baseline/run", "--shop", "runaway.myshopify.com", "--sync")
    print(
        f"limits: {args.timeout_s} s, {args.memory_mb} MB; "
        f"emit_event with no task: {baseline[0]:.2f} s, {baseline[1]} MiB"
    )
    for number, (name, script) in enumerate(SCRIPTS.items()):
        topic = f"user/runaway/case{number}"
        task = {"name": name, "script": script, "subscriptions": [topic]}
        path = Path(folder) / f"task{number}.json"
        path.write_text(json.dumps(task))
        manage(env, "import_task", "--shop", "runaway.myshopify.com", "--enable", str(path))
        elapsed, peak, out = measured(
            env, "emit_event", topic, "--shop", "runaway.myshopify.com", "--sync", "--json"
        )
        try:
            runs = json.loads(out)["task_runs"]
            error = runs[0]["error"] if runs else "no task run"
        except (ValueError, KeyError, IndexError):
            error = out.strip()[-200:]
        print(f"{name:20} {elapsed:6.2f} s  peak RSS {peak:5d} MiB  {error}")
    print(f"(scratch database in {folder}; peak RSS read by GNU time)")


if __name__ == "__main__":
    main()
