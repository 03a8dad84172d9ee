"""Loop protection (spec/runtime.md §10.4): a follow-up answered with the predecessor's exact
result, and the third identical answer to Shopify update events for one resource."""

from datetime import timedelta

import pytest
from django.utils import timezone

from runs.models import TaskRun
from tests.runs.engine_helpers import (  # noqa: F401  (fixtures)
    TOPIC,
    action_runs,
    attempts,
    bounded_drain_fixture,
    children,
    emit,
    http_get,
    make_task,
    peer_fixture,
    task_runs,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bounded_drain")]

FOLLOW_UP = "mechanic/actions/perform"
UPDATE = "shopify/products/update"
UPDATE_LOOP_ERROR = (
    "Loop detected: this task rendered the same actions for the same resource three times within "
    "10 minutes in answer to Shopify update events; the actions were not performed"
)


def test_a_follow_up_answered_with_the_predecessors_exact_result_fails_with_loop_detected(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(shop, subscriptions=[TOPIC, FOLLOW_UP], script='{% log "again" %}' + http_get(url))

    event = emit(shop)

    (follow_up,) = children(event, FOLLOW_UP)
    (answer,) = task_runs(follow_up)
    assert (answer.status, answer.ok, answer.error) == ("failed", False, "Loop detected")
    assert answer.action_runs.count() == 0
    assert peer.count("/hook") == 1
    assert [(child.topic, child.data["message"]) for child in children(follow_up)] == [
        ("mechanic/errors/task", "Loop detected")
    ]


def test_a_follow_up_answered_with_a_different_result_goes_on(shop, peer):
    url = peer.answer("/hook", 200)
    script = (
        '{% if event.topic == "mechanic/actions/perform" %}{% log action.run.result.status %}'
        "{% else %}" + http_get(url) + "{% endif %}"
    )
    make_task(shop, subscriptions=[TOPIC, FOLLOW_UP], script=script)

    event = emit(shop)

    (follow_up,) = children(event, FOLLOW_UP)
    (answer,) = task_runs(follow_up)
    assert (answer.status, answer.error, answer.logs) == ("succeeded", None, [200])


def test_the_third_identical_answer_to_updates_of_one_resource_fails_its_actions_unperformed(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(shop, subscriptions=[UPDATE], script=http_get(url))

    events = [emit(shop, UPDATE, {"id": 7, "title": "Hat"}) for _ in range(3)]

    outcomes = [[(run.status, run.error) for run in action_runs(event)] for event in events]
    assert outcomes == [[("succeeded", None)], [("succeeded", None)], [("failed", UPDATE_LOOP_ERROR)]]
    assert peer.count("/hook") == 2
    (looped,) = action_runs(events[2])
    assert (looped.permanent, looped.attempts, looped.started_at) == (True, 0, None)
    assert task_runs(events[2])[0].status == "succeeded"


def test_a_looped_action_run_emits_an_error_event(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(shop, subscriptions=[UPDATE], script=http_get(url))

    events = [emit(shop, UPDATE, {"id": 7}) for _ in range(3)]

    assert [[child.topic for child in children(event)] for event in events] == [
        [],
        [],
        ["mechanic/errors/action"],
    ]
    (error_event,) = children(events[2])
    assert error_event.data["message"] == UPDATE_LOOP_ERROR


def test_updates_of_different_resources_are_not_a_loop(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(shop, subscriptions=[UPDATE], script=http_get(url))

    for product_id in (1, 2, 3):
        emit(shop, UPDATE, {"id": product_id})

    assert peer.count("/hook") == 3


def test_different_actions_for_one_resource_are_not_a_loop(shop, peer):
    urls = [peer.answer(f"/hook/{n}", 200) for n in range(3)]
    make_task(shop, subscriptions=[UPDATE], script=http_get("{{ product.url }}"))

    for url in urls:
        emit(shop, UPDATE, {"id": 7, "url": url})

    assert peer.paths == ["/hook/0", "/hook/1", "/hook/2"]


def test_identical_answers_more_than_ten_minutes_apart_are_not_a_loop(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(shop, subscriptions=[UPDATE], script=http_get(url))
    for _ in range(2):
        emit(shop, UPDATE, {"id": 7})
    TaskRun.objects.update(created_at=timezone.now() - timedelta(minutes=11))

    event = emit(shop, UPDATE, {"id": 7})

    assert [run.status for run in action_runs(event)] == ["succeeded"]
    assert peer.count("/hook") == 3


def test_identical_answers_to_a_non_update_topic_are_not_a_loop(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(shop, subscriptions=["shopify/products/create"], script=http_get(url))

    for _ in range(3):
        emit(shop, "shopify/products/create", {"id": 7})

    assert peer.count("/hook") == 3


def test_orders_updated_counts_as_an_update_topic(shop, peer):
    url = peer.answer("/hook", 200)
    make_task(shop, subscriptions=["shopify/orders/updated"], script=http_get(url))

    events = [emit(shop, "shopify/orders/updated", {"id": 9}) for _ in range(3)]

    assert [attempts(run) == [] for run in action_runs(events[2])] == [True]
    assert peer.count("/hook") == 2
