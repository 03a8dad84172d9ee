"""Every script of the Mechanic task library parses with Hub's environment (spec/liquid.md §7.3, §8)."""

import json
from pathlib import Path

import pytest

from tasks_app.liquid.api import parse

TASKS = sorted(
    (Path(__file__).resolve().parents[3] / "shared" / "reference" / "mechanic-tasks" / "tasks").glob("*.json")
)


def test_the_library_is_there():
    assert len(TASKS) == 300


@pytest.mark.parametrize("path", TASKS, ids=[path.stem for path in TASKS])
def test_library_script_parses(path):
    parse(json.loads(path.read_text())["script"])
