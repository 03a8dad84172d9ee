"""The scheduler topics' minute tick: which shops' tasks subscribe to which scheduler topics
(spec/runtime.md §2.3.1). The clock arithmetic and the firing live in ``events.scheduler``."""

from datetime import datetime

from django.utils import timezone

from events.models import Event
from events.scheduler import fire_due_ticks
from events.topics import SCHEDULER_TOPICS
from integrations.models import Shop
from tasks_app.models import Task


def subscribed_scheduler_topics(shop: Shop) -> set[str]:
    """Scheduler topics that at least one enabled task of ``shop`` subscribes to."""
    topics: set[str] = set()
    for task in Task.objects.filter(shop=shop, enabled=True):
        for subscription in task.subscription_objects():
            if subscription.topic in SCHEDULER_TOPICS:
                topics.add(subscription.topic)
    return topics


def tick(now: datetime | None = None) -> list[Event]:
    """Fire every due scheduler tick for every shop (Django-Q2 calls this every minute);
    returns the events created."""
    now = now or timezone.now()
    created: list[Event] = []
    for shop in Shop.objects.all():
        created += fire_due_ticks(shop, subscribed_scheduler_topics(shop), now)
    return created
