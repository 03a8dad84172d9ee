from django.apps import AppConfig


class TasksAppConfig(AppConfig):
    """Tasks, options, the Liquid dialect, preview and the action performers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks_app"
    verbose_name = "Tasks"
