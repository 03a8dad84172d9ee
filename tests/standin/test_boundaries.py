"""The stand-in stays a development and test tool: production code never imports it, installing
the app loads none of it, and its own modules import one another one way, without a cycle.

Both read the source with ``ast``, so imports inside functions count as much as those at the top.
"""

from pathlib import Path

import pytest

from tests.imports import find_cycle, import_graph, imports

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_PACKAGES = ("hub", "events", "tasks_app", "integrations")
STANDIN = "standin"


def standin_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``"<file>:<line>: imports <module>"`` for every import of the stand-in in ``path``."""
    return [
        f"{path.relative_to(root)}:{line}: imports {target}"
        for line, target, _names in imports(path, root)
        if target == STANDIN or target.startswith(STANDIN + ".")
    ]


@pytest.mark.parametrize("package", PRODUCTION_PACKAGES)
def test_production_code_never_imports_the_standin(package):
    violations = [
        violation for path in sorted((ROOT / package).rglob("*.py")) for violation in standin_imports(path)
    ]

    assert not violations, "production code imports the Shopify stand-in:\n" + "\n".join(violations)


def test_the_standins_modules_import_each_other_without_a_cycle():
    cycle = find_cycle(import_graph(STANDIN))

    assert cycle is None, "import cycle in the stand-in: " + " -> ".join(cycle or ())


def test_installing_the_app_loads_none_of_the_standins_modules():
    # Django imports an installed app's package and its apps.py in every Hub process.
    graph = import_graph(STANDIN)

    assert graph["standin"] == set()
    assert graph["standin.apps"] == set()


def test_the_standins_import_graph_sees_its_imports():
    graph = import_graph(STANDIN)

    assert "standin.registry" in graph["standin.graphql_api"]
    assert {"standin.bulk", "standin.records", "standin.resources"} <= graph["standin.graphql_api"]
    assert graph["standin.registry"] == {"standin.store"}


@pytest.mark.parametrize(
    "source",
    [
        "import standin",
        "import standin.store as store",
        "from standin import Store",
        "from standin.webhooks import sign",
        "def serve():\n    from standin.server import StandinServer\n",
        "import importlib\nimportlib.import_module('standin.server')",
    ],
)
def test_every_form_of_importing_the_standin_is_found(tmp_path, source):
    (tmp_path / "app").mkdir()
    path = tmp_path / "app" / "views.py"
    path.write_text(source)

    assert len(standin_imports(path, tmp_path)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "import standing",
        "from tests.standin import standin_helpers",
        "from . import standin",
        "INSTALLED_APPS = ['standin']",
    ],
)
def test_names_that_only_look_like_the_standin_are_not_imports_of_it(tmp_path, source):
    (tmp_path / "app").mkdir()
    path = tmp_path / "app" / "views.py"
    path.write_text(source)

    assert standin_imports(path, tmp_path) == []


def test_a_cycle_through_relative_and_function_level_imports_is_named(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.a import run\n")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("from .c import helper\n")
    (package / "c.py").write_text("def helper():\n    import pkg.a\n")

    graph = import_graph("pkg", tmp_path)

    assert graph == {"pkg": {"pkg.a"}, "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": {"pkg.a"}}
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
