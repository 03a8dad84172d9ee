"""The stand-in stays a development and test tool: production code never imports it, installing
the app loads none of it, and its own modules import one another one way, without a cycle.

Both read the source with ``ast``, so imports inside functions count as much as those at the top.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_PACKAGES = ("hub", "events", "tasks_app", "integrations")
STANDIN = "standin"
# Calls that import a module named by a string (``importlib.import_module("standin.store")``).
DYNAMIC_IMPORTS = ("import_module", "__import__")


def module_name(path: Path, root: Path) -> str:
    """The dotted module name of ``path`` under ``root`` (a package's ``__init__.py`` is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module a ``from ... import`` names, with relative imports resolved against ``module``."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _dynamic_target(node: ast.Call) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name in DYNAMIC_IMPORTS and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value
        return value if isinstance(value, str) else None
    return None


def imports(path: Path, root: Path) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """Every import in the file at ``path``: ``(line, absolute module, names imported from it)``.

    ``import a.b`` gives ``("a.b", ())``; ``from .b import c`` in package ``a`` gives
    ``("a.b", ("c",))``; ``import_module("a.b")`` gives ``("a.b", ())``.
    """
    module = module_name(path, root)
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            yield node.lineno, _absolute(node, module, is_package), names
        elif isinstance(node, ast.Call) and (target := _dynamic_target(node)) is not None:
            yield node.lineno, target, ()


def standin_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``"<file>:<line>: imports <module>"`` for every import of the stand-in in ``path``."""
    return [
        f"{path.relative_to(root)}:{line}: imports {target}"
        for line, target, _names in imports(path, root)
        if target == STANDIN or target.startswith(STANDIN + ".")
    ]


def import_graph(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Which of ``package``'s modules each of its modules imports (its own modules only).

    ``from p import m`` points at module ``p.m`` when there is one, else at ``p`` itself. A
    submodule's implicit import of its parent package does not count: Python allows it.
    """
    paths = {module_name(path, root): path for path in (root / package).rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        for _line, target, names in imports(path, root):
            submodules = {f"{target}.{item}" for item in names} & paths.keys()
            targets = submodules or ({target} & paths.keys())
            graph[name] |= targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, ..., a]``, or None when it has none."""
    finished: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in finished:
            return None
        path.append(node)
        for target in sorted(graph.get(node, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        finished.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle:
            return cycle
    return None


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
