from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Shops, OAuth connections and the API clients Hub talks to."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
