"""Benchmark of Hub's Liquid dialect (a script, not a test).

    .venv/bin/python bench/liquid_render.py [--rounds N] [--no-ruby]

Prints, in one invocation:

1. Previews per second over the task library (shared/reference/mechanic-tasks/tasks, 300
   exports), each previewed in one process with ``fill_required``: total seconds, mean per task
   and the slowest 5 tasks, for a cold pass (templates parsed) and a warm pass (parse cache hit).
   Goal: the whole library in under 5 s.
2. When ``ruby`` with Debian's ``ruby-liquid`` (Liquid 5.4) is installed, the render-time ratio
   Hub / Ruby Liquid on the golden templates (shared/conformance/ruby-liquid-5.4/golden.jsonl)
   and on a large loop template (100,000 iterations of assigns and filters). Both sides are
   timed the same way: inside the runtime (a monotonic clock around the render loop, so process
   start-up is excluded), parse excluded (each template is parsed before timing; Hub's
   ``render_text`` then finds it in its parse cache, as a run does), the same warm-up renders
   (``GOLDEN_WARMUP``, ``LOOP_WARMUP``) and the same number of timed renders. A Hub render
   includes making the run's ``RenderSettings`` (its limits meter), as every run does; a Ruby
   render makes its ``Liquid::Context``. Goal: ratio at most 1.0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TASKS_DIR = SHARED / "reference" / "mechanic-tasks" / "tasks"
GOLDEN = SHARED / "conformance" / "ruby-liquid-5.4" / "golden.jsonl"
NOW = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)

# 1000 × 100 iterations; every iteration assigns through filters, one in 50 appends to a string.
LOOP_TEMPLATE = """{%- assign total = 0 -%}{%- assign names = "" -%}
{%- for i in (1..1000) -%}
  {%- for j in (1..100) -%}
    {%- assign x = i | times: j | plus: 1 -%}
    {%- assign total = total | plus: x | modulo: 1000003 -%}
    {%- if j == 50 -%}{%- assign names = names | append: "n" | append: i -%}{%- endif -%}
  {%- endfor -%}
{%- endfor -%}
{{ total }} {{ names | size }} {{ items | map: "name" | join: "," | upcase }}"""
LOOP_CONTEXT = {"items": [{"name": f"item{n}"} for n in range(20)]}
GOLDEN_WARMUP = 3
LOOP_WARMUP = 1
"""Untimed renders of each template before the timed ones, the same on both sides."""

RUBY_SCRIPT = r"""
require "json"
require "liquid"
cases = JSON.parse(File.read(ARGV[0]))
rounds = ARGV[1].to_i
warmup = ARGV[2].to_i
results = cases.map do |c|
  begin
    t = Liquid::Template.parse(c["template"], error_mode: :lax)
  rescue StandardError
    next { "id" => c["id"], "seconds" => nil, "output" => nil }
  end
  output = t.render(c["context"])
  (warmup - 1).times { t.render(c["context"]) }
  start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  rounds.times { t.render(c["context"]) }
  seconds = Process.clock_gettime(Process::CLOCK_MONOTONIC) - start
  { "id" => c["id"], "seconds" => seconds, "output" => output }
end
puts JSON.generate({ "version" => Liquid::VERSION, "results" => results })
"""


def setup_django() -> None:
    """Configure Django so the dialect and preview modules import (no database is touched)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    logging.disable(logging.INFO)  # legacy-lookup notices of library tasks


def bench_library() -> None:
    """Preview every library task twice (cold, then warm parse cache) and print the figures."""
    from tasks_app.preview import preview_task_definition

    tasks = [(path.stem, json.loads(path.read_text())) for path in sorted(TASKS_DIR.glob("*.json"))]
    for label in ("cold", "warm"):
        timings = []
        previews = 0
        start = time.perf_counter()
        for name, task in tasks:
            t0 = time.perf_counter()
            previews += len(preview_task_definition(task, fill_required=True, now=NOW))
            timings.append((time.perf_counter() - t0, name))
        total = time.perf_counter() - start
        print(
            f"library ({label}): {len(tasks)} tasks, {previews} previews in {total:.2f} s = "
            f"{previews / total:.0f} previews/s; mean {1000 * total / len(tasks):.2f} ms per task"
            f" (goal: library < 5 s)"
        )
        if label == "cold":
            for seconds, name in sorted(timings, reverse=True)[:5]:
                print(f"    slowest: {1000 * seconds:8.2f} ms  {name}")


