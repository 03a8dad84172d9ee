from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Shops, OAuth connections and the API clients Hub talks to."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"

    def ready(self) -> None:
        """Connect the receiver that encrypts every ``SocialToken`` before it is saved."""
        from integrations.oauth import tokens  # noqa: F401  (signal receiver)
