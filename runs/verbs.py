"""What people do to events and runs, as small functions over the models (spec/runtime.md §9.2,
§12; STYLE.md "The run engine"). The admin, the endpoints and the commands call these; none of
them changes a run's status itself.
"""

from uuid import UUID

from django.utils import timezone

from events.models import Event
from runs import claims, dispatch, retention, retries
from runs.models import ActionRun, EventRun, Run, RunStatus, TaskRun
from runs.models.runs import CANCELLED


class NotRetryable(Exception):
    """The run cannot be retried by hand; the message says why."""


class NotCancellable(Exception):
    """The event cannot be cancelled; the message says why."""


def retry(run: Run) -> Run:
    """Retry ``run`` by hand (§9.2): its result is discarded and it becomes ``due`` now, with a
    fresh allowance of automatic retries. An event run uses the shop's current filters and tasks, a
    task run its task's current code and options, an action run its original options.

    Raises ``NotRetryable`` (with the reason) for a run that is not finished or that produced
    something meaningful (task runs, action runs, or, for an action run, any success).
    """
    reason = retries.not_retryable_reason(run)
    if reason is not None:
        raise NotRetryable(reason)
    reset: dict[str, object] = {"status": RunStatus.DUE, "run_at": timezone.now(), "ok": None, "error": None}
    reset |= {"permanent": None, "result": None, "stopped_at": None, "auto_retries": 0, "enqueued_at": None}
    if isinstance(run, EventRun):
        reset |= {"filtered": False, "cancelled": False}
    if isinstance(run, TaskRun):
        reset |= {"error_details": None}
    if not type(run).objects.filter(pk=run.pk, status=run.status).update(**reset):
        raise NotRetryable(f"the {run.kind} run changed meanwhile; reload it and try again")
    run.refresh_from_db()
    retention.reopen(event_of(run))
    dispatch.enqueue(run)
    return run


def event_of(run: Run) -> Event:
    """The event a run belongs to."""
    if isinstance(run, EventRun | TaskRun):
        return run.event
    if isinstance(run, ActionRun):
        return run.task_run.event
    raise TypeError(f"not a run: {run!r}")


def cancel(event: Event) -> EventRun:
    """Cancel ``event`` while it is queued (§12): its event run, ``scheduled`` or ``due``, fails with
    the error ``Cancelled`` and performs nothing. Raises ``NotCancellable`` once it has started."""
    changes = {"status": RunStatus.FAILED, "ok": False, "error": CANCELLED, "permanent": True}
    changes |= {"cancelled": True, "stopped_at": timezone.now()}
    queued = EventRun.objects.filter(event=event, status__in=(RunStatus.SCHEDULED, RunStatus.DUE))
    if not queued.update(**changes):
        status = EventRun.objects.filter(event=event).values_list("status", flat=True).first()
        states: dict[str | None, str] = {RunStatus.STARTED: "has started", None: "does not exist"}
        state = states.get(status, f"has {status}")
        raise NotCancellable(f"the event run {state}; only a queued event can be cancelled")
    return EventRun.objects.get(event=event)


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


def find_run(run_id: UUID | str) -> Run | None:
    """The event, task or action run with id ``run_id`` (run ids are unique across kinds), or None."""
    for model in claims.BY_PRIORITY:
        run = model.objects.filter(pk=run_id).first()
        if run is not None:
            return run
    return None
