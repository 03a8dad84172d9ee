"""The local side of hub-cli (spec/platform.md §8.4): a project folder holding ``hub.json`` (API URL and
shop), ``tasks/<slug>.json`` (task exports, the import format), optional helper folders
``tasks/<slug>/`` (``task.json``, ``script.liquid``, ``docs.md``, ``subscriptions.liquid``,
``online_store.js``, ``order_status.js``), ``.hub/links.json`` (each slug's remote task id and the
content hashes last seen on both sides) and ``hub.globals.json``."""

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG = "hub.json"
LINKS = Path(".hub") / "links.json"
# The globals as last pulled or pushed: what Hub held then, to tell a local edit from a change in Hub.
GLOBALS_SEEN = Path(".hub") / "globals.json"
TASKS = Path("tasks")
GLOBALS = "hub.globals.json"
# Helper folder files ↔ export fields (bundle/unbundle).
HELPER_FILES = {
    "script.liquid": "script",
    "docs.md": "docs",
    "subscriptions.liquid": "subscriptions_template",
    "online_store.js": "online_store_javascript",
    "order_status.js": "order_status_javascript",
}


class ProjectError(Exception):
    """A problem with the local project or the command's input (exit code 2), naming the file or
    argument it concerns."""


class Refused(Exception):
    """A command that would overwrite something without ``--force`` (exit code 1)."""


def content_hash(export: dict) -> str:
    """The server's content hash: SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(export, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProjectError(f"{path}: not found") from None
    except ValueError as exc:
        raise ProjectError(f"{path}: not valid JSON: {exc}") from None


def slugify(name: str) -> str:
    """A file name for a task name: lower case, runs of other characters as ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "task"


@dataclass
class Settings:
    """Where the API is and how to sign in: ``hub.json`` then ``HUB_API_URL`` / ``HUB_API_TOKEN``."""

    api_url: str
    token: str
    shop: str | None


def load_settings(root: Path) -> Settings:
    """The settings of the project at ``root``; raises ``ProjectError`` naming what is missing."""
    config = read_json(root / CONFIG) if (root / CONFIG).exists() else {}
    api_url = os.environ.get("HUB_API_URL") or config.get("api_url")
    token = os.environ.get("HUB_API_TOKEN") or config.get("token")
    if not api_url:
        raise ProjectError(f"no API URL: run hub-cli init --url URL, or set HUB_API_URL ({root / CONFIG})")
    if not token:
        raise ProjectError("no API token: set HUB_API_TOKEN (create one in Hub's admin: API tokens)")
    return Settings(api_url=api_url, token=token, shop=config.get("shop"))


class Project:
    """The task files and links of a project folder."""

    def __init__(self, root: Path):
        self.root = root
        self.links: dict[str, dict] = read_json(root / LINKS) if (root / LINKS).exists() else {}

    def save_links(self) -> None:
        write_json(self.root / LINKS, self.links)

    def task_path(self, slug: str) -> Path:
        return self.root / TASKS / f"{slug}.json"

    def local_slugs(self) -> list[str]:
        folder = self.root / TASKS
        return sorted(path.stem for path in folder.glob("*.json")) if folder.is_dir() else []

    def read_task(self, slug: str) -> dict:
        export = read_json(self.task_path(slug))  # ProjectError naming the file when not JSON
        if not isinstance(export, dict):
            raise ProjectError(f"{self.task_path(slug)}: expected a task object")
        return export

    def slug_of(self, task_id: str) -> str | None:
        return next((slug for slug, link in self.links.items() if link.get("id") == task_id), None)

    def new_slug(self, name: str) -> str:
        base = slugify(name)
        slug, number = base, 2
        while self.task_path(slug).exists() or slug in self.links:
            slug, number = f"{base}-{number}", number + 1
        return slug

    def record(self, slug: str, task_id: str, remote_hash: str, local: dict) -> None:
        """Remember that ``slug`` is task ``task_id``, in step on both sides at these hashes."""
        self.links[slug] = {"id": task_id, "remote_hash": remote_hash, "local_hash": content_hash(local)}

    def locally_changed(self, slug: str) -> bool:
        link = self.links.get(slug)
        return link is None or content_hash(self.read_task(slug)) != link.get("local_hash")

    # --- helper folders ---------------------------------------------------------------------------

    def helper(self, slug: str) -> Path:
        return self.root / TASKS / slug

    def unbundle(self, slug: str) -> Path:
        """Split ``tasks/<slug>.json`` into its helper folder; returns the folder."""
        export = self.read_task(slug)
        folder = self.helper(slug)
        folder.mkdir(parents=True, exist_ok=True)
        rest = dict(export)
        for filename, key in HELPER_FILES.items():
            value = rest.pop(key, None)
            target = folder / filename
            if value is None:
                target.unlink(missing_ok=True)
            else:
                target.write_text(value, encoding="utf-8")
        write_json(folder / "task.json", rest)
        return folder

    def bundled(self, slug: str) -> dict:
        """The export the helper folder holds."""
        folder = self.helper(slug)
        export = read_json(folder / "task.json")
        for filename, key in HELPER_FILES.items():
            path = folder / filename
            export[key] = path.read_text(encoding="utf-8") if path.exists() else None
        if export.get("docs") is None:
            export["docs"] = ""
        return export

    def bundle(self, slug: str) -> None:
        """Write the helper folder back into ``tasks/<slug>.json``."""
        write_json(self.task_path(slug), self.bundled(slug))

    def unbundled_edits(self, slug: str) -> bool:
        """Whether the helper folder holds edits ``tasks/<slug>.json`` does not have."""
        if not (self.helper(slug) / "task.json").exists():
            return False
        return content_hash(self.bundled(slug)) != content_hash(self.read_task(slug))
