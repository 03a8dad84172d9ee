"""Performing one claimed run, and what follows from its outcome (spec/runtime.md §4.3–§4.5,
§8–§11, §14.3).

``perform_run`` is the one place a claimed run is performed, whether a queue worker or an
in-process caller (``emit_event --sync``, tests) does it:

1. the run's own step: an event run evaluates the filters and creates task runs; a task run
   renders and creates action runs (sequenced ones wait ``unscheduled``; loop protection may fail
   it); an action run performs its action;
2. the attempt is concluded: success, a final failure, or a failure that is retried later
   (``runs.retries``);
3. on a final outcome, the engine's reactions: a follow-up ``mechanic/actions/perform`` event, an
   error event, the next action of a sequence (or the halt of the rest), bulk operation monitors.

It returns the runs that became due, for the caller to perform or queue. A worker that means to
go on itself passes its ``owner`` name: the first run that becomes due is then created already
``started`` under its lease, the slot of the run that created it passing straight to it, which
spares a claim (spec/runtime.md §6 still holds: the shop's count of started runs does not change).
"""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from events.models import Event
from hub.clock import SYSTEM_CLOCK, Clock
from runs import bulk, error_events, filters, loops, retries
from runs.matching import FOLLOW_UP_TOPIC, subscribed_tasks
from runs.models import ActionRun, EventRun, Run, RunStatus, TaskRun
from runs.models.runs import LOOP_DETECTED, SEQUENCE_HALTED, SHOP_UNINSTALLED, TASK_DISABLED, LostClaim
from tasks_app.secrets import new_nonce

logger = logging.getLogger("runs")


def perform_run(
    run: Run, *, enqueue: bool = True, clock: Clock = SYSTEM_CLOCK, owner: str | None = None
) -> list[Run]:
    """Perform a claimed (``started``) run and react to its outcome; returns the runs that became
    due (task runs of an event run, action runs of a task run, the next action of a sequence).

    Never raises for a failure of the run itself: an unexpected exception fails the attempt
    (``internal error: ...``, not permanent) instead of leaving the run ``started``. ``enqueue``
    is passed on to events created on the way (follow-ups, error events, event actions);
    ``clock`` is what Shopify throttling waits on; ``owner``: hand the first due child over to this
    worker (see the module docstring).
    """
    try:
        if run.shop.uninstalled_at is not None:  # nothing of an uninstalled shop is performed
            return conclude(run, enqueue=enqueue, error=SHOP_UNINSTALLED)
        if isinstance(run, EventRun):
            return perform_event_run(run, enqueue=enqueue, owner=owner)
        if isinstance(run, TaskRun):
            return perform_task_run(run, enqueue=enqueue, clock=clock, owner=owner)
        if isinstance(run, ActionRun):
            return perform_action_run(run, enqueue=enqueue, clock=clock)
        raise TypeError(f"not a run: {run!r}")
    except LostClaim as exc:  # a sweeper took the run back; what this attempt wrote was rolled back
        logger.warning("%s", exc)
        return []
    except Exception as exc:  # a bug must end as a failed attempt, never a stuck run (logged below)
        logger.exception("%s run %s crashed", run.kind, run.pk)
        if run.status != RunStatus.STARTED:
            return []
        # An action may have reached the other side before the crash: never retry it by itself.
        permanent = isinstance(run, ActionRun)
        return conclude(
            run, enqueue=enqueue, error=f"internal error: {type(exc).__name__}: {exc}", permanent=permanent
        )


def conclude(
    run: Run,
    *,
    enqueue: bool,
    error: str | None = None,
    result: Any = None,
    permanent: bool = True,
    filter_name: str | None = None,
    **fields: Any,
) -> list[Run]:
    """Conclude ``run``'s attempt (a retry is scheduled for a failure that is not permanent) and,
    when the outcome is final, react to it; returns the runs that became due."""
    retry_at = retries.automatic_retry_at(run, permanent=permanent) if error is not None else None
    run.conclude(error=error, result=result, permanent=permanent, retry_at=retry_at, **fields)
    if not run.is_final:
        logger.info(
            "%s run %s failed (%s); retry %d at %s", run.kind, run.pk, error, run.auto_retries, retry_at
        )
        return []
    return react(run, enqueue=enqueue, filter_name=filter_name)


