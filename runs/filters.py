"""Event filters, evaluated at the start of every event run (spec/runtime.md §2.7)."""

from dataclasses import dataclass

from events.models import Event, EventFilter
from tasks_app.liquid import TaskRenderError
from tasks_app.rendering import render_event_filter


@dataclass(frozen=True)
class FilterVerdict:
    """``passed`` false when a filter rendered ``false``; ``error`` (and the filter's ``name``)
    when a filter failed to render."""

    passed: bool = True
    error: str | None = None
    name: str | None = None


def evaluate(event: Event) -> FilterVerdict:
    """Render the shop's current filters for ``event`` in name order; the first ``false`` skips the
    event, the first render failure fails its run."""
    for event_filter in EventFilter.objects.filter(shop_id=event.shop_id).order_by("name"):
        try:
            output = render_event_filter(event_filter.template, event, event.shop)
        except TaskRenderError as exc:
            return FilterVerdict(
                passed=False,
                error=f'event filter "{event_filter.name}": {exc.message}',
                name=event_filter.name,
            )
        if output == "false":
            return FilterVerdict(passed=False, name=event_filter.name)
    return FilterVerdict()
