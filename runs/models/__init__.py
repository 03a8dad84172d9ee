"""Models of the run engine: event, task and action runs, their attempts, per-shop run slots and
bulk operation monitors."""

from runs.models.attempts import RunAttempt
from runs.models.bulk import BulkOperationMonitor
from runs.models.runs import (
    FINAL_STATUSES,
    PENDING_STATUSES,
    ActionRun,
    EventRun,
    Run,
    RunStatus,
    TaskRun,
)
from runs.models.slots import EngineLock, ShopSlots

__all__ = [
    "FINAL_STATUSES",
    "PENDING_STATUSES",
    "ActionRun",
    "BulkOperationMonitor",
    "EngineLock",
    "EventRun",
    "Run",
    "RunAttempt",
    "RunStatus",
    "ShopSlots",
    "TaskRun",
]