def hub_times(cases: list[dict], rounds: int, warmup: int = 1) -> dict[str, tuple[float | None, str | None]]:
    """``{id: (seconds for rounds renders, first output)}``; None for templates Hub rejects."""
    from tasks_app.liquid import LiquidError, RenderSettings, render_text
    from tasks_app.liquid import parse as parse_template

    out: dict[str, tuple[float | None, str | None]] = {}
    for case in cases:
        try:
            parse_template(case["template"])
        except LiquidError:
            out[case["id"]] = (None, None)
            continue

        def render(case=case) -> str | None:
            try:
                return render_text(case["template"], case["context"], RenderSettings(now=NOW))
            except LiquidError:
                return None

        output = render()
        for _ in range(warmup - 1):
            render()
        start = time.perf_counter()
        for _ in range(rounds):
            render()
        out[case["id"]] = (time.perf_counter() - start, output)
    return out


def ruby_times(
    cases: list[dict], rounds: int, warmup: int = 1
) -> dict[str, tuple[float | None, str | None]] | None:
    """The same figures from Ruby Liquid, or None when ``ruby``/``liquid`` are missing."""
    ruby = shutil.which("ruby")
    if ruby is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script, data = Path(tmp) / "bench.rb", Path(tmp) / "cases.json"
        script.write_text(RUBY_SCRIPT)
        data.write_text(json.dumps(cases))
        proc = subprocess.run(  # noqa: S603  (a fixed argument list, no shell)
            [ruby, str(script), str(data), str(rounds), str(warmup)],
            capture_output=True,
            text=True,
            env=dict(os.environ, TZ="UTC"),
            check=False,
        )
    if proc.returncode != 0:
        print(f"ruby liquid unavailable: {proc.stderr.strip().splitlines()[-1:]}")
        return None
    report = json.loads(proc.stdout)
    print(f"ruby liquid {report['version']}")
    return {r["id"]: (r["seconds"], r["output"]) for r in report["results"]}


def compare(label: str, cases: list[dict], rounds: int, warmup: int) -> None:
    """Print Hub and Ruby render seconds over the cases both accept, and their ratio."""
    ruby = ruby_times(cases, rounds, warmup)
    hub = hub_times(cases, rounds, warmup)
    if ruby is None:
        print(f"{label}: Hub {sum(s for s, _ in hub.values() if s):.3f} s (no Ruby to compare)")
        return
    both = [cid for cid in hub if hub[cid][0] is not None and ruby.get(cid, (None,))[0] is not None]
    hub_s = sum(hub[cid][0] for cid in both)
    ruby_s = sum(ruby[cid][0] for cid in both)
    same = sum(hub[cid][1] == ruby[cid][1] for cid in both)
    print(
        f"{label}: {len(both)} templates × {rounds} renders: Hub {hub_s:.3f} s, Ruby {ruby_s:.3f} s, "
        f"ratio Hub/Ruby {hub_s / ruby_s:.2f} (goal ≤ 1.0); same output on {same}/{len(both)}"
    )
    print(
        f"    (timed inside each runtime; parse excluded on both sides; {warmup} warm-up "
        f"render(s), then {rounds} timed renders per template, on both sides)"
    )
    if len(both) > 1:
        worst = sorted(both, key=lambda cid: hub[cid][0] / max(ruby[cid][0], 1e-9), reverse=True)[:5]
        for cid in worst:
            print(f"    worst ratio: {hub[cid][0] / max(ruby[cid][0], 1e-9):6.2f}  {cid}")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50, help="renders per golden template (default 50)")
    parser.add_argument("--loop-rounds", type=int, default=3, help="renders of the loop template (default 3)")
    parser.add_argument("--no-ruby", action="store_true", help="skip the Ruby comparison")
    parser.add_argument("--no-library", action="store_true", help="skip the library previews")
    args = parser.parse_args()
    setup_django()
    if not args.no_library:
        bench_library()
    if args.no_ruby:
        return
    golden = [json.loads(line) for line in GOLDEN.read_text().splitlines() if line.strip()]
    cases = [{k: c[k] for k in ("id", "template", "context")} for c in golden]
    compare("golden", cases, args.rounds, GOLDEN_WARMUP)
    loop = [{"id": "loop-100k", "template": LOOP_TEMPLATE, "context": LOOP_CONTEXT}]
    compare("loop 100k", loop, args.loop_rounds, LOOP_WARMUP)


if __name__ == "__main__":
    main()
