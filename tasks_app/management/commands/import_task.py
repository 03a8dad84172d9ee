"""``manage.py import_task FILE.json...``: import task exports into a shop (spec/platform.md §7.2)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from integrations.shops import ShopError, resolve_shop
from tasks_app.importer import TaskImportError, import_tasks


class Command(BaseCommand):
    """``import_task``: import task export files into a shop, each file all or nothing."""

    help = (
        "Import task exports (one task object or an array per file). Tasks are created disabled; "
        "each file is imported completely or not at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.json")
        parser.add_argument("--options", help="JSON object of option values by key, overriding the files'")
        parser.add_argument(
            "--enable", action="store_true", help="Enable each task whose required options are filled"
        )
        parser.add_argument(
            "--replace", action="store_true", help="Update the task with the same name instead of adding one"
        )
        parser.add_argument("--shop", help="Shop domain (may be left out when there is one shop)")

    def handle(self, *args, **opts):
        overrides = self.parse_overrides(opts["options"])
        try:
            shop = resolve_shop(opts["shop"])
        except ShopError as exc:
            raise CommandError(str(exc)) from None
        failed = 0
        used: set[str] = set()
        for name in opts["files"]:
            path = Path(name)
            try:
                payload = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"{name}: cannot read: {exc.strerror}")
                failed += 1
                continue
            try:
                imported = import_tasks(
                    shop,
                    payload,
                    options_override=overrides,
                    enable=opts["enable"],
                    replace=opts["replace"],
                    source_name=name,
                )
            except TaskImportError as exc:
                self.stderr.write(f"{exc} (nothing imported from this file)")
                failed += 1
                continue
            for item in imported:
                for warning in item.warnings:
                    self.stderr.write(f"warning: {warning}")
                self.stdout.write(str(item))
                used.update(item.task.options or {})
        for key in overrides or {}:
            if key not in used:
                self.stderr.write(f"warning: --options: {key!r} is not an option of any imported task")
        if failed:
            raise CommandError(f"{failed} of {len(opts['files'])} file(s) not imported")

    @staticmethod
    def parse_overrides(raw: str | None) -> dict | None:
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--options: invalid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(value, dict):
            raise CommandError("--options: expected a JSON object of option values by key")
        return value
