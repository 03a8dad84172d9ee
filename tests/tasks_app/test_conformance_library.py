"""The Mechanic task library previews cleanly (spec/platform.md §7.6, spec/liquid.md §1).

One test per export in shared/reference/mechanic-tasks/tasks, previewed with empty required
options filled and, where the task's own validation or test mode stops it, other option values
explored (``preview_task_definition(explore=True)``). A task passes when every preview event is
ok (no exception, no error object, valid actions) and its previews produce at least one action.
Tasks known not to pass are listed with a reason in library_expected_failures.json; the test is
strict both ways. ``--update`` keeps the hand-written reason of a task that still fails.

Summary and list refresh (run from the project root)::

    .venv/bin/python -m tests.tasks_app.test_conformance_library            # print the count
    .venv/bin/python -m tests.tasks_app.test_conformance_library --update   # rewrite the list
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import TASKS_DIR

EXPECTED_FILE = Path(__file__).resolve().parent / "library_expected_failures.json"
LIBRARY = sorted(TASKS_DIR.glob("*.json"))


def expected_failures() -> dict[str, str]:
    """``{file stem: reason}`` of library tasks known not to pass."""
    return json.loads(EXPECTED_FILE.read_text()) if EXPECTED_FILE.exists() else {}


def library_verdict(path: Path) -> str | None:
    """None when the task passes, else a one-line reason naming the first failing topic."""
    from tasks_app.preview import preview_task_definition

    task = json.loads(path.read_text())
    results = preview_task_definition(task, explore=True)
    for result in results:
        if result.ok:
            continue
        if result.exception:
            reason = result.exception
        elif result.errors:
            reason = "error object: " + json.dumps(result.errors[0], ensure_ascii=False)
        else:
            reason = result.problems[0]
        return _one_line(f"{result.topic or '(task)'}: {reason}")
    if not any(result.actions for result in results):
        return "no action in any preview"
    return None


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_kind(reason: str) -> str:
    """A reason without its topic, source positions and excerpts, for counting failure kinds."""
    kind = re.sub(r"^(\S+/\S+|\(task\)): ", "", reason)
    kind = re.sub(r"error object: .*", "error object", kind)
    kind = re.sub(r"\s*\(line \d+, column \d+\)|\bline \d+:\s*|\s*(at|offset) \d+.*", "", kind)
    return kind.strip()[:80]


@pytest.mark.parametrize("path", LIBRARY, ids=[path.stem for path in LIBRARY])
def test_library_task_previews(path):
    reason = library_verdict(path)
    listed = expected_failures().get(path.stem)
    if listed is not None:
        assert reason is not None, (
            f"{path.stem} now passes: remove it from {EXPECTED_FILE.name} (listed as: {listed})"
        )
        return
    assert reason is None, f"{path.stem} fails: {reason} (fix it, or list it in {EXPECTED_FILE.name})"


def test_expected_failures_name_library_tasks():
    stems = {path.stem for path in LIBRARY}
    assert sorted(set(expected_failures()) - stems) == []


def main(argv: list[str]) -> int:
    """Print the pass count and the main failure kinds; ``--update`` rewrites the list."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    django.setup()
    failures = {path.stem: reason for path in LIBRARY if (reason := library_verdict(path))}
    passed = len(LIBRARY) - len(failures)
    print(f"{passed}/{len(LIBRARY)} library tasks pass")
    for kind, count in Counter(failure_kind(reason) for reason in failures.values()).most_common(15):
        print(f"  {count:4d}  {kind}")
    if "--update" in argv:
        listed = expected_failures()
        entries = {stem: listed.get(stem, reason) for stem, reason in sorted(failures.items())}
        EXPECTED_FILE.write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {len(failures)} entries to {EXPECTED_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
