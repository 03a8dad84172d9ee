"""Event runs, task runs and action runs (spec/runtime.md §4).

Every run is a row with the common fields of §4.2. A run moves
``scheduled → due → started → succeeded|failed``; a worker claims it with a
conditional update (``due`` → ``started``), so a redelivered queue message for
a run that is no longer due does nothing (spec/runtime.md §16).
"""

import logging
import time
import uuid
from datetime import datetime
from typing import Any, Self

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from events.models import Event
from hub.clock import SYSTEM_CLOCK, Clock
from hub.fields import JSONField
from integrations.shopify import empty_usage
from runs.matching import subscribed_tasks
from tasks_app.actions import perform_action
from tasks_app.rendering import render_task_run
from tasks_app.secrets import new_nonce

logger = logging.getLogger("runs")


class RunStatus(models.TextChoices):
    """Run states (spec/runtime.md §4.1)."""

    UNSCHEDULED = "unscheduled"
    SCHEDULED = "scheduled"
    DUE = "due"
    STARTED = "started"
    FAILED = "failed"
    SUCCEEDED = "succeeded"


class Run(models.Model):
    """Fields and state changes shared by every kind of run (spec/runtime.md §4.2)."""

    kind = ""
    # time.monotonic() when this process started the run (claim(), Action.execute), for elapsed_time_ms.
    _clock: float

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=RunStatus.choices, db_index=True)
    ok = models.BooleanField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    result = JSONField(null=True, blank=True)
    result_meta = JSONField(default=empty_usage, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    run_at = models.DateTimeField(db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    elapsed_time_ms = models.PositiveIntegerField(null=True, blank=True)
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

    @classmethod
    def claim(cls, run_id: uuid.UUID | str) -> Self | None:
        """Take a due run for performing (``due`` → ``started``); None when it is not due."""
        now = timezone.now()
        claimed = cls.objects.filter(pk=run_id, status=RunStatus.DUE).update(
            status=RunStatus.STARTED, started_at=now, attempts=F("attempts") + 1
        )
        if not claimed:
            return None
        run = cls.objects.get(pk=run_id)
        run._clock = time.monotonic()
        return run

    def finish(self, *, error: str | None = None, result: Any = None, **fields: Any) -> None:
        """Record the outcome: ``succeeded`` without ``error``, else ``failed``."""
        now = timezone.now()
        started = getattr(self, "_clock", None)
        self.status = RunStatus.FAILED if error is not None else RunStatus.SUCCEEDED
        self.ok = error is None
        self.error = error
        self.result = result
        self.stopped_at = now
        if started is not None:
            self.elapsed_time_ms = int((time.monotonic() - started) * 1000)
        elif self.started_at:
            self.elapsed_time_ms = int((now - self.started_at).total_seconds() * 1000)
        for name, value in fields.items():
            setattr(self, name, value)
        self.save()

    def run_data(self) -> dict[str, Any]:
        """The run as follow-up and error events expose it (spec/runtime.md §4.6)."""

        def stamp(value: datetime | None) -> str | None:
            return value.isoformat().replace("+00:00", "Z") if value else None

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
    """Finds the tasks subscribed to an event and creates their task runs (spec/runtime.md §4.3)."""

    kind = "event"

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="run")

    class Meta(Run.Meta):
        verbose_name = "event run"

    def __str__(self) -> str:
        return f"event run {self.id} ({self.status})"

    @classmethod
    def create_for(cls, event: Event, *, run_at: datetime | None = None) -> "EventRun":
        """Create the event run of ``event``: ``due``, or ``scheduled`` when ``run_at`` is later."""
        # Due at the event's creation, or later when asked; never before the event exists.
        run_at = max(run_at or event.created_at, event.created_at)
        return cls.objects.create(
            shop=event.shop, event=event, run_at=run_at, status=cls.initial_status(run_at)
        )

    def perform(self) -> list["TaskRun"]:
        """Match enabled tasks by subscription and create one task run per matching line
        (spec/runtime.md §3.4, §4.3); returns the task runs created.

        A failure to match fails this run (recorded, never raised) and creates nothing.
        """
        event = self.event
        try:
            with transaction.atomic():
                task_runs = []
                now = timezone.now()
                for task, subscription in subscribed_tasks(event):
                    run_at = subscription.run_at(now, event.shop.tzinfo)
                    task_runs.append(
                        TaskRun.objects.create(
                            shop=event.shop,
                            event_run=self,
                            event=event,
                            task=task,
                            subscription=subscription.line,
                            run_at=run_at,
                            status=self.initial_status(run_at),
                        )
                    )
                self.finish(result=None)
        except Exception as exc:
            logger.exception("event run %s failed", self.id)
            self.finish(error=f"{type(exc).__name__}: {exc}")
            return []
        return task_runs


class TaskRun(Run):
    """Renders a task's script for an event and creates its action runs (spec/runtime.md §4.4)."""

    kind = "task"

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

    class Meta(Run.Meta):
        verbose_name = "task run"

    def __str__(self) -> str:
        return f"task run {self.id} ({self.status})"

    @property
    def logs(self) -> list:
        """The values of the log objects the script rendered, in order."""
        return [obj["log"] for obj in self.result or [] if isinstance(obj, dict) and "log" in obj]

    def perform(self, *, clock: Clock = SYSTEM_CLOCK) -> list["ActionRun"]:
        """Render the task and create its action runs (spec/runtime.md §4.4); returns them (none on
        failure). Secret references carry this run's nonce, made and stored before the first render.

        ``clock`` is what Shopify throttling waits on while rendering (tests pass a fake one).
        """
        task = self.task
        if task is None or not task.enabled:
            self.finish(error="Task is disabled")
            return []
        self.shopify_api_version = task.shopify_api_version
        if not self.secret_nonce:
            self.secret_nonce = new_nonce()
            TaskRun.objects.filter(pk=self.pk).update(secret_nonce=self.secret_nonce)
        outcome = render_task_run(self, clock=clock)
        if outcome.error is not None:
            self.finish(
                error=outcome.error, result=outcome.objects or None, error_details=outcome.error_details
            )
            return []
        with transaction.atomic():
            action_runs = [
                ActionRun.from_action(self, position, action)
                for position, action in enumerate(outcome.actions)
            ]
            self.finish(result=outcome.objects)
        return action_runs


class ActionRun(Run):
    """Performs one action and records its result (spec/runtime.md §4.5, spec/actions.md)."""

    kind = "action"

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

    def __str__(self) -> str:
        return f"{self.action_type} action run {self.id} ({self.status})"

    @classmethod
    def from_action(cls, task_run: TaskRun, position: int, action: dict) -> "ActionRun":
        """Create a due action run from a rendered action object (spec/runtime.md §4.4 step 9).

        Control parameters written as option keys (``__meta``, ``__perform_event``)
        are taken out of the options here (spec/actions.md §0.1).
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
        return cls.objects.create(
            shop=task_run.shop,
            task_run=task_run,
            position=position,
            action_type=str(action.get("type") or ""),
            options=options,
            meta=meta,
            perform_event=perform_event,
            shopify_api_version=task_run.shopify_api_version,
            run_at=timezone.now(),
            status=RunStatus.DUE,
        )

    def perform(self, *, enqueue: bool = True, clock: Clock = SYSTEM_CLOCK) -> None:
        """Perform the action with its frozen options and record the result or error.

        ``enqueue`` is handed to actions that create events (their runs are queued or left for
        an in-process caller); ``clock`` is what Shopify throttling waits on.
        """
        task = self.task_run.task
        if task is None or not task.enabled:
            self.finish(error="Task is disabled")
            return
        result, error = perform_action(self, enqueue=enqueue, clock=clock)
        self.finish(error=error, result=result)
