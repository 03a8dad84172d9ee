"""Airtable OAuth (authorization code with PKCE, confidential client) and the ``whoami`` lookup."""

from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings

from integrations.oauth.base import HubOAuth2Adapter


class AirtableOAuth2Adapter(HubOAuth2Adapter):
    """Token requests authenticate with HTTP basic auth, as Airtable asks of clients with a secret."""

    provider_id = "airtable"
    basic_auth = True

    @property
    def authorize_url(self) -> str:
        return f"{settings.HUB_AIRTABLE_OAUTH_URL}/authorize"

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return f"{settings.HUB_AIRTABLE_OAUTH_URL}/token"

    identity_label = "Airtable whoami"

    @property
    def identity_url(self) -> str:
        return f"{settings.HUB_AIRTABLE_API_URL}/v0/meta/whoami"


oauth2_login = OAuth2LoginView.adapter_view(AirtableOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(AirtableOAuth2Adapter)
