"""The ``event`` action: creates a ``user/`` child event, now or later (spec/actions.md §8)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as date_parser
from django.utils import timezone

from events.topics import WEBHOOK_TOPIC_RE
from tasks_app.actions.base import (
    Action,
    ActionContext,
    OptionError,
    compact_json,
    describe,
    register,
    require_object,
    string_option,
)


@dataclass(frozen=True)
class EventOptions:
    """Validated ``event`` options (spec/actions.md §8).

    ``run_at``: None for now; naive when the text named no zone (the shop's zone applies).
    ``task_ids``: the only tasks that may respond (from ``task_id`` or ``task_ids``), or None.
    """

    topic: str
    data: Any
    run_at: datetime | None
    task_ids: list[str] | None


def parse_run_at(value: Any) -> datetime:
    """``run_at`` as a datetime: aware, or naive when a time string names no zone.

    Numbers and numeric strings are Unix seconds (floats truncated); other
    strings are parsed with python-dateutil. The caller takes a naive result in
    the shop's zone. Raises ``OptionError`` for anything else.
    """
    if isinstance(value, bool):
        raise OptionError("run_at", f"must be a Unix timestamp or a time string, got {compact_json(value)}")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text)
        except ValueError:
            if not text:
                raise OptionError("run_at", "must not be blank") from None
            try:
                parsed = date_parser.parse(text)
            except (ValueError, OverflowError):
                raise OptionError("run_at", f"could not parse {value!r} as a time") from None
            return parsed
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(int(value), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise OptionError("run_at", f"{compact_json(value)} is not a usable Unix timestamp") from None
    raise OptionError("run_at", f"must be a Unix timestamp or a time string, got {describe(value)}")


def parse_task_id(value: Any, name: str) -> str:
    """A task id in canonical UUID form; raises ``OptionError`` when it is not a UUID."""
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value.strip()))
        except ValueError:
            pass
    raise OptionError(name, f"{compact_json(value)} is not a task id (UUID)")


@register
class EventAction(Action):
    """Creates an ``Event`` whose parent is the generating task run's event.

    Options (object): ``topic`` (``user/<subject>/<verb>``, required), ``data``
    (any JSON, absent → null), ``run_at`` (Unix seconds or a time string; past
    → now), ``task_id`` or ``task_ids`` (not both; task UUIDs). Result:
    ``{"event": {"id", "topic", "run_at"}}`` with ``run_at`` the event run's
    ISO 8601 instant. All errors are permanent.
    """

    type = "event"

    def validate(self, options: Any) -> EventOptions:
        options = require_object(options)
        topic = string_option(options, "topic", require=True)
        if not WEBHOOK_TOPIC_RE.fullmatch(topic):
            raise OptionError(
                "topic", f"{topic!r} must be user/<subject>/<verb> (lowercase letters, digits, _)"
            )
        task_id, task_ids = options.get("task_id"), options.get("task_ids")
        if task_id is not None and task_ids is not None:
            raise OptionError("task_ids", 'cannot be given together with "task_id"')
        ids = None
        if task_id is not None:
            ids = [parse_task_id(task_id, "task_id")]
        elif task_ids is not None:
            if not isinstance(task_ids, list):
                raise OptionError("task_ids", f"must be an array of task ids, got {describe(task_ids)}")
            ids = list(dict.fromkeys(parse_task_id(item, "task_ids") for item in task_ids))
        run_at = options.get("run_at")
        return EventOptions(
            topic=topic,
            data=options.get("data"),
            run_at=None if run_at is None else parse_run_at(run_at),
            task_ids=ids,
        )

    def perform(self, context: ActionContext) -> dict:
        from events.models import Event

        options: EventOptions = context.options
        run_at = options.run_at
        if run_at is not None and run_at.tzinfo is None:
            run_at = run_at.replace(tzinfo=context.shop.tzinfo)
        event = Event.objects.ingest(
            context.shop,
            options.topic,
            options.data,
            source="action",
            run_at=run_at,
            enqueue=context.enqueue,
            parent=context.run.task_run.event,
            task_ids=options.task_ids,
        )
        # When the event's processing begins: its run_at, never before the event exists.
        starts = max(run_at or event.created_at, event.created_at)
        stamp = timezone.localtime(starts, UTC).isoformat().replace("+00:00", "Z")
        return {"event": {"id": str(event.id), "topic": event.topic, "run_at": stamp}}
