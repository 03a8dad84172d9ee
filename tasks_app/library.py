"""The task library: a folder of task exports to browse, read, preview and install
(spec/platform.md §9.3; ``HUB_TASK_LIBRARY_DIR``).

Each ``*.json`` file holding one task export is an entry, named by its file's stem (the slug).
Files that do not parse or hold no task object are skipped (and logged). The folder is read again
whenever a file in it changed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger("tasks_app.library")


@dataclass(frozen=True)
class LibraryTask:
    """One library entry: its slug (file stem), the export object, and what search looks at."""

    slug: str
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data.get("name") or self.slug)

    @property
    def tags(self) -> list[str]:
        return [str(tag) for tag in self.data.get("tags") or []]

    @property
    def topics(self) -> list[str]:
        return [str(line) for line in self.data.get("subscriptions") or []]

    @property
    def docs(self) -> str:
        return str(self.data.get("docs") or "")

    def matches(self, query: str) -> bool:
        """Whether every word of ``query`` is in the name, a tag or a subscription (any case)."""
        haystack = " ".join([self.name, *self.tags, *self.topics]).lower()
        return all(word in haystack for word in query.lower().split())


def library_dir() -> Path | None:
    """``HUB_TASK_LIBRARY_DIR`` when it names a folder, else None (no library)."""
    configured = (settings.HUB_TASK_LIBRARY_DIR or "").strip()
    folder = Path(configured) if configured else None
    return folder if folder is not None and folder.is_dir() else None


def _stamp(folder: Path) -> tuple[int, float]:
    files = list(folder.glob("*.json"))
    return len(files), max((file.stat().st_mtime for file in files), default=0.0)


@lru_cache(maxsize=4)
def _load(folder: str, stamp: tuple[int, float]) -> tuple[LibraryTask, ...]:
    entries = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            logger.warning("library file %s skipped: %s", path.name, exc)
            continue
        if isinstance(data, dict) and isinstance(data.get("script"), str):
            entries.append(LibraryTask(path.stem, data))
    return tuple(sorted(entries, key=lambda entry: entry.name.lower()))


def entries(query: str = "") -> list[LibraryTask]:
    """The library's tasks by name, those matching ``query`` (name, tag, topic words) when given."""
    folder = library_dir()
    if folder is None:
        return []
    found = _load(str(folder), _stamp(folder))
    return [entry for entry in found if not query.strip() or entry.matches(query)]


def entry(slug: str) -> LibraryTask | None:
    """The library task of file ``<slug>.json``, or None."""
    return next((item for item in entries() if item.slug == slug), None)
