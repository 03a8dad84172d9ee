"""What people do to events and runs, as small functions over the models (STYLE.md "The run
engine"). The admin, commands and endpoints call these; none of them changes a run's status
itself."""

from events.models import Event


def replay(event: Event) -> Event:
    """Ingest a new event with ``event``'s topic, data, source, Shopify topic, task restriction and
    input (spec/platform.md §9.6); returns the new event, whose runs the engine creates."""
    return Event.objects.ingest(
        event.shop,
        event.topic,
        event.data,
        source=event.source,
        shopify_topic=event.shopify_topic,
        task_ids=event.task_ids,
        input=event.input,
    )
