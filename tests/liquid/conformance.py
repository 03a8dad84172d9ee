"""Loading and checking the golden corpora in ``shared/conformance`` (spec/liquid.md, Conventions)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from tasks_app.liquid import LiquidError, RenderSettings, TaskRenderError, render_script, render_text

SHARED = Path(__file__).resolve().parents[3] / "shared"
GOLDEN = SHARED / "conformance" / "ruby-liquid-5.4" / "golden.jsonl"
DOC_EXAMPLES = SHARED / "conformance" / "mechanic-doc-examples" / "doc_examples.jsonl"
EXPECTED_FAILURES = Path(__file__).resolve().parent / "expected_failures.json"
DEFAULT_NOW = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)


def load(path: Path) -> list[dict]:
    """One dict per JSON line."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def expected_failures() -> dict[str, str]:
    """Case id → reason for cases this slice of the dialect does not match yet (or on purpose)."""
    return json.loads(EXPECTED_FAILURES.read_text())


def check_golden(case: dict) -> str | None:
    """Render a Ruby Liquid golden case; None when it agrees, else what differs."""
    settings = RenderSettings(timezone="UTC", now=DEFAULT_NOW)
    try:
        output = render_text(case["template"], case["context"], settings)
    except LiquidError as exc:
        if case["strict_error"]:
            return None
        return f"raised {exc.message}"
    if case["strict_error"]:
        return f"expected an error ({case['strict_error']}), rendered {output!r}"
    if output != case["expected"]:
        return f"expected {case['expected']!r}, got {output!r}"
    return None


def _doc_settings(case: dict) -> RenderSettings:
    assumptions = case.get("assumptions") or {}
    now = DEFAULT_NOW
    if assumptions.get("now"):
        now = datetime.fromisoformat(assumptions["now"].replace("Z", "+00:00"))
    return RenderSettings(
        timezone=assumptions.get("timezone", "UTC"),
        now=now,
        currency=assumptions.get("shop_currency", "USD"),
        locale=assumptions.get("shop_locale", "en"),
    )


def _normalise(text: str, mode: str) -> object:
    if mode == "strip":
        return text.strip()
    if mode == "whitespace":
        return re.sub(r"\s+", " ", text).strip()
    if mode == "json":
        return json.loads(text)
    return text


def check_doc_example(case: dict) -> str | None:
    """Render a Mechanic doc example per its ``compare`` mode; None when it agrees."""
    settings = _doc_settings(case)
    mode = case["compare"]
    try:
        if mode == "objects":
            objects = render_script(case["template"], case["context"], settings)
            if objects != case["expected_objects"]:
                return f"expected {case['expected_objects']!r}, got {objects!r}"
            return None
        output = render_text(case["template"], case["context"], settings)
    except TaskRenderError as exc:
        return f"raised {exc.message}"
    assumptions = case.get("assumptions") or {}
    if assumptions.get("output_notation") == "ruby_inspect":
        return _check_value(case, settings)
    try:
        if _normalise(output, mode) != _normalise(case["expected"], mode):
            return f"expected {case['expected']!r}, got {output!r}"
    except ValueError:
        return f"output is not JSON: {output!r}"
    return None


def _check_value(case: dict, settings: RenderSettings) -> str | None:
    # The docs print a Ruby value: print the same expression as JSON and compare values.
    template = re.sub(r"\{\{(.*)\}\}\s*$", r"{{\1 | json }}", case["template"].rstrip(), flags=re.DOTALL)
    try:
        value = json.loads(render_text(template, case["context"], settings).strip().splitlines()[-1])
    except (TaskRenderError, ValueError, IndexError) as exc:
        return f"could not read the value: {exc}"
    if value != case["assumptions"]["value_json"]:
        return f"expected {case['assumptions']['value_json']!r}, got {value!r}"
    return None
