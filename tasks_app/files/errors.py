"""Errors and limits shared by the file generators (spec/actions.md §16.1)."""

from tasks_app.action_errors import PermanentActionError, TransientActionError

MAX_FILE_BYTES = 20 * 1024 * 1024


def label(path: tuple[str, ...]) -> str:
    """``file "a.zip" > "b.pdf"`` for the nesting path of a file; "" for the map itself."""
    return "file " + " > ".join(f'"{name}"' for name in path) if path else ""


def _message(path: tuple[str, ...], message: str) -> str:
    where = label(path)
    return f"{where}: {message}" if where else message


class FileGeneratorError(PermanentActionError):
    """A file cannot be generated and retrying will not help (bad options, renderer crash, size).

    ``path`` is the file's nesting path (outermost first); the message starts with it.
    """

    def __init__(self, path: tuple[str, ...], message: str) -> None:
        self.path = path
        self.detail = message
        super().__init__(_message(path, message))


class FileFetchError(TransientActionError):
    """A ``url`` generator download failed in a way a retry may fix (network error, 5xx)."""

    def __init__(self, path: tuple[str, ...], message: str) -> None:
        self.path = path
        self.detail = message
        super().__init__(_message(path, message))
