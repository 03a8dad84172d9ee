"""Google OAuth with offline access, so connections keep a refresh token."""

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings
from django.http import HttpRequest

from integrations.oauth.base import HubOAuth2Adapter
from integrations.oauth.tokens import access_token_of


class GoogleOAuth2Adapter(HubOAuth2Adapter):
    """Identifies the account from the OpenID userinfo endpoint (``sub``, ``email``)."""

    provider_id = "google"

    @property
    def authorize_url(self) -> str:
        return settings.HUB_GOOGLE_OAUTH_AUTHORIZE_URL

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return settings.HUB_GOOGLE_OAUTH_TOKEN_URL

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        """Fetch the userinfo with the new token; raises ``OAuth2Error`` when Google refuses."""
        with get_adapter().get_requests_session() as session:
            response = session.get(
                settings.HUB_GOOGLE_USERINFO_URL,
                headers={"Authorization": f"Bearer {access_token_of(token)}"},
            )
        if response.status_code != 200:
            raise OAuth2Error(f"Google userinfo failed with HTTP {response.status_code}")
        extra_data = response.json()
        extra_data["scope"] = kwargs["response"].get("scope", "")
        return self.get_provider().sociallogin_from_response(request, extra_data)


oauth2_login = OAuth2LoginView.adapter_view(GoogleOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(GoogleOAuth2Adapter)
