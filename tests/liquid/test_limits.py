"""Render limits of a task run: time, memory, loop iterations, output size, context depth
(spec/runtime.md §13, spec/liquid.md §1.6, §2.11; tasks_app/liquid/limits.py)."""

import time

import pytest

from tasks_app.liquid import LiquidError, RenderSettings, render_text
from tasks_app.liquid.api import LimitExceededError
from tasks_app.liquid.limits import RenderLimits, RenderMeter, estimate_size
from tasks_app.rendering import render_task

from .helpers import NOW


def render(source: str, variables: dict | None = None, **limits) -> str:
    return render_text(source, variables or {}, RenderSettings(now=NOW, limits=RenderLimits(**limits)))


def failure(source: str, variables: dict | None = None, **limits) -> LimitExceededError:
    with pytest.raises(LimitExceededError) as info:
        render(source, variables, **limits)
    return info.value


def test_a_huge_loop_fails_with_the_time_limit_error():
    err = failure("{% for i in (1..100000000) %}{{ i }}{% endfor %}", time_s=0.05)
    assert err.message == (
        "Liquid error (line 1, column 4): task run exceeded the time limit of 0.05 s (HUB_TASK_RUN_TIMEOUT_S)"
    )
    assert err.limit == "time"
    assert isinstance(err, LiquidError)


def test_a_loop_of_filters_that_writes_nothing_also_stops_at_the_deadline():
    err = failure(
        "\n{%- for i in (1..100000000) %}{% assign x = i | plus: 1 | times: 2 %}{% endfor %}", time_s=0.05
    )
    assert err.message == (
        "Liquid error (line 2, column 5): task run exceeded the time limit of 0.05 s (HUB_TASK_RUN_TIMEOUT_S)"
    )
    assert (
        err.details
        == "{%- for i in (1..100000000) %}{% assign x = i | plus: 1 | times: 2 %}{% endfor %}\n    ^"
    )


def test_the_deadline_spans_every_render_of_a_run():
    settings = RenderSettings(now=NOW, limits=RenderLimits(time_s=0))
    assert render_text("{{ 1 }}", {}, settings) == "1"
    with pytest.raises(LimitExceededError, match="time limit of 0 s"):
        render_text("{% for i in (1..2) %}{% endfor %}", {}, settings)


def test_loop_iterations_of_nested_loops_add_up():
    source = "x\n  {% for i in (1..10) %}{% for j in (1..200) %}{% endfor %}{% endfor %}"
    err = failure(source, loop_iterations=1000)
    assert err.message == (
        "Liquid error (line 2, column 28): task run exceeded the loop iteration limit of 1000 iterations "
        "(HUB_LIQUID_LOOP_ITERATION_LIMIT)"
    )
    assert err.limit == "loop_iterations"
    assert render(source, loop_iterations=2010) == "x\n  "


def test_loop_iterations_add_up_across_the_renders_of_a_run():
    settings = RenderSettings(now=NOW, limits=RenderLimits(loop_iterations=15))
    assert render_text("{% for i in (1..10) %}{% endfor %}", {}, settings) == ""
    with pytest.raises(LimitExceededError, match="loop iteration limit of 15 iterations"):
        render_text("{% for i in (1..10) %}{% endfor %}", {}, settings)
    assert settings.meter.iterations == 16


def test_a_filter_over_a_range_counts_its_items_as_iterations():
    err = failure("{{ (1..5000) | join }}", loop_iterations=1000)
    assert err.message == (
        "Liquid error (line 1, column 16): task run exceeded the loop iteration limit of 1000 iterations "
        "(HUB_LIQUID_LOOP_ITERATION_LIMIT)"
    )
    assert render("{{ (1..5) | join: ',' }}", loop_iterations=5) == "1,2,3,4,5"


def test_tablerow_iterations_count_too():
    err = failure("{% tablerow i in (1..10) %}{{ i }}{% endtablerow %}", loop_iterations=5)
    assert err.limit == "loop_iterations"


def test_the_output_size_limit():
    err = failure("{% for i in (1..2000) %}abcdefghij{% endfor %}", output_mb=0.01)
    assert err.message == (
        "Liquid error (line 1, column 4): task run exceeded the output size limit of 0.01 MB "
        "(HUB_LIQUID_OUTPUT_LIMIT_MB)"
    )
    assert err.limit == "output"
    assert len(render("{% for i in (1..1000) %}abcdefghij{% endfor %}", output_mb=0.01)) == 10000


