"""The activity page and the home page's current activity (issue 10, item 5; spec/platform.md §9.5)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from integrations.models import Shop
from runs.activity import activity, current
from runs.models import ActionRun, EventRun
from tests.runs.engine_helpers import emit, ingest, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(shop):
    make_task(shop, name="Echo", subscriptions=["user/a/b", "user/c/d"], script='{% action "echo", n: 1 %}')
    emit(shop, "user/a/b")
    emit(shop, "user/a/b")
    failed = emit(shop, "user/c/d")
    ActionRun.objects.filter(task_run__event=failed).update(status="failed", ok=False, error="x")
    old = emit(shop, "user/c/d")
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    return shop


def test_a_window_counts_events_runs_and_outcomes(history):
    found = activity(Shop.objects.all(), "24h")

    assert (found.events, found.task_runs, found.action_runs) == (3, 3, 3)
    assert (found.succeeded, found.failed) == (8, 1)  # 3 event runs, 3 task runs, 2 of 3 action runs
    assert [(row["topic"], row["n"]) for row in found.by_topic] == [("user/a/b", 2), ("user/c/d", 1)]
    assert [(row["task__name"], row["n"], row["failed"]) for row in found.by_task] == [("Echo", 3, 0)]
    assert [(row["action_type"], row["n"], row["failed"]) for row in found.by_action] == [("echo", 3, 1)]
    assert activity(Shop.objects.all(), "7d").events == 4


def test_the_page_keeps_its_window_in_the_url_and_links_to_the_filtered_event_list(admin_client, history):
    html = admin_client.get("/admin/events/event/activity/?window=7d").content.decode()

    assert "<strong>7d</strong>" in html and '<a href="?window=24h">24h</a>' in html
    link = html.split('id="by-topic"')[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    listed = admin_client.get(link).context["cl"].result_list
    assert {event.topic for event in listed} == {"user/a/b"}
    assert len(listed) == 2


def test_current_activity_counts_running_waiting_and_backed_up_runs(shop):
    make_task(shop, script='{% action "echo", n: 1 %}')
    waiting = ingest(shop)
    ingest(shop)
    EventRun.objects.filter(event=waiting).update(run_at=timezone.now() - timedelta(minutes=5))

    assert current(Shop.objects.all()) == {"running": 0, "waiting": 2, "backed_up": 1}


def test_the_home_page_shows_current_activity(admin_client, shop):
    ingest(shop)

    html = admin_client.get("/admin/").content.decode()

    assert 'aria-label="Current activity"' in html
    assert "0 runs running · 1 waiting" in html


def test_the_page_does_a_fixed_number_of_queries(admin_client, history):
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/admin/events/event/activity/")
    for _ in range(5):
        emit(history, "user/a/b")
    with CaptureQueriesContext(connection) as many:
        admin_client.get("/admin/events/event/activity/")

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_event_list_links_the_activity_page(admin_client, shop):
    assert (
        'href="/admin/events/event/activity/">Activity</a>'
        in admin_client.get("/admin/events/event/").content.decode()
    )
