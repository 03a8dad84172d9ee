"""Event runs, task runs and action runs (spec/runtime.md §4).

Every run is a row with the common fields of §4.2. A run moves
``unscheduled → scheduled → due → started → succeeded|failed`` (§4.1); a failed attempt whose
error is not permanent goes back to ``scheduled`` for an automatic retry (§9.1).

Every change of state is a conditional update on the row (``UPDATE ... WHERE status = 'due'``),
never a read-modify-write: a worker claims a due run by moving it to ``started`` under a lease
(``lease_owner``, ``lease_expires_at``) that its process renews, and takes one of the shop's run
slots in the same transaction (``ShopSlots``, §6). Concluding an attempt releases the slot and
writes a ``RunAttempt`` row; it only counts while the run is still held by the same owner, so a
run a sweeper has already taken back is never concluded twice.

The ``perform`` methods do each kind's own step and return the runs it created; what follows
from an outcome across runs (retries, follow-ups, error events, sequences) is ``runs.engine``'s.
"""

import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from events.models import Event
from hub.clock import SYSTEM_CLOCK, Clock
from hub.fields import JSONField
from integrations.shopify import empty_usage
from integrations.shopify.throttling import budgets_exhausted
from runs import sql
from runs.models.attempts import RunAttempt
from runs.models.slots import ShopSlots
from tasks_app.actions import execute_action
from tasks_app.rendering import RenderOutcome, render_task_run
from tasks_app.secrets import new_nonce

logger = logging.getLogger("runs")

# Error texts the engine itself writes (shown to people and matched by tests).
TASK_DISABLED = "Task is disabled"
SHOP_UNINSTALLED = "Shop uninstalled: the app was removed from this store"
CANCELLED = "Cancelled"
WORKER_LOST = "worker lost while performing; outcome unknown"
SEQUENCE_HALTED = "Skipped: previous action in sequence failed"
LOOP_DETECTED = "Loop detected"


class LostClaim(Exception):
    """The run was taken back (its lease lapsed) before this worker concluded it; whatever the
    worker wrote in the same transaction must be rolled back."""


def stamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and ``Z`` (spec/runtime.md conventions), or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def lease_seconds() -> float:
    """How long a claim holds without renewal (``HUB_RUN_LEASE_S``)."""
    return float(settings.HUB_RUN_LEASE_S)


class RunStatus(models.TextChoices):
    """Run states (spec/runtime.md §4.1)."""

    UNSCHEDULED = "unscheduled"
    SCHEDULED = "scheduled"
    DUE = "due"
    STARTED = "started"
    FAILED = "failed"
    SUCCEEDED = "succeeded"


FINAL_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED)
PENDING_STATUSES = (RunStatus.UNSCHEDULED, RunStatus.SCHEDULED, RunStatus.DUE, RunStatus.STARTED)


