"""The dialect against the golden corpora: Ruby Liquid 5.4 and the Mechanic doc examples.

Cases listed in expected_failures.json must fail; a listed case that passes fails the test so
the list stays honest.
"""

import pytest

from .conformance import DOC_EXAMPLES, GOLDEN, check_doc_example, check_golden, expected_failures, load

EXPECTED = expected_failures()
GOLDEN_CASES = load(GOLDEN)
DOC_CASES = load(DOC_EXAMPLES)
SKIPPED_DOC_FLAGS = ("nondeterministic", "described_output")


def _assert_outcome(key: str, problem: str | None) -> None:
    if key in EXPECTED:
        assert problem is not None, f"{key} now passes: remove it from tests/liquid/expected_failures.json"
        return
    assert problem is None, problem


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=[case["id"] for case in GOLDEN_CASES])
def test_golden_case_agrees_with_ruby_liquid(case):
    _assert_outcome(f"golden:{case['id']}", check_golden(case))


@pytest.mark.parametrize("case", DOC_CASES, ids=[case["id"] for case in DOC_CASES])
def test_doc_example_agrees_with_mechanic_docs(case):
    assumptions = case.get("assumptions") or {}
    skipped = [flag for flag in SKIPPED_DOC_FLAGS if assumptions.get(flag)]
    if skipped:
        pytest.skip(f"{', '.join(skipped)} case")
    _assert_outcome(f"doc:{case['id']}", check_doc_example(case))


def test_expected_failures_name_real_cases():
    ids = {f"golden:{c['id']}" for c in GOLDEN_CASES} | {f"doc:{c['id']}" for c in DOC_CASES}
    assert set(EXPECTED) <= ids
