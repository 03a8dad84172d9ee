"""Performing one claimed run and what follows from it (spec/runtime.md §4.3–§4.5).

``perform_run`` is the one place a claimed run is performed, whether a queue worker or an
in-process caller (``emit_event --sync``, tests) does it: the run's own step, then the
engine's reactions to its outcome (a finished ``shopify`` action run that started bulk
operations gets their monitors, §14.3). It returns the runs the step created, for the caller
to queue or perform.
"""

import logging

from hub.clock import SYSTEM_CLOCK, Clock
from runs import bulk
from runs.models import ActionRun, EventRun, Run, RunStatus, TaskRun

logger = logging.getLogger("runs")


def perform_run(run: Run, *, enqueue: bool = True, clock: Clock = SYSTEM_CLOCK) -> list[Run]:
    """Perform a claimed (``started``) run; returns the child runs it created (task runs of an
    event run, action runs of a task run; none for an action run).

    Never raises for a failure of the run itself: an unexpected exception fails the run
    (``internal error: ...``) instead of leaving it ``started``. ``enqueue`` is passed to actions
    that create events; ``clock`` is what Shopify throttling waits on.
    """
    try:
        return _perform(run, enqueue=enqueue, clock=clock)
    except Exception as exc:  # a bug must end as a failed run, never a stuck one (logged below)
        logger.exception("%s run %s crashed", run.kind, run.pk)
        run.finish(error=f"internal error: {type(exc).__name__}: {exc}")
        return []


def _perform(run: Run, *, enqueue: bool, clock: Clock) -> list[Run]:
    if isinstance(run, EventRun):
        return list(run.perform())
    if isinstance(run, TaskRun):
        return list(run.perform(clock=clock))
    if isinstance(run, ActionRun):
        run.perform(enqueue=enqueue, clock=clock)
        if run.status == RunStatus.SUCCEEDED and run.action_type == "shopify":
            bulk.register_monitors(run, run.result)
        return []
    raise TypeError(f"not a run: {run!r}")