def react(run: Run, *, enqueue: bool, filter_name: str | None = None) -> list[Run]:
    """The engine's reactions to ``run``'s final outcome; returns the runs that became due."""
    if run.status == RunStatus.FAILED:
        error_events.emit(run, enqueue=enqueue, filter_name=filter_name)
    if not isinstance(run, ActionRun):
        return []
    if run.status == RunStatus.SUCCEEDED and run.action_type == "shopify":
        bulk.register_monitors(run, run.result)
    if run.error not in (TASK_DISABLED, SHOP_UNINSTALLED):
        follow_up(run, enqueue=enqueue)
    return next_in_sequence(run)


# --- event runs -----------------------------------------------------------------------------


def perform_event_run(run: EventRun, *, enqueue: bool, owner: str | None = None) -> list[Run]:
    """Evaluate the shop's event filters, then create one task run per matching subscription
    line, in one transaction with the run's success (§4.3)."""
    verdict = filters.evaluate(run.event)
    if verdict.error is not None:
        return conclude(run, enqueue=enqueue, error=verdict.error, filter_name=verdict.name)
    if not verdict.passed:
        logger.info("event %s skipped by event filter %r", run.event_id, verdict.name)
        return conclude(run, enqueue=enqueue, filtered=True)
    event, now = run.event, timezone.now()
    with transaction.atomic():
        task_runs = [
            task_run_for(run, task, subscription.line, subscription.run_at(now, run.shop.tzinfo))
            for task, subscription in subscribed_tasks(event)
        ]
        handed = hand_over(task_runs, owner, now)
        TaskRun.objects.bulk_create(task_runs)
        conclude(run, enqueue=enqueue, keep_slot=handed)
    return became_due(task_runs)


def task_run_for(event_run: EventRun, task: Any, line: str, run_at: Any) -> TaskRun:
    """An unsaved task run of ``task`` for the event run's event (subscription ``line``, offset
    applied), with the nonce its secret references will carry."""
    return TaskRun(
        shop=event_run.shop,
        event_run=event_run,
        event=event_run.event,
        task=task,
        subscription=line,
        run_at=run_at,
        status=Run.initial_status(run_at),
        secret_nonce=new_nonce(),
    )


def hand_over(children: list[Any], owner: str | None, now: Any) -> bool:
    """Start the first due one of these new runs under ``owner`` (it takes the slot of the run that
    created them), unless it must wait for the shop's Shopify budget; whether one was started."""
    if owner is None:
        return False
    first = next((child for child in children if child.status == RunStatus.DUE), None)
    if first is None or first.waits_for_shopify(now):
        return False
    first.start_unsaved(owner, now)
    return True


def became_due(children: list[Any]) -> list[Run]:
    """The new runs to go on with: the one handed over (already started) first, then the due ones."""
    return [child for child in children if child.status in (RunStatus.STARTED, RunStatus.DUE)]


# --- task runs ------------------------------------------------------------------------------


def perform_task_run(run: TaskRun, *, enqueue: bool, clock: Clock, owner: str | None = None) -> list[Run]:
    """Render the task and create its action runs (§4.4); a disabled or deleted task fails it."""
    task = run.task
    if task is None or not task.enabled:
        return conclude(run, enqueue=enqueue, error=TASK_DISABLED)
    outcome = run.render(clock=clock)
    if outcome.error is not None:
        result = outcome.objects or None
        details = {"error_details": outcome.error_details, "shopify_api_version": run.shopify_api_version}
        return conclude(
            run, enqueue=enqueue, error=outcome.error, result=result, permanent=outcome.permanent, **details
        )
    if loops.follow_up_loop(run, outcome.objects):
        return conclude(run, enqueue=enqueue, error=LOOP_DETECTED, result=outcome.objects)
    fingerprint = loops.update_fingerprint(run, outcome.actions)
    looped = loops.update_loop(run, fingerprint)
    with transaction.atomic():
        action_runs = build_action_runs(run, outcome.actions, looped=looped)
        handed = hand_over(action_runs, owner, timezone.now())
        ActionRun.objects.bulk_create(action_runs)
        conclude(
            run,
            enqueue=enqueue,
            keep_slot=handed,
            result=outcome.objects,
            shopify_api_version=run.shopify_api_version,
            actions_fingerprint=fingerprint,
            sequenced=task.perform_action_runs_in_sequence,
            halt_on_error=task.halt_action_run_sequence_on_error,
        )
    if looped:
        for action_run in action_runs:
            error_events.emit(action_run, enqueue=enqueue)
    return became_due(action_runs)


