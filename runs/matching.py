"""Routing an event to the tasks that respond to it (spec/runtime.md §3.4, §11.2)."""

from collections.abc import Iterator

from events.models import Event
from events.topics import Subscription
from tasks_app.models import Task

FOLLOW_UP_TOPIC = "mechanic/actions/perform"
BULK_OPERATION_TOPIC = "mechanic/shopify/bulk_operation"
ERROR_TOPIC_PREFIX = "mechanic/errors/"
EVENT_ERROR_TOPIC = "mechanic/errors/event"
# Topics only the task whose run led to the event receives.
ORIGIN_ONLY_TOPICS = (FOLLOW_UP_TOPIC, BULK_OPERATION_TOPIC)


def is_error_topic(topic: str) -> bool:
    """Whether ``topic`` is one of the ``mechanic/errors/*`` topics."""
    return topic.startswith(ERROR_TOPIC_PREFIX)


def handles_only_errors(subscriptions: list[Subscription]) -> bool:
    """Whether every subscription line is an error topic (such a task hears every error, §11.2)."""
    return bool(subscriptions) and all(is_error_topic(sub.topic) for sub in subscriptions)


def receives_error(event: Event, task: Task, subscriptions: list[Subscription]) -> bool:
    """Whether ``task`` receives the error event ``event`` (§3.4, §11.2): tasks subscribed only to
    error topics receive every error of the shop and are the only receivers of
    ``mechanic/errors/event``; other tasks receive task and action errors about their own runs."""
    if handles_only_errors(subscriptions):
        return True
    return event.topic != EVENT_ERROR_TOPIC and event.origin_task_id == task.id


def subscribed_tasks(event: Event) -> Iterator[tuple[Task, Subscription]]:
    """Yield ``(task, subscription)`` for every matching subscription line of the shop's enabled tasks.

    A task with two lines for the topic (different offsets) yields twice. An event with
    ``task_ids`` reaches only those tasks; ``mechanic/actions/perform`` and
    ``mechanic/shopify/bulk_operation`` only their originating task; error events as
    ``receives_error`` says.
    """
    tasks = Task.objects.filter(shop_id=event.shop_id, enabled=True).order_by("created_at")
    if event.task_ids is not None:
        tasks = tasks.filter(id__in=[str(task_id) for task_id in event.task_ids])
    if event.topic in ORIGIN_ONLY_TOPICS:
        tasks = tasks.filter(id=event.origin_task_id) if event.origin_task_id else tasks.none()
    for task in tasks:
        subscriptions = task.subscription_objects()
        if is_error_topic(event.topic) and not receives_error(event, task, subscriptions):
            continue
        for subscription in subscriptions:
            if subscription.topic == event.topic:
                yield task, subscription
