"""README's settings table names every ``HUB_`` environment variable the project reads, and no other.

Reads are found in Python by their shape (``os.environ.get("HUB_X")``, ``os.environ["HUB_X"]``,
``os.getenv("HUB_X")`` and the ``env_*`` helpers of ``hub/settings.py``) and in the shell scripts
(``bin/``, ``.ci/run``, ``Makefile``) by ``$HUB_X`` / ``${HUB_X...}``.
"""

import ast
import functools
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", ".git", "node_modules", "migrations", "var"}
SHELL_FILES = ["Makefile", ".ci/run", *[f"bin/{p.name}" for p in (ROOT / "bin").iterdir()]]
VARIABLE = re.compile(r"HUB_[A-Z0-9_]+")
SHELL_READ = re.compile(r"\$\{?(HUB_[A-Z0-9_]+)")
ENV_READERS = {"getenv", "env_bool", "env_int", "env_float", "env_list"}


def python_files() -> list[Path]:
    """Every ``.py`` file of the project, without descending into the skipped folders."""
    found = []
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_DIRS]
        found += [Path(folder, name) for name in names if name.endswith(".py")]
    return found


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _read_name(node: ast.AST) -> str | None:
    """The HUB_ variable an AST node reads from the environment, or None."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        reads = (isinstance(func, ast.Name) and func.id in ENV_READERS) or (
            isinstance(func, ast.Attribute)
            and (func.attr in ENV_READERS or (func.attr in {"get", "pop"} and _is_environ(func.value)))
        )
        name = node.args[0].value
    elif isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.slice, ast.Constant):
        reads, name = True, node.slice.value
    else:
        return None
    return name if reads and isinstance(name, str) and VARIABLE.fullmatch(name) else None


@functools.cache
def variables_read() -> dict[str, str]:
    """``{variable: "path:line"}`` of the first place each HUB_ variable is read."""
    found: dict[str, str] = {}
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            name = _read_name(node)
            if name:
                found.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
    for relative in SHELL_FILES:
        for number, line in enumerate((ROOT / relative).read_text().splitlines(), start=1):
            for name in SHELL_READ.findall(line):
                found.setdefault(name, f"{relative}:{number}")
    return found


def readme_table_variables() -> set[str]:
    """Variables named in the first column of README's "Settings" table."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in VARIABLE.findall(row.split("|")[1])}


def test_the_scan_finds_reads_of_every_shape():
    source = (
        "import os\nfrom os import environ\n"
        "a = os.environ.get('HUB_A', '')\nb = os.environ['HUB_B']\nc = os.getenv('HUB_C')\n"
        "d = env_int('HUB_D', 1)\ne = environ.get('HUB_E')\nf = settings.HUB_F\ng = getattr(s, 'HUB_G', 1)\n"
    )
    names = {_read_name(node) for node in ast.walk(ast.parse(source))} - {None}
    assert names == {"HUB_A", "HUB_B", "HUB_C", "HUB_D", "HUB_E"}
    assert SHELL_READ.findall('PORT="${HUB_PORT:-8000}" && echo $HUB_STANDIN_PORT HUB_NOT_READ') == [
        "HUB_PORT",
        "HUB_STANDIN_PORT",
    ]


def test_every_variable_read_is_in_the_readme_settings_table():
    documented = readme_table_variables()
    missing = {name: where for name, where in variables_read().items() if name not in documented}
    assert missing == {}, f"add these to README's Settings table: {missing}"


def test_the_readme_settings_table_names_no_variable_that_nothing_reads():
    assert readme_table_variables() - set(variables_read()) == set()