def build_action_runs(run: TaskRun, actions: list[dict[str, Any]], *, looped: bool) -> list[ActionRun]:
    """One unsaved action run per rendered action, in order (§4.4 step 9): due, or all but the
    first ``unscheduled`` when the task performs its actions in sequence (§8), or already failed
    with the loop error (§10.4)."""
    sequenced = run.task is not None and run.task.perform_action_runs_in_sequence
    built = []
    for position, action in enumerate(actions):
        status = RunStatus.UNSCHEDULED if sequenced and position else RunStatus.DUE
        action_run = ActionRun.build(run, position, action, status=RunStatus.FAILED if looped else status)
        if looped:
            action_run.ok, action_run.error, action_run.permanent = False, loops.UPDATE_LOOP_ERROR, True
            action_run.stopped_at = action_run.run_at
        built.append(action_run)
    return built


# --- action runs ----------------------------------------------------------------------------


def perform_action_run(run: ActionRun, *, enqueue: bool, clock: Clock) -> list[Run]:
    """Perform the action with its frozen options (§4.5); a disabled or deleted task fails it."""
    task = run.task_run.task
    if task is None or not task.enabled:
        return conclude(run, enqueue=enqueue, error=TASK_DISABLED)
    result, error, permanent = run.execute(enqueue=enqueue, clock=clock)
    return conclude(
        run, enqueue=enqueue, error=error, result=result, permanent=permanent, result_meta=run.result_meta
    )


def follow_up(run: ActionRun, *, enqueue: bool) -> Event | None:
    """Create the ``mechanic/actions/perform`` event for ``run``'s final outcome when its task
    subscribes to that topic now, the action is not ``echo`` and did not set
    ``__perform_event: false`` (§10.1); returns it."""
    task = run.task_run.task
    if (
        task is None
        or run.action_type == "echo"
        or not run.perform_event
        or not task.subscribes_to(FOLLOW_UP_TOPIC)
    ):
        return None
    return Event.objects.ingest(
        run.shop,
        FOLLOW_UP_TOPIC,
        run.action_data(),
        source="mechanic",
        enqueue=enqueue,
        parent=run.task_run.event,
        origin_task_id=task.id,
        origin_action_run_id=run.pk,
    )


def next_in_sequence(run: ActionRun) -> list[Run]:
    """In a sequenced task run, release the next action run, or, when ``run`` failed and the
    sequence halts on error, fail every later one unperformed (§8); returns the released run."""
    task_run = run.task_run
    if not task_run.sequenced:
        return []
    later = ActionRun.objects.filter(
        task_run=task_run, position__gt=run.position, status=RunStatus.UNSCHEDULED
    )
    if run.status == RunStatus.FAILED and task_run.halt_on_error:
        now = timezone.now()
        later.update(status=RunStatus.FAILED, ok=False, error=SEQUENCE_HALTED, permanent=True, stopped_at=now)
        return []
    following = later.order_by("position").first()
    if following is None:
        return []
    released = ActionRun.objects.filter(pk=following.pk, status=RunStatus.UNSCHEDULED).update(
        status=RunStatus.DUE, run_at=timezone.now()
    )
    if not released:
        return []
    following.refresh_from_db()
    return [following]
