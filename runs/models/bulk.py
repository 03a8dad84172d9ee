"""Bulk operation monitors: Shopify bulk operations Hub waits on for a task (spec/runtime.md §14.3)."""

import uuid
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

from hub.fields import JSONField


class BulkOperationMonitor(models.Model):
    """One bulk operation started by a ``shopify`` action, watched until Shopify ends it.

    ``status`` is the operation's last seen status (``CREATED`` … ``COMPLETED``);
    ``operation`` the last BulkOperation object read. Polling follows the
    backoff of §14.3 (every 10 s for 2 min, then every 60 s); ``completed_at``
    and ``completion_event`` are set once the ``mechanic/shopify/bulk_operation``
    event exists, exactly once per monitor.
    """

    TERMINAL_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")
    FAST_INTERVAL = timedelta(seconds=10)
    FAST_PERIOD = timedelta(minutes=2)
    SLOW_INTERVAL = timedelta(seconds=60)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey("tasks_app.Task", null=True, on_delete=models.SET_NULL, related_name="+")
    task_run = models.ForeignKey("runs.TaskRun", null=True, on_delete=models.SET_NULL, related_name="+")
    event = models.ForeignKey(
        "events.Event",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The originating event.",
    )
    action_run = models.ForeignKey(
        "runs.ActionRun", null=True, on_delete=models.SET_NULL, related_name="bulk_operation_monitors"
    )
    operation_id = models.CharField(max_length=255, db_index=True, help_text="gid://shopify/BulkOperation/…")
    operation_type = models.CharField(max_length=16, help_text="QUERY or MUTATION")
    api_version = models.CharField(max_length=20)
    status = models.CharField(max_length=16, default="CREATED")
    operation = JSONField(null=True, blank=True, help_text="The BulkOperation object last read from Shopify.")
    polls = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completion_event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "bulk operation monitor"

    def __str__(self) -> str:
        return f"{self.operation_id} ({self.status})"

    @property
    def active(self) -> bool:
        """Still waiting for Shopify to end the operation."""
        return self.completed_at is None

    def next_poll_after(self, now: datetime) -> datetime:
        """When to read the operation again: 10 s apart for its first 2 minutes, then 60 s apart."""
        interval = self.FAST_INTERVAL if now - self.created_at < self.FAST_PERIOD else self.SLOW_INTERVAL
        return now + interval
