from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TasksAppConfig(AppConfig):
    """Tasks, options, the Liquid dialect, preview, runs and action performers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks_app"
    verbose_name = "Tasks"

    def ready(self) -> None:
        from hub.cluster import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