class Run(models.Model):
    """Fields and state changes shared by every kind of run (spec/runtime.md §4.2).

    ``kind`` is ``event``, ``task`` or ``action``; ``priority`` orders due runs of a shop (action
    runs first, then task runs, then event runs, §6). ``permanent`` says whether the last error
    is permanent; ``auto_retries`` counts the automatic retries since the run was last started
    by hand (§9.1: at most four).
    """

    kind: ClassVar[str] = ""
    priority: ClassVar[int] = 0
    # What performing a run of this kind reads, loaded with the claim in one query.
    claim_related: ClassVar[tuple[str, ...]] = ("shop__rate_limit_state",)
    # time.monotonic() when this process started the run (claim(), Action.execute), for elapsed_time_ms.
    _clock: float

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=RunStatus.choices, db_index=True)
    ok = models.BooleanField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    permanent = models.BooleanField(null=True, blank=True, help_text="Whether the last error is permanent.")
    result = JSONField(null=True, blank=True)
    result_meta = JSONField(default=empty_usage, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    auto_retries = models.PositiveIntegerField(default=0)
    run_at = models.DateTimeField(db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    elapsed_time_ms = models.PositiveIntegerField(null=True, blank=True)
    lease_owner = models.CharField(
        max_length=128, blank=True, default="", help_text="Worker holding the run."
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    # Declared here so that every kind of run has its own ``objects`` (and type checkers see it).
    objects = models.Manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @staticmethod
    def initial_status(run_at: datetime) -> str:
        """``scheduled`` for a future ``run_at``, ``due`` otherwise."""
        return RunStatus.SCHEDULED if run_at > timezone.now() else RunStatus.DUE

    @property
    def is_final(self) -> bool:
        """Succeeded, or failed with no retry to come."""
        return self.status in FINAL_STATUSES

    # --- claiming ---------------------------------------------------------------------------

    @classmethod
    def claim(
        cls, run_id: uuid.UUID | str, *, owner: str = "inline", now: datetime | None = None
    ) -> Self | None:
        """Take a due run for performing: ``due`` → ``started`` under ``owner``'s lease, with
        one of its shop's run slots (spec/runtime.md §6). None when the run is not due, when the
        shop has no free slot, or when it needs Shopify and the shop's budget is exhausted at
        ``now`` (default: the current time); the run then stays due."""
        now = now or timezone.now()
        with transaction.atomic():
            taken = cls.objects.filter(pk=run_id, status=RunStatus.DUE).update(
                status=RunStatus.STARTED,
                started_at=now,
                attempts=F("attempts") + 1,
                lease_owner=owner,
                lease_expires_at=now + timedelta(seconds=lease_seconds()),
            )
            if not taken:
                return None
            run = cls.objects.select_related(*cls.claim_related).get(pk=run_id)
            if run.waits_for_shopify(now) or not ShopSlots.take(
                run.shop_id, run.shop.run_concurrency, now=now
            ):
                transaction.set_rollback(True)
                return None
        run._clock = time.monotonic()
        return run

    def start_unsaved(self, owner: str, now: datetime) -> None:
        """Make this new, not yet saved run start at once under ``owner``: a worker going straight
        on with it, the slot of the run that created it passing to it (see ``conclude``)."""
        self.status, self.started_at, self.attempts = RunStatus.STARTED, now, 1
        self.lease_owner, self.lease_expires_at = owner, now + timedelta(seconds=lease_seconds())
        self._clock = time.monotonic()

    def uses_shopify(self) -> bool:
        """Whether this run waits for the shop's Shopify budget before it starts (§6, §14.1)."""
        return False

    def waits_for_shopify(self, now: datetime) -> bool:
        """Whether this run must wait because its shop's Shopify budget is exhausted: task runs
        and Shopify action runs do, others may start meanwhile (spec/runtime.md §6, §14.1)."""
        return self.uses_shopify() and budgets_exhausted(
            getattr(self.shop, "rate_limit_state", None), now=now
        )

    # --- concluding an attempt --------------------------------------------------------------

    def conclude(
        self,
        *,
        error: str | None = None,
        result: Any = None,
        permanent: bool = True,
        retry_at: datetime | None = None,
        keep_slot: bool = False,
        **fields: Any,
    ) -> None:
        """Record the outcome of the current attempt and release the run's slot.

        Without ``error`` the run succeeds. With an ``error`` it fails, or, when ``retry_at`` is
        given, goes back to ``scheduled`` for that time (an automatic retry, spec/runtime.md §9.1).
        ``fields`` are other columns to store (``error_details``, ``result_meta``...). Writes the
        attempt's ``RunAttempt`` row. ``keep_slot``: the slot passes to a run this one hands over to
        (created ``started`` in the same transaction). Raises ``LostClaim`` (storing nothing) when
        the run is no longer held as this object knows it (a sweeper took it back meanwhile).
        """
        now = timezone.now()
        held_as, owner = self.status, self.lease_owner
        self._apply_outcome(now, error=error, result=result, permanent=permanent, retry_at=retry_at)
        for name, value in fields.items():
            setattr(self, name, value)
        columns = [
            "status", "ok", "error", "permanent", "result", "result_meta", "run_at", "stopped_at",
            "elapsed_time_ms", "lease_owner", "lease_expires_at", "auto_retries", "attempts", "started_at",
            *fields,
        ]  # fmt: skip
        with transaction.atomic(savepoint=False):
            values = {name: getattr(self, name) for name in columns}
            lost = not sql.update(
                type(self), values, {"id": self.pk, "status": held_as, "lease_owner": owner}
            )
            if not lost:
                if held_as == RunStatus.STARTED and not keep_slot:
                    ShopSlots.release(self.shop_id)
                permanence = permanent if error is not None else None
                RunAttempt.record(self, error=error, permanent=permanence, worker=owner, now=now)
        if lost:  # raised outside the block: nothing was written in it, and it must not be poisoned
            raise LostClaim(f"{self.kind} run {self.pk} was taken back before it concluded")

    def _apply_outcome(
        self, now: datetime, *, error: str | None, result: Any, permanent: bool, retry_at: datetime | None
    ) -> None:
        started = getattr(self, "_clock", None)
        if started is not None:
            self.elapsed_time_ms = int((time.monotonic() - started) * 1000)
        elif self.started_at:
            self.elapsed_time_ms = int((now - self.started_at).total_seconds() * 1000)
        if not self.attempts:  # concluded without a claim (a run failed before it could start)
            self.attempts = 1
            self.started_at = self.started_at or now
        self.ok = error is None
        self.error = error
        self.permanent = permanent if error is not None else None
        self.result = result
        self.stopped_at = now
        self.lease_owner, self.lease_expires_at = "", None
        if error is not None and retry_at is not None:
            self.status, self.run_at = RunStatus.SCHEDULED, retry_at
            self.auto_retries += 1
        else:
            self.status = RunStatus.FAILED if error is not None else RunStatus.SUCCEEDED

    def run_data(self) -> dict[str, Any]:
        """The run as follow-up and error events expose it (spec/runtime.md §4.6): the §4.2 fields
        except ``status``."""
        return {
            "id": str(self.id),
            "ok": self.ok,
            "error": self.error,
            "result": self.result,
            "result_meta": self.result_meta,
            "attempts": self.attempts,
            "run_at": stamp(self.run_at),
            "enqueued_at": stamp(self.enqueued_at),
            "started_at": stamp(self.started_at),
            "stopped_at": stamp(self.stopped_at),
            "elapsed_time_ms": self.elapsed_time_ms,
        }


class EventRun(Run):
    """Finds the tasks subscribed to an event and creates their task runs (spec/runtime.md §4.3).

    ``filtered``: an event filter returned ``false`` (§2.7); ``cancelled``: cancelled while
    queued (§12, recorded as failed with the error ``Cancelled``).
    """

    kind = "event"
    priority = 2
    claim_related = ("shop__rate_limit_state", "event")

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="run")
    filtered = models.BooleanField(default=False, help_text="An event filter returned false.")
    cancelled = models.BooleanField(default=False)

    class Meta(Run.Meta):
        verbose_name = "event run"
        indexes = [models.Index(fields=["status", "run_at"], name="eventrun_status_run_at")]

    def __str__(self) -> str:
        return f"event run {self.id} ({self.status})"

    @classmethod
    def create_for(cls, event: Event, *, run_at: datetime | None = None, queued: bool = False) -> "EventRun":
        """Create the event run of ``event``: ``due``, or ``scheduled`` when ``run_at`` is later.
        ``queued``: a wake-up call for it goes out when the transaction commits (``enqueued_at``)."""
        # Due at the event's creation, or later when asked; never before the event exists.
        run_at = max(run_at or event.created_at, event.created_at)
        status = cls.initial_status(run_at)
        enqueued_at = timezone.now() if queued and status == RunStatus.DUE else None
        return cls.objects.create(
            shop=event.shop, event=event, run_at=run_at, status=status, enqueued_at=enqueued_at
        )


class TaskRun(Run):
    """Renders a task's script for an event and creates its action runs (spec/runtime.md §4.4).

    ``sequenced`` and ``halt_on_error`` are the task's sequence settings as they were when this
    run created its action runs (§8); ``actions_fingerprint`` identifies its rendered actions for
    loop protection (§10.4).
    """

    kind = "task"
    priority = 1
    claim_related = ("shop__rate_limit_state", "event", "task")

    event_run = models.ForeignKey(EventRun, on_delete=models.CASCADE, related_name="task_runs")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="task_runs")
    task = models.ForeignKey("tasks_app.Task", null=True, on_delete=models.SET_NULL, related_name="task_runs")
    subscription = models.CharField(max_length=255, help_text="The subscription line that matched.")
    shopify_api_version = models.CharField(max_length=20, blank=True, default="")
    error_details = models.TextField(
        null=True, blank=True, help_text="Where a Liquid error happened: source line and caret."
    )
    secret_nonce = models.CharField(
        max_length=64, blank=True, default="", help_text="Nonce of this run's secret references."
    )
    sequenced = models.BooleanField(default=False, help_text="Action runs are performed one at a time.")
    halt_on_error = models.BooleanField(default=False, help_text="A failed action halts the sequence.")
    actions_fingerprint = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta(Run.Meta):
        verbose_name = "task run"
        indexes = [models.Index(fields=["status", "run_at"], name="taskrun_status_run_at")]

    def __str__(self) -> str:
        return f"task run {self.id} ({self.status})"

    def uses_shopify(self) -> bool:
        """Task runs may read from Shopify while rendering (§14.1)."""
        return True

    @property
    def logs(self) -> list[Any]:
        """The values of the log objects the script rendered, in order."""
        return [obj["log"] for obj in self.result or [] if isinstance(obj, dict) and "log" in obj]

    def render(self, *, clock: Clock = SYSTEM_CLOCK) -> RenderOutcome:
        """Render the task's current script and options for this run's event (§4.4 steps 2–7).

        Stores the task's Shopify API version on the run and makes its secret nonce before the
        first render. ``clock`` is what Shopify throttling waits on (tests pass a fake one).
        """
        if self.task is None:
            raise ValueError(f"task run {self.pk} has no task to render")
        self.shopify_api_version = self.task.shopify_api_version
        if not self.secret_nonce:
            self.secret_nonce = new_nonce()
            TaskRun.objects.filter(pk=self.pk).update(secret_nonce=self.secret_nonce)
        return render_task_run(self, clock=clock)


class ActionRun(Run):
    """Performs one action and records its result (spec/runtime.md §4.5, spec/actions.md)."""

    kind = "action"
    priority = 0
    claim_related = ("shop__rate_limit_state", "task_run__task", "task_run__event")

    task_run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="action_runs")
    position = models.PositiveIntegerField(default=0, help_text="Order among the task run's actions.")
    action_type = models.CharField(max_length=64)
    options = JSONField(null=True, blank=True)
    meta = JSONField(null=True, blank=True)
    perform_event = models.BooleanField(
        default=True, help_text="False when the action set __perform_event: false."
    )
    shopify_api_version = models.CharField(max_length=20, blank=True, default="")

    class Meta(Run.Meta):
        verbose_name = "action run"
        ordering = ["task_run", "position"]
        indexes = [models.Index(fields=["status", "run_at"], name="actionrun_status_run_at")]

    def __str__(self) -> str:
        return f"{self.action_type} action run {self.id} ({self.status})"

    def uses_shopify(self) -> bool:
        """Shopify action runs wait for the shop's Shopify budget (§4.5 step 3)."""
        return self.action_type == "shopify"

    @classmethod
    def build(cls, task_run: TaskRun, position: int, action: dict[str, Any], *, status: str) -> "ActionRun":
        """An unsaved action run from a rendered action object (spec/runtime.md §4.4 step 9).

        Control parameters written as option keys (``__meta``, ``__perform_event``) are taken out
        of the options here (spec/actions.md §0.1).
        """
        options = action.get("options")
        meta = action.get("meta")
        perform_event = action.get("__perform_event") is not False
        if isinstance(options, dict) and ("__meta" in options or "__perform_event" in options):
            options = dict(options)
            if "__meta" in options:
                meta = options.pop("__meta")
            if "__perform_event" in options and options.pop("__perform_event") is False:
                perform_event = False
        return cls(
            shop=task_run.shop,
            task_run=task_run,
            position=position,
            action_type=str(action.get("type") or ""),
            options=options,
            meta=meta,
            perform_event=perform_event,
            shopify_api_version=task_run.shopify_api_version,
            run_at=timezone.now(),
            status=status,
        )

    @classmethod
    def from_action(cls, task_run: TaskRun, position: int, action: dict[str, Any]) -> "ActionRun":
        """Create a due action run from a rendered action object (see ``build``)."""
        run = cls.build(task_run, position, action, status=RunStatus.DUE)
        run.save(force_insert=True)
        return run

    def action_data(self) -> dict[str, Any]:
        """The ``action`` object of follow-up and error events (spec/runtime.md §10.2): ``type``,
        ``options`` (control parameters removed, secrets still as references), ``meta`` and
        ``run``."""
        return {"type": self.action_type, "options": self.options, "meta": self.meta, "run": self.run_data()}

    def execute(self, *, enqueue: bool = True, clock: Clock = SYSTEM_CLOCK) -> tuple[Any, str | None, bool]:
        """Perform the action with its frozen options (§4.5 steps 4–6); returns
        ``(result, error, permanent)``. ``enqueue`` is handed to actions that create events;
        ``clock`` is what Shopify throttling waits on."""
        outcome = execute_action(self, enqueue=enqueue, clock=clock)
        return outcome.result, outcome.error, outcome.permanent
