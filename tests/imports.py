"""Reading a project's imports with ``ast``, for the tests that hold its architecture: which modules
import which (inside functions too, and ``import_module("...")``), which apps a model points at,
and cycles in the result."""

import ast
from collections.abc import Iterator
from pathlib import Path

# Calls that import a module named by a string (``importlib.import_module("standin.store")``).
DYNAMIC_IMPORTS = ("import_module", "__import__")
# The project root (the folder holding manage.py).
ROOT = Path(__file__).resolve().parents[1]
# Model fields that point at another model, named as "app_label.Model".
RELATION_FIELDS = ("ForeignKey", "OneToOneField", "ManyToManyField")


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


def model_references(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, app label)`` for every relation field in ``path`` that names its model as
    ``"app_label.Model"`` (``models.ForeignKey("tasks_app.Task", ...)``); a migration or a model
    pointing at another app depends on it as surely as an import does."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        target = node.args[0].value
        if name in RELATION_FIELDS and isinstance(target, str) and "." in target:
            yield node.lineno, target.split(".", 1)[0]
