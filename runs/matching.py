"""Routing an event to the tasks that respond to it (spec/runtime.md §3.4)."""

from collections.abc import Iterator

from events.models import Event
from events.topics import Subscription
from tasks_app.models import Task

# Topics only the task whose run led to the event receives.
ORIGIN_ONLY_TOPICS = ("mechanic/actions/perform", "mechanic/shopify/bulk_operation")


def subscribed_tasks(event: Event) -> Iterator[tuple[Task, Subscription]]:
    """Yield ``(task, subscription)`` for every matching subscription line of the shop's enabled tasks.

    A task with two lines for the topic (different offsets) yields twice. An event with
    ``task_ids`` reaches only those tasks; ``mechanic/actions/perform`` and
    ``mechanic/shopify/bulk_operation`` only their originating task.
    """
    tasks = Task.objects.filter(shop=event.shop, enabled=True).order_by("created_at")
    if event.task_ids is not None:
        tasks = tasks.filter(id__in=[str(task_id) for task_id in event.task_ids])
    if event.topic in ORIGIN_ONLY_TOPICS:
        tasks = tasks.filter(id=event.origin_task_id) if event.origin_task_id else tasks.none()
    for task in tasks:
        for subscription in task.subscription_objects():
            if subscription.topic == event.topic:
                yield task, subscription
