"""Waking workers and what a woken worker does (spec/runtime.md §6, §16).

The run row is the truth; a Django-Q2 message is only a wake-up call naming a run worth trying
(``wake``), and ``enqueued_at`` says one is out for it. A woken worker claims that run if it still
can, performs it, then goes on without another message: it performs the first run that became due
(a task run of its event run, an action run of its task run) itself and wakes other workers for
the rest, and when its chain ends it takes the best due run that no wake-up call is out for
(``claims.claim_next``: a run refused earlier because its shop had no free slot, or its Shopify
budget was exhausted), until there is none, its time slice is used up, or the cluster is
stopping. A worker that cannot take the run it was woken for clears its ``enqueued_at``, so the
worker that frees the shop's slot takes it. Runs whose wake-up calls were lost are found by the
sweeper (``runs.sweeper``).
"""

import logging
import os
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task

from runs import claims, worker
from runs.engine import perform_run
from runs.models import Run, RunStatus

logger = logging.getLogger("runs.dispatch")

# A woken worker goes on taking due runs for at most this long, then lets the queue move.
TIME_SLICE_S = 30.0


_broker: tuple[int, Broker] | None = None


def broker() -> Broker:
    """This process's Django-Q2 broker, made once: a new one per message opened a new Redis
    connection (with its handshake) for every wake-up call."""
    global _broker
    pid = os.getpid()
    if _broker is None or _broker[0] != pid:
        _broker = (pid, get_broker())
    return _broker[1]


def send_wake(kind: str, run_id: str, *, stamp: bool = True) -> None:
    """Put a wake-up call for run ``run_id`` (of ``kind``) on the queue now; ``stamp``: record it in
    ``enqueued_at`` (not needed when the run was created with it)."""
    if stamp:
        queued = claims.RUN_MODELS[kind].objects.filter(pk=run_id, enqueued_at__isnull=True)
        queued.update(enqueued_at=timezone.now())
    async_task("runs.dispatch.wake", kind, run_id, task_name=f"{kind}-run-{run_id}", broker=broker())


def enqueue(run: Run) -> None:
    """Wake a worker for the due ``run`` once the current transaction commits.

    Does nothing when ``HUB_ENQUEUE_RUNS`` is off (tests and ``--sync`` perform runs in-process).
    """
    if not settings.HUB_ENQUEUE_RUNS:
        return
    kind, run_id, stamped = run.kind, str(run.pk), run.enqueued_at is not None
    transaction.on_commit(lambda: send_wake(kind, run_id, stamp=not stamped))


def enqueue_due(runs: list[Run]) -> None:
    """Wake workers for those of ``runs`` that are due."""
    for run in runs:
        if run.status == RunStatus.DUE:
            enqueue(run)


def wake(kind: str | None = None, run_id: str | None = None) -> str:
    """Django-Q2 entry point: claim run ``run_id`` if it can still be taken and perform it and what
    follows (see the module docstring). Returns a short line for Django-Q2's log."""
    if worker.stopping():
        return "cluster stopping; nothing claimed"
    owner = worker.owner()
    run = claims.claim(kind, run_id, owner) if kind and run_id else claims.claim_next(owner)
    if run is None:
        if kind and run_id:  # still due (no slot, or Shopify's budget): leave it to whoever frees one
            claims.RUN_MODELS[kind].objects.filter(pk=run_id, status=RunStatus.DUE).update(enqueued_at=None)
        return f"{kind} run {run_id} not claimable; skipped"
    performed = drain(run, owner)
    return f"performed {performed} run(s), from {kind} run {run_id}"


def drain(run: Run | None, owner: str) -> int:
    """Perform ``run`` and go on with what becomes due, then with other due runs, within the time
    slice; returns how many runs were performed."""
    deadline = time.monotonic() + TIME_SLICE_S
    performed = 0
    while run is not None:
        worker.ensure_heartbeat()  # it ends when the process holds nothing, as between two runs
        became_due = perform_run(run, owner=owner)
        performed += 1
        run = take_first(became_due, owner)
        if run is None and not worker.stopping() and time.monotonic() < deadline:
            run = claims.claim_next(owner, unwoken_only=True)
    return performed


def take_first(runs: list[Run], owner: str) -> Run | None:
    """Claim the first of ``runs`` for this worker and wake others for the rest (or for the first
    too, when the cluster is stopping or it cannot be claimed here)."""
    taken = None
    for run in runs:
        if run.status == RunStatus.STARTED and run.lease_owner == owner:  # handed over by the engine
            taken = run
            continue
        if taken is None and not worker.stopping():
            taken = type(run).claim(run.pk, owner=owner)
            if taken is not None:
                continue
        enqueue(run)
    return taken
