"""Airtable OAuth (authorization code with PKCE, confidential client) and the ``whoami`` lookup."""

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings
from django.http import HttpRequest

from integrations.oauth.base import HubOAuth2Adapter
from integrations.oauth.tokens import access_token_of


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

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        """Identify the user with ``GET /v0/meta/whoami`` (``id``, ``email``); raises ``OAuth2Error``."""
        with get_adapter().get_requests_session() as session:
            response = session.get(
                f"{settings.HUB_AIRTABLE_API_URL}/v0/meta/whoami",
                headers={"Authorization": f"Bearer {access_token_of(token)}"},
            )
        if response.status_code != 200:
            raise OAuth2Error(f"Airtable whoami failed with HTTP {response.status_code}")
        extra_data = response.json()
        extra_data["scope"] = kwargs["response"].get("scope", "")
        return self.get_provider().sociallogin_from_response(request, extra_data)


oauth2_login = OAuth2LoginView.adapter_view(AirtableOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(AirtableOAuth2Adapter)
