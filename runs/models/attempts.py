"""Attempts: every try of every run, as a row (spec/runtime.md §4.2, §9; STYLE.md "The run engine").

The run carries the latest outcome; its attempts keep each one: when it ran, whether it worked,
the error and whether that error was permanent, which worker performed it, and for action runs
a summary of the request (the options as stored, secrets still as references) and of the
response (the recorded result, already redacted).
"""

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models

from hub.fields import JSONField
from runs import sql

if TYPE_CHECKING:
    from runs.models.runs import Run

# A response summary larger than this (compact JSON characters) keeps only its start.
MAX_SUMMARY_CHARS = 16_384


def summary(value: Any) -> Any:
    """``value`` itself when its compact JSON is small, else ``{"truncated": true, "characters": n,
    "start": "<first 4,096 characters>"}``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if len(text) <= MAX_SUMMARY_CHARS:
        return value
    return {"truncated": True, "characters": len(text), "start": text[:4096]}


class RunAttempt(models.Model):
    """One attempt of an event, task or action run; ``run_kind`` and ``run_id`` name the run."""

    run_kind = models.CharField(max_length=8)
    run_id = models.UUIDField(db_index=True)
    number = models.PositiveIntegerField(help_text="1 for the first attempt.")
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    elapsed_time_ms = models.PositiveIntegerField(null=True, blank=True)
    ok = models.BooleanField()
    error = models.TextField(null=True, blank=True)
    permanent = models.BooleanField(null=True, blank=True, help_text="Whether the error is permanent.")
    worker = models.CharField(max_length=128, blank=True, default="")
    request = JSONField(null=True, blank=True, help_text="Action runs: the options as stored.")
    response = JSONField(null=True, blank=True, help_text="Action runs: the recorded result.")

    class Meta:
        ordering = ["run_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run_kind", "run_id", "number"], name="unique_run_attempt")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.run_kind} run {self.run_id}"

    @classmethod
    def record(
        cls, run: "Run", *, error: str | None, permanent: bool | None, worker: str, now: datetime
    ) -> None:
        """Store the attempt ``run`` just concluded (``run.attempts`` is its number) by ``worker``."""
        is_action = run.kind == "action"
        values = {
            "run_kind": run.kind,
            "run_id": run.pk,
            "number": run.attempts,
            "started_at": run.started_at,
            "stopped_at": now,
            "elapsed_time_ms": run.elapsed_time_ms,
            "ok": error is None,
            "error": error,
            "permanent": permanent,
            "worker": worker,
            "request": summary(getattr(run, "options", None)) if is_action else None,
            "response": summary(run.result) if is_action else None,
        }
        sql.insert(cls, values)  # one row per run, every run: kept off the ORM's statement building

    @classmethod
    def record_lost(cls, run: "Run", *, error: str, permanent: bool, now: datetime) -> "RunAttempt":
        """Store the attempt of a run whose worker was lost (no outcome came back)."""
        return cls.objects.create(
            run_kind=run.kind,
            run_id=run.pk,
            number=run.attempts,
            started_at=run.started_at,
            stopped_at=now,
            ok=False,
            error=error,
            permanent=permanent,
            worker=run.lease_owner,
        )