def test_the_context_depth_limit_counts_nested_loops():
    source = (
        "{% for a in (1..2) %}{% for b in (1..2) %}{% for c in (1..2) %}{% endfor %}{% endfor %}{% endfor %}"
    )
    err = failure(source, context_depth=2)
    assert err.message == (
        "Liquid error (line 1, column 46): task run exceeded the context depth limit of 2 nested loops "
        "(HUB_LIQUID_CONTEXT_DEPTH_LIMIT)"
    )
    assert render(source, context_depth=3) == ""


def test_a_string_grown_by_append_exceeds_the_memory_limit_at_the_append_before_building_it():
    err = failure(
        '{% assign s = "" %}{% for i in (1..100000) %}{% assign s = s | append: "0123456789" %}{% endfor %}',
        memory_mb=0.1,
    )
    assert err.message == (
        "Liquid error (line 1, column 64): task run exceeded the memory limit of 0.1 MB "
        "(HUB_TASK_RUN_MEMORY_MB)"
    )
    assert err.limit == "memory"


def test_an_array_grown_by_push_exceeds_the_memory_limit():
    err = failure(
        "{% assign a = array %}{% for i in (1..100000) %}{% assign a = a | push: i %}{% endfor %}",
        memory_mb=0.1,
    )
    assert err.limit == "memory"


def test_a_capture_that_grows_exceeds_the_memory_limit():
    err = failure(
        "{% capture s %}{% for i in (1..100000) %}0123456789{% endfor %}{% endcapture %}", memory_mb=0.1
    )
    assert err.message == (
        "Liquid error (line 1, column 19): task run exceeded the memory limit of 0.1 MB "
        "(HUB_TASK_RUN_MEMORY_MB)"
    )


def test_rebinding_a_variable_releases_its_old_value():
    source = (
        '{% for i in (1..200) %}{% assign s = "x" | append: i | prepend: big %}{% endfor %}{{ s | size }}'
    )
    assert render(source, {"big": "b" * 20_000}, memory_mb=0.2) == "20004"


def test_a_finished_capture_is_charged_once():
    source = "{% for i in (1..50) %}{% capture s %}{{ big }}{% endcapture %}{% endfor %}{{ s | size }}"
    assert render(source, {"big": "b" * 40_000}, memory_mb=0.2) == "40000"


def test_input_variables_count_against_the_memory_limit():
    err = failure("{{ 1 }}", {"big": "x" * 300_000}, memory_mb=0.25)
    assert (
        err.message == "Liquid error: task run exceeded the memory limit of 0.25 MB (HUB_TASK_RUN_MEMORY_MB)"
    )


def test_a_limit_fails_a_task_run_with_the_message():
    settings = RenderSettings(now=NOW, limits=RenderLimits(loop_iterations=3))
    outcome = render_task(
        script="{% for i in (1..4) %}{% endfor %}", option_values={}, variables={}, settings=settings
    )
    assert outcome.error == (
        "Liquid error (line 1, column 4): task run exceeded the loop iteration limit of 3 iterations "
        "(HUB_LIQUID_LOOP_ITERATION_LIMIT)"
    )
    assert outcome.error_details == "{% for i in (1..4) %}{% endfor %}\n   ^"


def test_limits_come_from_settings(settings):
    settings.HUB_TASK_RUN_TIMEOUT_S = 7
    settings.HUB_TASK_RUN_MEMORY_MB = 100
    settings.HUB_LIQUID_LOOP_ITERATION_LIMIT = 99
    settings.HUB_LIQUID_OUTPUT_LIMIT_MB = 3
    settings.HUB_LIQUID_CONTEXT_DEPTH_LIMIT = 4
    assert RenderLimits.for_topic("shopify/orders/create") == RenderLimits(
        time_s=7, memory_mb=100, loop_iterations=99, output_mb=3, context_depth=4
    )
    assert RenderSettings().limits.time_s == 7


