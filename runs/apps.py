from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RunsConfig(AppConfig):
    """The run engine: event, task and action runs and every rule of how they move
    (spec/runtime.md §1, §4–§12, §16)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "runs"
    verbose_name = "Runs"

    def ready(self) -> None:
        """Connect the engine's reactions to ingested events, and the standing schedules."""
        from hub.cluster import ensure_schedules
        from runs import receivers  # noqa: F401  (signal receivers)

        post_migrate.connect(ensure_schedules, sender=self)
