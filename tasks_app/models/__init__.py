"""Models of the tasks app: tasks and their versions, cache entries and endpoints, globals, secrets and email
templates."""

from tasks_app.models.cache import CacheEndpoint, CacheEntry
from tasks_app.models.email_templates import EmailTemplate
from tasks_app.models.globals import Global, Secret
from tasks_app.models.task import Task
from tasks_app.models.versions import TaskVersion

__all__ = ["CacheEndpoint", "CacheEntry", "EmailTemplate", "Global", "Secret", "Task", "TaskVersion"]
