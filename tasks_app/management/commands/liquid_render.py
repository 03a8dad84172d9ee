"""``manage.py liquid_render --cases FILE.jsonl``: render Liquid cases with Hub's dialect and print
one JSON line per case (spec/liquid.md §1; case format of shared/conformance/*/).

Needs no database: nothing here touches one, so it runs where the database does not exist.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tasks_app.liquid import RenderSettings, TaskRenderError, render_text
from tasks_app.liquid.output_stream import parse_output_stream


def case_settings(assumptions: dict | None) -> RenderSettings:
    """Settings from a case's ``assumptions`` (``timezone``, ``now`` ISO 8601, ``shop_currency``,
    ``shop_locale``); defaults UTC, the current time, USD and ``en``."""
    assumptions = assumptions or {}
    now = datetime.now(UTC)
    if assumptions.get("now"):
        now = datetime.fromisoformat(str(assumptions["now"]).replace("Z", "+00:00"))
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
    return RenderSettings(
        timezone=assumptions.get("timezone") or "UTC",
        now=now,
        currency=assumptions.get("shop_currency") or "USD",
        locale=assumptions.get("shop_locale") or "en",
    )


def render_case(case: dict) -> dict[str, Any]:
    """``{"id", "output", "objects", "error"}`` for one case.

    ``output``: the rendered text, null on error; ``objects``: the result objects when the output
    is a valid stream of action/log/error objects (§1.2), else null; ``error``: the Liquid error
    message, or null.
    """
    try:
        settings = case_settings(case.get("assumptions"))
        output = render_text(str(case.get("template") or ""), case.get("context") or {}, settings)
    except TaskRenderError as exc:
        return {"id": case.get("id"), "output": None, "objects": None, "error": exc.message}
    except (ValueError, TypeError) as exc:  # bad assumptions (time zone, "now")
        return {"id": case.get("id"), "output": None, "objects": None, "error": f"invalid case: {exc}"}
    objects, failure = parse_output_stream(output)
    return {"id": case.get("id"), "output": output, "objects": None if failure else objects, "error": None}


class Command(BaseCommand):
    """``liquid_render``: render the cases of a JSONL file and print one JSON result line per case."""

    help = (
        "Render each line of a JSONL file ({id, template, context, assumptions?}) and print one "
        'JSON line per case: {"id", "output", "objects", "error"}. Needs no database.'
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--cases", required=True, metavar="FILE.jsonl", help="cases file, or - for stdin")

    def handle(self, *args, **opts):
        path = opts["cases"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
            except ValueError as exc:
                raise CommandError(f"{path}, line {number}: not JSON ({exc})") from None
            if not isinstance(case, dict):
                raise CommandError(f"{path}, line {number}: expected a JSON object")
            self.stdout.write(json.dumps(render_case(case), ensure_ascii=False))
