"""The ``base64`` generator: a file from base64 text (spec/actions.md §16.2).

Whitespace is ignored and the URL-safe alphabet accepted (decision); missing
padding is tolerated because inbound email attachments sometimes lack it.
"""

import binascii
import re
from base64 import b64decode
from typing import Any

from tasks_app.files.errors import FileGeneratorError
from tasks_app.files.plaintext import guess_mime_type

WHITESPACE_RE = re.compile(r"\s+")
BASE64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def validate(options: Any, path: tuple[str, ...]) -> None:
    """The options are one base64 string."""
    if not isinstance(options, str):
        raise FileGeneratorError(path, "the base64 generator takes a base64 string")


def decode(text: str, path: tuple[str, ...]) -> bytes:
    """The decoded bytes; raises ``FileGeneratorError`` for text that is not base64."""
    compact = WHITESPACE_RE.sub("", text).replace("-", "+").replace("_", "/")
    compact = compact.rstrip("=")
    if len(compact) % 4 == 1 or not BASE64_RE.fullmatch(compact):
        raise FileGeneratorError(path, "the base64 generator's value is not valid base64")
    try:
        return b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise FileGeneratorError(path, "the base64 generator's value is not valid base64") from None


def generate(name: str, options: str, *, shop: Any, path: tuple[str, ...]):
    """The decoded bytes, typed by the file name (``application/octet-stream`` when unknown)."""
    from tasks_app.files import GeneratedFile

    return GeneratedFile(name, decode(options, path), guess_mime_type(name, "application/octet-stream"))
