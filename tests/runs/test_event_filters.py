"""Event filters (spec/runtime.md §2.7): rendered at the start of every event run with ``event``,
``shop`` and ``cache``; ``false`` skips the event, a render failure fails it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, EventFilter
from runs.inline import perform_event_now
from runs.verbs import retry
from tasks_app.models import CacheEntry
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    action,
    attempts,
    children,
    emit,
    make_task,
    staff_fixture,
    task_runs,
)

pytestmark = pytest.mark.django_db

DIVIDE_BY_ZERO = "{{ 1 | divided_by: 0 }}"


def add_filter(shop, template: str, name: str = "filter") -> EventFilter:
    return EventFilter.objects.create(shop=shop, name=name, template=template)


def outcome(event) -> tuple:
    """The event run's status, ok, error and filtered flag, and its task runs' tasks."""
    event.run.refresh_from_db()
    run = event.run
    return (
        run.status,
        run.ok,
        run.error,
        run.filtered,
        [task_run.task.name for task_run in task_runs(event)],
    )


PASSED = ("succeeded", True, None, False, ["Task"])
SKIPPED = ("succeeded", True, None, True, [])


@pytest.fixture
def task(shop):
    return make_task(shop, script='{% log "ran" %}')


def test_a_filter_rendering_false_skips_the_event(shop, task):
    add_filter(shop, "false")

    event = emit(shop)

    assert outcome(event) == SKIPPED
    assert attempts(event.run) == [{"number": 1, "ok": True, "error": None, "permanent": None}]


@pytest.mark.parametrize("template", ["  false  ", "\n\tfalse\n", "{% if true %} false {% endif %}\n"])
def test_whitespace_around_false_is_ignored(shop, task, template):
    add_filter(shop, template)

    assert outcome(emit(shop)) == SKIPPED


@pytest.mark.parametrize("template", ["False", "FALSE", "false false", "'false'", "no", "0", "nil"])
def test_only_exactly_false_skips(shop, task, template):
    add_filter(shop, template)

    assert outcome(emit(shop)) == PASSED


def test_empty_output_lets_the_event_through(shop, task):
    add_filter(shop, "{% if false %}false{% endif %}")

    assert outcome(emit(shop)) == PASSED


def test_no_filters_let_every_event_through(shop, task):
    assert outcome(emit(shop)) == PASSED


def test_a_filter_reads_the_event_topic_and_data(shop, task):
    add_filter(shop, '{% if event.topic == "user/test/go" and event.data.skip %}false{% endif %}')

    assert outcome(emit(shop, data={"skip": True})) == SKIPPED
    assert outcome(emit(shop, data={"skip": False})) == PASSED


def test_a_filter_reads_the_shop(shop, task):
    add_filter(shop, '{% if shop.domain == "example.myshopify.com" %}false{% endif %}')

    assert outcome(emit(shop)) == SKIPPED


def test_one_false_among_several_filters_skips(shop, task):
    add_filter(shop, "true", name="a")
    add_filter(shop, "false", name="b")
    add_filter(shop, "", name="c")

    assert outcome(emit(shop)) == SKIPPED


def test_a_filter_reading_a_set_cache_key_skips(shop, task):
    add_filter(shop, '{% if cache["debounce:7"] %}false{% endif %}')
    CacheEntry.objects.create(
        shop=shop, key="debounce:7", value=True, expires_at=timezone.now() + timedelta(minutes=1)
    )

    assert outcome(emit(shop)) == SKIPPED


def test_an_expired_cache_key_lets_the_event_through(shop, task):
    add_filter(shop, '{% if cache["debounce:7"] %}false{% endif %}')
    CacheEntry.objects.create(
        shop=shop, key="debounce:7", value=True, expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert outcome(emit(shop)) == PASSED


def test_debouncing_with_the_cache_action_skips_the_second_event(shop):
    make_task(
        shop,
        script='{% log "ran" %}' + action("cache", ["setex", "debounce:{{ event.data.id }}", 60, True]),
    )
    add_filter(
        shop, '{% assign key = "debounce:" | append: event.data.id %}{% if cache[key] %}false{% endif %}'
    )

    first, second, other = emit(shop, data={"id": 7}), emit(shop, data={"id": 7}), emit(shop, data={"id": 8})

    assert [outcome(event)[3] for event in (first, second, other)] == [False, True, False]
    assert [len(task_runs(event)) for event in (first, second, other)] == [1, 0, 1]


def test_a_filter_that_fails_to_render_fails_the_event_run_and_names_the_filter(shop, task):
    add_filter(shop, DIVIDE_BY_ZERO, name="zero")

    event = emit(shop)

    error = 'event filter "zero": Liquid error (line 1, column 8): divided_by: divided by 0'
    assert outcome(event) == ("failed", False, error, False, [])
    assert attempts(event.run) == [{"number": 1, "ok": False, "error": error, "permanent": True}]
    (error_event,) = children(event)
    assert (error_event.topic, error_event.data["message"], error_event.data["filter"]) == (
        "mechanic/errors/event",
        error,
        {"name": "zero"},
    )


def test_an_error_events_failing_filter_emits_no_other_error_event(shop, task):
    add_filter(shop, DIVIDE_BY_ZERO)

    event = emit(shop)

    (error_event,) = children(event)
    error_event.run.refresh_from_db()
    assert (error_event.run.status, error_event.run.error) == (
        "failed",
        'event filter "filter": Liquid error (line 1, column 8): divided_by: divided by 0',
    )
    assert children(error_event) == []
    assert Event.objects.count() == 2


def test_filters_apply_to_error_events(shop):
    make_task(shop, script='{% error "bad" %}')
    listener = make_task(shop, "listener", subscriptions=["mechanic/errors/task"], script='{% log "heard" %}')
    add_filter(shop, '{% if event.topic == "mechanic/errors/task" %}false{% endif %}')

    event = emit(shop)

    (error_event,) = children(event)
    error_event.run.refresh_from_db()
    assert (error_event.run.status, error_event.run.filtered) == ("succeeded", True)
    assert not listener.task_runs.exists()


def test_a_filter_changed_before_a_retry_applies_to_the_retried_run(shop, task):
    event_filter = add_filter(shop, "false")
    event = emit(shop)
    assert outcome(event) == SKIPPED
    event_filter.template = "true"
    event_filter.save()

    retry(event.run)
    perform_event_now(event)

    assert outcome(event) == PASSED
    assert [a["ok"] for a in attempts(event.run)] == [True, True]


def test_the_admin_refuses_a_filter_template_that_does_not_parse(staff, shop):
    response = staff.post(
        "/admin/events/eventfilter/add/", {"shop": shop.pk, "name": "broken", "template": "{% if %}"}
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["template"]
    assert not EventFilter.objects.exists()


def test_the_admin_saves_a_filter_template_that_parses(staff, shop):
    response = staff.post(
        "/admin/events/eventfilter/add/",
        {
            "shop": shop.pk,
            "name": "skip tests",
            "template": '{% if event.topic == "user/test/go" %}false{% endif %}',
        },
    )

    assert response.status_code == 302
    assert outcome(emit(shop))[:4] == ("succeeded", True, None, True)
