"""Models of the run engine: event runs, task runs, action runs and bulk operation monitors."""

from runs.models.bulk import BulkOperationMonitor
from runs.models.runs import ActionRun, EventRun, Run, RunStatus, TaskRun

__all__ = ["ActionRun", "BulkOperationMonitor", "EventRun", "Run", "RunStatus", "TaskRun"]
