from django.apps import AppConfig


class TasksAppConfig(AppConfig):
    """Tasks, options, the Liquid dialect, preview and the action performers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks_app"
    verbose_name = "Automation"

    def ready(self) -> None:
        """Connect the reactions to task changes and installs (webhook subscriptions)."""
        from tasks_app import receivers  # noqa: F401  (signal receivers)
