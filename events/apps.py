from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Events, topics and every ingress path (spec/runtime.md §2, spec/platform.md §1-§3)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "events"
