"""Models of the tasks app: tasks, runs, cache entries, globals and secrets."""

from tasks_app.models.bulk import BulkOperationMonitor
from tasks_app.models.cache import CacheEntry
from tasks_app.models.email_templates import EmailTemplate
from tasks_app.models.globals import Global, Secret
from tasks_app.models.runs import ActionRun, EventRun, Run, RunStatus, TaskRun
from tasks_app.models.task import Task

__all__ = [
    "ActionRun",
    "BulkOperationMonitor",
    "CacheEntry",
    "EmailTemplate",
    "EventRun",
    "Global",
    "Run",
    "RunStatus",
    "Secret",
    "Task",
    "TaskRun",
]
