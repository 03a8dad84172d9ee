from django.apps import AppConfig


class GoogleOAuthConfig(AppConfig):
    """Hub's Google OAuth provider (allauth provider id ``google``)."""

    name = "integrations.oauth.google"
    label = "hub_oauth_google"
    verbose_name = "Google OAuth"

    def ready(self) -> None:
        from integrations.oauth import connections  # noqa: F401  (signal receivers)
