"""``manage.py preview_task FILE.json...``: preview task exports without storing anything
(spec/platform.md §7.6, §7.9, spec/runtime.md §15). Exit status 1 when any preview is not ok.
Each result shows the task's required Shopify scopes (``permissions``)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks_app.importer import TaskImportError, load_payload
from tasks_app.preview import PreviewResult, preview_task_definition
from tasks_app.rendering import compact_json


class Command(BaseCommand):
    """``preview_task``: preview task export files without storing anything."""

    help = (
        "Render each task of each file once per subscribed topic and preview event, and show the "
        "actions, logs and errors. Needs no database unless --shop names a stored shop."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.json")
        parser.add_argument("--json", action="store_true", help="One JSON object per preview event per line")
        parser.add_argument(
            "--fill-required",
            action="store_true",
            help="Fill empty required options with example values; when the task's own option checks "
            "still refuse the preview, or no preview renders an action, also try other option values "
            "(the changed options are listed in a notice on each result)",
        )
        parser.add_argument(
            "--strict-fill",
            action="store_true",
            help="With --fill-required: apply only the fill rule, never try other option values",
        )
        parser.add_argument("--shop", help="Preview as this stored shop (default: a built-in example shop)")

    def handle(self, *args, **opts):
        shop = None
        if opts["shop"]:
            from integrations.shops import ShopError, resolve_shop

            try:
                shop = resolve_shop(opts["shop"])
            except ShopError as exc:
                raise CommandError(str(exc)) from None
        all_ok = True
        for name in opts["files"]:
            try:
                entries = load_payload(Path(name).read_bytes(), name)
            except OSError as exc:
                raise CommandError(f"{name}: cannot read: {exc.strerror}") from None
            except TaskImportError as exc:
                raise CommandError(str(exc)) from None
            for path, task in entries:
                if not isinstance(task, dict):
                    raise CommandError(f"{name}: {path}: expected a task object")
                results = preview_task_definition(
                    task,
                    fill_required=opts["fill_required"],
                    explore=opts["fill_required"] and not opts["strict_fill"],
                    shop=shop,
                )
                for result in results:
                    all_ok = all_ok and result.ok
                    if opts["json"]:
                        self.stdout.write(json.dumps(result.json_record(name), ensure_ascii=False))
                    else:
                        self.write_human(name, result)
        if not all_ok:
            sys.exit(1)

    def write_human(self, file: str, result: PreviewResult) -> None:
        label = result.topic or "(no topic)"
        if result.description:
            label += f" — {result.description}"
        status = "ok" if result.ok else "NOT OK"
        self.stdout.write(f"{file}: {result.task}: {label}: {status}")
        for notice in result.notices:
            self.stdout.write(f"  notice: {notice}")
        if result.exception:
            self.stdout.write(f"  exception: {result.exception}")
        for action in result.actions:
            meta = f" meta={compact_json(action['meta'])}" if action.get("meta") is not None else ""
            self.stdout.write(f"  action {action['type']}: {compact_json(action['options'])}{meta}")
        for log in result.logs:
            self.stdout.write(f"  log: {log if isinstance(log, str) else compact_json(log)}")
        for error in result.errors:
            self.stdout.write(f"  error: {error if isinstance(error, str) else compact_json(error)}")
        for problem in result.problems:
            self.stdout.write(f"  problem: {problem}")
        self.stdout.write(f"  permissions: {', '.join(result.permissions) or 'none'}")
