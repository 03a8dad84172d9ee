"""The output stream → result list (spec/liquid.md §1.2)."""

import pytest

from tasks_app.liquid import OutputStreamError

from .helpers import script


def test_whitespace_only_output_is_an_empty_result_list():
    assert script("  \n {% assign x = 1 %}\n\t") == []


def test_objects_come_back_in_output_order():
    assert script('{"error": 1} {"log": 2}') == [{"error": 1}, {"log": 2}]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "hello",
            "Task output is not a valid stream of action/log/error objects "
            "(at character 1: not a JSON value): hello",
        ),
        (
            '{% log "a" %},{% log "b" %}',
            "Task output is not a valid stream of action/log/error objects "
            '(at character 12: not a JSON value): ,{"log":"b"}',
        ),
        (
            '{"log": 1, "error": 2}',
            "Task output is not a valid stream of action/log/error objects "
            '(at character 1: expected one member: action, log or error): {"log": 1, "error": 2}',
        ),
        (
            "[1]",
            "Task output is not a valid stream of action/log/error objects "
            "(at character 1: not a JSON object): [1]",
        ),
    ],
)
def test_invalid_output(source, message):
    with pytest.raises(OutputStreamError) as info:
        script(source)
    assert info.value.message == message


def test_the_excerpt_is_sixty_characters():
    with pytest.raises(OutputStreamError) as info:
        script("x" * 100)
    assert info.value.details == "x" * 60
