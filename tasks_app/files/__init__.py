"""File generators: build file contents from task-supplied specs (spec/actions.md §16).

A *file map* is ``{filename: generator}``; a generator is a string (implicit
plaintext) or an object with exactly one key naming the generator type
(``base64``, ``pdf``, ``url``, ``zip``). Used by the ``email``
(attachments), ``files``, ``ftp`` (uploads), ``http`` (multipart files) and
``google_drive`` (uploads) actions.

Public API:

- ``validate_file_map(spec)``: check the shape without generating anything
  (for an action's ``validate``); raises ``FileGeneratorError``.
- ``generate_files(spec, *, shop) -> list[GeneratedFile]``: generate every file
  in map order. Raises ``FileGeneratorError`` (permanent) or
  ``FileFetchError`` (transient: ``url`` network failures and 5xx responses).
- ``GeneratedFile(name, content, mime_type)``.
- ``MAX_FILE_BYTES``: 20 MB, applied to every file at every nesting level.
"""

from dataclasses import dataclass
from typing import Any

from hub.jsonkind import json_kind as _kind
from tasks_app.files.errors import MAX_FILE_BYTES, FileFetchError, FileGeneratorError

__all__ = [
    "MAX_FILE_BYTES",
    "FileFetchError",
    "FileGeneratorError",
    "GeneratedFile",
    "generate_file",
    "generate_files",
    "validate_file_map",
]


@dataclass(frozen=True)
class GeneratedFile:
    """One generated file: its name from the file map, its bytes and its media type."""

    name: str
    content: bytes
    mime_type: str

    @property
    def size(self) -> int:
        """The content length in bytes."""
        return len(self.content)


def generator_of(value: Any, path: tuple[str, ...]) -> tuple[str, Any]:
    """``(type, options)`` of one file map value; raises ``FileGeneratorError`` for a bad shape."""
    from tasks_app.files.registry import GENERATORS

    if isinstance(value, str):
        return "plaintext", value
    if not isinstance(value, dict):
        raise FileGeneratorError(
            path, f"a file generator is a string or an object with one generator key, got {_kind(value)}"
        )
    if len(value) != 1:
        keys = ", ".join(f'"{key}"' for key in value) or "none"
        raise FileGeneratorError(path, f"a file generator object has exactly one key, got {keys}")
    ((kind, options),) = value.items()
    if kind == "plaintext":
        raise FileGeneratorError(path, "the plaintext generator is implicit: give the content as a string")
    if kind not in GENERATORS:
        raise FileGeneratorError(
            path, f'unknown file generator "{kind}" (expected one of {", ".join(sorted(GENERATORS))})'
        )
    return kind, options


def validate_file_map(spec: Any, path: tuple[str, ...] = ()) -> None:
    """Check a file map and every generator in it, recursively; generates nothing.

    Raises ``FileGeneratorError`` naming the file (``file "a.zip" > "b.pdf": ...``).
    """
    from tasks_app.files.registry import GENERATORS

    if not isinstance(spec, dict):
        raise FileGeneratorError(path, f"must be an object of filename → file generator, got {_kind(spec)}")
    for name, value in spec.items():
        if not name.strip():
            raise FileGeneratorError(path, "file names must not be blank")
        kind, options = generator_of(value, (*path, name))
        GENERATORS[kind].validate(options, (*path, name))


def generate_file(name: str, value: Any, *, shop: Any = None, path: tuple[str, ...] = ()) -> GeneratedFile:
    """Generate one file of a file map; enforces the 20 MB limit on the result."""
    from tasks_app.files.registry import GENERATORS

    where = (*path, name)
    kind, options = generator_of(value, where)
    module = GENERATORS[kind]
    module.validate(options, where)
    generated = module.generate(name, options, shop=shop, path=where)
    if generated.size > MAX_FILE_BYTES:
        raise FileGeneratorError(
            where,
            f"the generated file is {generated.size} bytes; the limit is {MAX_FILE_BYTES} bytes (20 MB)",
        )
    return generated


def generate_files(spec: dict, *, shop: Any = None, path: tuple[str, ...] = ()) -> list[GeneratedFile]:
    """Generate every file of the file map ``spec``, in order (spec/actions.md §16.1).

    ``shop`` is the shop the files are made for (unused by the current
    generators; kept so that later ones can read shop settings). Returns one
    ``GeneratedFile`` per key; raises ``FileGeneratorError`` (permanent) or
    ``FileFetchError`` (transient) for the first file that fails.
    """
    validate_file_map(spec, path)
    return [generate_file(name, value, shop=shop, path=path) for name, value in spec.items()]
