from django.apps import AppConfig


class SlackOAuthConfig(AppConfig):
    """Hub's Slack OAuth provider (allauth provider id ``slack``)."""

    name = "integrations.oauth.slack"
    label = "hub_oauth_slack"
    verbose_name = "Slack OAuth"

    def ready(self) -> None:
        from integrations.oauth import connections  # noqa: F401  (signal receivers)
