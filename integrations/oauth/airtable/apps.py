from django.apps import AppConfig


class AirtableOAuthConfig(AppConfig):
    """Hub's Airtable OAuth provider (allauth provider id ``airtable``)."""

    name = "integrations.oauth.airtable"
    label = "hub_oauth_airtable"
    verbose_name = "Airtable OAuth"

    def ready(self) -> None:
        from integrations.oauth import connections  # noqa: F401  (signal receivers)
