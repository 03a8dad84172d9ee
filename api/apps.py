"""The task sync API app (spec/platform.md §8): API tokens and ``/api/v1``."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Hub's top layer: it reads tasks, globals, secrets (tasks_app) and run counts (runs)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "Task sync API"

    def ready(self) -> None:
        from api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
