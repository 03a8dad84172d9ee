"""Task versions: every save that changes a task's definition keeps the definition it had then
(spec/platform.md §9.3, decision §10.2: kept while the task exists)."""

from __future__ import annotations

import difflib
import json
from typing import Any

from django.db import models
from django.utils import timezone

from hub.fields import JSONField

# The definition fields a version restores (the export object without the name).
RESTORED = (
    "options", "subscriptions_template", "script", "docs", "tags", "preview_event_definitions",
    "perform_action_runs_in_sequence", "halt_action_run_sequence_on_error", "online_store_javascript",
    "order_status_javascript", "shopify_api_version", "liquid_profiling",
)  # fmt: skip


class TaskVersion(models.Model):
    """The definition (the export object) a task had after one save, numbered from 1."""

    task = models.ForeignKey("tasks_app.Task", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["task", "-number"]
        constraints = [models.UniqueConstraint(fields=["task", "number"], name="unique_task_version")]

    def __str__(self) -> str:
        return f"Version {self.number}"

    @classmethod
    def record(cls, task: Any) -> TaskVersion | None:
        """Keep ``task``'s definition as its next version unless it equals the latest one; the new
        version, or None."""
        data = task.export_data()
        latest = cls.objects.filter(task=task).order_by("-number").first()
        if latest is not None and latest.data == data:
            return None
        return cls.objects.create(task=task, number=(latest.number + 1) if latest else 1, data=data)

    def diff(self, current: dict[str, Any]) -> str:
        """A unified diff from this version to ``current`` (an export object), field by field."""
        lines: list[str] = []
        for name in ("name", *RESTORED):
            before, after = _text(self.data.get(name)), _text(current.get(name))
            if before != after:
                lines += difflib.unified_diff(
                    before.splitlines(), after.splitlines(), f"{name} (version {self.number})",
                    f"{name} (now)", lineterm="",
                )  # fmt: skip
        return "\n".join(lines)

    def restore_into(self, task: Any) -> None:
        """Put this version's definition back into ``task`` (not saved)."""
        for name in RESTORED:
            if name in self.data:
                setattr(task, name, self.data[name])


def _text(value: Any) -> str:
    return (
        value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    )