def test_bulk_operation_runs_get_300_s_and_four_times_the_memory(settings):
    settings.HUB_TASK_RUN_MEMORY_MB = 100
    limits = RenderLimits.for_topic("mechanic/shopify/bulk_operation")
    assert (limits.time_s, limits.memory_mb) == (300, 400)
    meter = RenderMeter(limits)
    assert meter.error("time").message == "task run exceeded the time limit of 300 s (bulk-operation runs)"
    assert meter.error("memory").message == (
        "task run exceeded the memory limit of 400 MB (4 × HUB_TASK_RUN_MEMORY_MB, bulk-operation runs)"
    )


def test_the_default_limits():
    limits = RenderLimits()
    assert (
        limits.time_s,
        limits.memory_mb,
        limits.loop_iterations,
        limits.output_mb,
        limits.context_depth,
    ) == (
        60,
        512,
        10_000_000,
        64,
        30,
    )


def test_size_estimates_are_exact_for_strings_and_extrapolated_for_containers():
    assert estimate_size("x" * 1000) == 1049
    assert estimate_size(5) == 32
    assert estimate_size([7] * 1000) == 8056 + 1000 * 32
    assert estimate_size(["abc"] * 1000) == 8056 + 1000 * 52


def test_output_written_outside_loops_fails_at_the_tag_that_wrote_it():
    err = failure("{{ big }}\n{{ big }}", {"big": "x" * 6000}, output_mb=0.01)
    assert err.message == (
        "Liquid error (line 2, column 1): task run exceeded the output size limit of 0.01 MB "
        "(HUB_LIQUID_OUTPUT_LIMIT_MB)"
    )


def test_output_written_by_the_last_iteration_of_a_loop_fails_at_that_loop():
    source = (
        "{% for i in (1..2) %}\n  {% for j in (1..3) %}{% if j == 3 %}{{ big }}{% endif %}{% endfor %}"
        "{% endfor %}"
    )
    err = failure(source, {"big": "x" * 6000}, output_mb=0.01)
    assert (err.limit, err.line, err.column) == ("output", 2, 6)


def test_output_and_assigned_values_count_together_against_memory():
    source = '{{ big }}{% assign s = big | append: "!" %}'
    err = failure(source, {"big": "x" * 40_000}, memory_mb=0.1)
    assert (err.limit, err.column) == ("memory", 30)  # the append, refused before it builds


# --- filters that could run or build without end (issue 12, "limits that hold") ---------------


def test_a_backtracking_regexp_stops_at_the_time_limit():
    started = time.monotonic()

    err = failure('{{ s | match: "(a|aa)+$" }}', {"s": "a" * 41 + "!"}, time_s=1)

    assert err.message == (
        "Liquid error (line 1, column 8): task run exceeded the time limit of 1 s (HUB_TASK_RUN_TIMEOUT_S)"
    )
    assert time.monotonic() - started < 2.5


def test_scan_stops_at_the_time_limit_too():
    err = failure('{{ s | scan: "(a|aa)+$" | size }}', {"s": ("a" * 41 + "!\n") * 3}, time_s=0.5)

    assert err.limit == "time"


def test_the_issue_pattern_that_held_python_re_for_minutes_answers_at_once():
    started = time.monotonic()

    assert render('{{ s | match: "(a+)+$" }}', {"s": "a" * 41 + "!"}) == ""
    assert time.monotonic() - started < 1


def test_a_huge_date_width_is_refused_before_it_is_built():
    err = failure('{{ "now" | date: "%999999999Y" }}', memory_mb=512)

    assert (err.limit, err.message) == (
        "memory",
        "Liquid error (line 1, column 12): task run exceeded the memory limit of 512 MB"
        " (HUB_TASK_RUN_MEMORY_MB)",
    )
    assert render('{{ "2024-01-02" | date: "%10Y" }}') == "0000002024"


def test_a_string_doubled_in_a_loop_stops_before_the_limit_is_passed():
    err = failure(
        '{% assign s = "0123456789" %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}',
        memory_mb=16,
    )

    assert err.limit == "memory"


def test_concat_of_huge_ranges_is_refused_before_the_lists_are_made():
    started = time.monotonic()

    err = failure("{% assign a = (1..10000000) | concat: (1..10000000) %}", memory_mb=64)

    assert err.limit == "memory"
    assert time.monotonic() - started < 1


def test_join_checks_what_it_would_build():
    err = failure('{% assign a = "x" | split: "" %}{{ (1..200000) | join: "0123456789" }}', memory_mb=1)

    assert err.limit == "memory"
