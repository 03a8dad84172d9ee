"""Hub's apps depend on one another one way (docs/architecture.md, "Which way dependencies point"):

    api → runs → tasks_app → events → integrations → hub

Each app may import only the apps to its right, and its models may point only at theirs; the
stand-in (``standin``) stands beside them and imports none of them. Imports are read from the
source with ``ast``, so imports inside functions and under ``TYPE_CHECKING`` count too;
migrations are left out (a migration that moves a model between apps must name both).
"""

from pathlib import Path

import pytest

from tests.imports import ROOT, find_cycle, imports, model_references

ORDER = ("api", "runs", "tasks_app", "events", "integrations", "hub")
ALLOWED = {app: set(ORDER[position + 1 :]) for position, app in enumerate(ORDER)} | {"standin": set()}
APPS = tuple(ALLOWED)


def app_of(module: str) -> str | None:
    """The project app a dotted module name belongs to, or None (the standard library, packages)."""
    top = module.split(".", 1)[0]
    return top if top in ALLOWED else None


def source_files(app: str, root: Path = ROOT) -> list[Path]:
    return sorted(path for path in (root / app).rglob("*.py") if "migrations" not in path.parts)


def dependencies(app: str, root: Path = ROOT) -> list[tuple[str, str]]:
    """``(where, other app)`` for every import of, or model reference to, another project app."""
    found = []
    for path in source_files(app, root):
        where = str(path.relative_to(root))
        for line, module, _names in imports(path, root):
            other = app_of(module)
            if other and other != app:
                found.append((f"{where}:{line}: imports {module}", other))
        for line, label in model_references(path):
            if label in ALLOWED and label != app:
                found.append((f"{where}:{line}: model points at {label}", label))
    return found


@pytest.mark.parametrize("app", APPS)
def test_each_app_depends_only_on_the_apps_below_it(app):
    wrong = [where for where, other in dependencies(app) if other not in ALLOWED[app]]

    assert wrong == [], f"{app} may depend only on {sorted(ALLOWED[app]) or 'nothing'}:\n" + "\n".join(wrong)


def test_the_apps_depend_on_one_another_without_a_cycle():
    graph = {app: {other for _where, other in dependencies(app)} for app in APPS}

    assert find_cycle(graph) is None
    assert graph["runs"] >= {"tasks_app", "events"}, "the scan must see the engine's real imports"


def test_imports_in_functions_type_checking_blocks_and_model_strings_all_count(tmp_path):
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "models.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from runs.models import TaskRun\n"
        "def ingest():\n    from tasks_app import dispatch\n"
        "origin = models.ForeignKey('tasks_app.Task', on_delete=models.CASCADE)\n"
        "shop = models.ForeignKey('integrations.Shop', on_delete=models.CASCADE)\n"
    )

    found = dependencies("events", tmp_path)

    assert found == [
        ("events/models.py:3: imports runs.models", "runs"),
        ("events/models.py:5: imports tasks_app", "tasks_app"),
        ("events/models.py:6: model points at tasks_app", "tasks_app"),
        ("events/models.py:7: model points at integrations", "integrations"),
    ]
    assert [where for where, other in found if other not in ALLOWED["events"]] == [
        "events/models.py:3: imports runs.models",
        "events/models.py:5: imports tasks_app",
        "events/models.py:6: model points at tasks_app",
    ]
