"""Models of the tasks app: tasks, runs, cache entries."""

from tasks_app.models.cache import CacheEntry
from tasks_app.models.runs import ActionRun, EventRun, Run, RunStatus, TaskRun
from tasks_app.models.task import Task

__all__ = ["ActionRun", "CacheEntry", "EventRun", "Run", "RunStatus", "Task", "TaskRun"]
