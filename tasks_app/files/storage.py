"""Where the ``files`` action keeps generated files until they expire (spec/actions.md §5).

Each file lives under a random, unguessable token in Django storage rooted at
``HUB_FILES_ROOT``: ``<token>/content`` holds the bytes and ``<token>/meta.json``
the name, media type, size, expiry and shop. ``GET /files/<token>/<name>``
(``tasks_app.files.views``) serves it until ``expires_at``; ``purge_expired``
deletes what has expired and is meant for a periodic schedule.
"""

import contextlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.utils import timezone

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class StoredFile:
    """A stored generated file: what the ``files`` action reports and the view serves."""

    token: str
    name: str
    mime_type: str
    size: int
    expires_at: datetime

    @property
    def url(self) -> str:
        """The download URL under ``HUB_FILES_BASE_URL``."""
        return f"{settings.HUB_FILES_BASE_URL.rstrip('/')}/{self.token}/{quote(self.name, safe='')}"


def storage() -> Storage:
    """The storage generated files are written to (a directory on disk by default)."""
    return FileSystemStorage(location=settings.HUB_FILES_ROOT)


def iso8601(moment: datetime) -> str:
    """``2026-05-01T12:00:00Z``: UTC, whole seconds."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_iso8601(text: str) -> datetime:
    """The aware datetime of an ``iso8601`` string."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def store(name: str, content: bytes, mime_type: str, *, shop=None, ttl_s: int | None = None) -> StoredFile:
    """Write one file under a fresh token; it expires after ``ttl_s`` seconds (``HUB_FILES_TTL``)."""
    ttl_s = settings.HUB_FILES_TTL if ttl_s is None else ttl_s
    token = secrets.token_urlsafe(32)
    expires_at = (timezone.now() + timedelta(seconds=ttl_s)).replace(microsecond=0)
    meta = {
        "name": name,
        "mime_type": mime_type,
        "size": len(content),
        "expires_at": iso8601(expires_at),
        "shop": getattr(shop, "myshopify_domain", None),
    }
    target = storage()
    target.save(f"{token}/content", ContentFile(content))
    target.save(f"{token}/meta.json", ContentFile(json.dumps(meta).encode()))
    return StoredFile(token=token, name=name, mime_type=mime_type, size=len(content), expires_at=expires_at)


def find(token: str, name: str | None = None) -> StoredFile | None:
    """The live stored file for ``token`` (and ``name``, when given); None if unknown or expired."""
    if not TOKEN_RE.fullmatch(token):
        return None
    source = storage()
    try:
        with source.open(f"{token}/meta.json") as handle:
            meta = json.loads(handle.read())
    except (FileNotFoundError, ValueError):
        return None
    expires_at = parse_iso8601(meta["expires_at"])
    if expires_at <= timezone.now() or (name is not None and name != meta["name"]):
        return None
    return StoredFile(token, meta["name"], meta["mime_type"], meta["size"], expires_at)


def open_content(stored: StoredFile):
    """A binary file object with the stored bytes (the caller closes it)."""
    return storage().open(f"{stored.token}/content", "rb")


def purge_expired() -> int:
    """Delete every expired (or unreadable) stored file; returns how many were removed."""
    source = storage()
    try:
        tokens, _files = source.listdir("")
    except FileNotFoundError:
        return 0
    removed = 0
    now = timezone.now()
    for token in tokens:
        try:
            with source.open(f"{token}/meta.json") as handle:
                expires_at = parse_iso8601(json.loads(handle.read())["expires_at"])
        except (FileNotFoundError, ValueError, KeyError):
            expires_at = now
        if expires_at <= now:
            for part in ("content", "meta.json"):
                if source.exists(f"{token}/{part}"):
                    source.delete(f"{token}/{part}")
            if isinstance(source, FileSystemStorage):
                with contextlib.suppress(OSError):
                    os.rmdir(source.path(token))
            removed += 1
    return removed
