"""``manage.py liquid_render --cases FILE.jsonl`` over lines of both conformance corpora.

No test here requests the database: pytest-django fails any test that touches it, so these
also show that the command needs none.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from .conformance import DOC_EXAMPLES, GOLDEN, load

CASES = {
    "output.literals": (
        '{"id": "output.literals", "output": "hello|single \\"q\\"|dou\'ble|42|-3.5|true|false|[]", '
        '"objects": null, "error": null}'
    ),
    "misc_tags.break_outside_loop": (
        '{"id": "misc_tags.break_outside_loop", "output": "a", "objects": null, "error": null}'
    ),
    "misc_tags.unknown_tag": (
        '{"id": "misc_tags.unknown_tag", "output": null, "objects": null, '
        '"error": "Liquid error (line 1, column 5): unknown tag \'nosuchtag\'"}'
    ),
    "filters-date-format-1": (
        '{"id": "filters-date-format-1", "output": "2000-01-01 00:00 -0600", "objects": null, "error": null}'
    ),
    "filters-parse-date-1": (
        '{"id": "filters-parse-date-1", "output": "2020-01-01T00:00:00+11:00", '
        '"objects": null, "error": null}'
    ),
    "tags-liquid-block-action-2": (
        '{"id": "tags-liquid-block-action-2", '
        '"output": "{\\"action\\":{\\"type\\":\\"email\\",'
        '\\"options\\":{\\"to\\":\\"hello@example.com\\"}}}", '
        '"objects": [{"action": {"type": "email", "options": {"to": "hello@example.com"}}}], "error": null}'
    ),
}


def corpus_lines() -> list[str]:
    cases = {case["id"]: case for case in load(GOLDEN) + load(DOC_EXAMPLES) if case["id"] in CASES}
    return [json.dumps(cases[case_id]) for case_id in CASES]


def run(tmp_path, lines: list[str]) -> list[str]:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command("liquid_render", cases=str(path), stdout=out)
    return out.getvalue().splitlines()


def test_it_prints_one_line_per_case_of_both_corpora(tmp_path):
    assert run(tmp_path, corpus_lines()) == list(CASES.values())


def test_an_output_stream_of_whitespace_is_an_empty_result_list(tmp_path):
    lines = [json.dumps({"id": "blank", "template": "  \n{% assign x = 1 %}", "context": {}})]
    assert run(tmp_path, lines) == ['{"id": "blank", "output": "  \\n", "objects": [], "error": null}']


def test_assumptions_set_now_timezone_and_currency(tmp_path):
    case = {
        "id": "now",
        "template": '{{ "now" | date: "%Y-%m-%d %H:%M %z" }}',
        "context": {},
        "assumptions": {"timezone": "Asia/Tokyo", "now": "2024-03-10T15:30:00Z", "shop_currency": "EUR"},
    }
    assert run(tmp_path, [json.dumps(case)]) == [
        '{"id": "now", "output": "2024-03-11 00:30 +0900", "objects": null, "error": null}'
    ]


def test_a_line_that_is_not_json_is_an_error(tmp_path):
    with pytest.raises(CommandError, match=r"cases.jsonl, line 2: not JSON"):
        run(tmp_path, [json.dumps({"id": "a", "template": "x"}), "{nope"])
