"""The implicit ``plaintext`` generator: a string becomes a UTF-8 file as is (spec/actions.md §16.4)."""

import mimetypes
from typing import Any

from tasks_app.files.errors import FileGeneratorError


def guess_mime_type(name: str, fallback: str) -> str:
    """The media type guessed from the file name's extension, else ``fallback``."""
    return mimetypes.guess_type(name, strict=False)[0] or fallback


def validate(options: Any, path: tuple[str, ...]) -> None:
    """The content must be a string (the map shape already guarantees it)."""
    if not isinstance(options, str):
        raise FileGeneratorError(path, "plaintext content must be a string")


def generate(name: str, options: str, *, shop: Any, path: tuple[str, ...]):
    """The string encoded as UTF-8, typed by its name (``text/plain`` when unknown)."""
    from tasks_app.files import GeneratedFile

    return GeneratedFile(name, options.encode("utf-8"), guess_mime_type(name, "text/plain"))
