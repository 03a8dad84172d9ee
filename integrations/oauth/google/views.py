"""Google OAuth with offline access, so connections keep a refresh token."""

from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings

from integrations.oauth.base import HubOAuth2Adapter


class GoogleOAuth2Adapter(HubOAuth2Adapter):
    """Identifies the account from the OpenID userinfo endpoint (``sub``, ``email``)."""

    provider_id = "google"

    @property
    def authorize_url(self) -> str:
        return settings.HUB_GOOGLE_OAUTH_AUTHORIZE_URL

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return settings.HUB_GOOGLE_OAUTH_TOKEN_URL

    identity_label = "Google userinfo"

    @property
    def identity_url(self) -> str:
        return settings.HUB_GOOGLE_USERINFO_URL


oauth2_login = OAuth2LoginView.adapter_view(GoogleOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(GoogleOAuth2Adapter)
