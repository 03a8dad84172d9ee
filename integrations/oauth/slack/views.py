"""Slack app installation with a bot token (OAuth v2, ``oauth.v2.access``)."""

from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings
from django.http import HttpRequest

from integrations.oauth.base import HubOAuth2Adapter

# Never copied into SocialAccount.extra_data: the tokens live in SocialToken only.
SECRET_KEYS = {"access_token", "refresh_token", "authed_user"}


class SlackOAuth2Adapter(HubOAuth2Adapter):
    """Installs Hub's Slack app in a workspace; the token response itself identifies the workspace."""

    provider_id = "slack"
    scope_delimiter = ","

    @property
    def authorize_url(self) -> str:
        return settings.HUB_SLACK_OAUTH_AUTHORIZE_URL

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return f"{settings.HUB_SLACK_API_URL}/oauth.v2.access"

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        """Build the login from the ``oauth.v2.access`` response (``team``, ``bot_user_id``, ``scope``).

        Raises ``OAuth2Error`` unless Slack issued a bot token for a team.
        """
        response = kwargs["response"]
        if response.get("token_type") != "bot" or not (response.get("team") or {}).get("id"):
            raise OAuth2Error("Slack did not issue a bot token for a workspace")
        extra_data = {key: value for key, value in response.items() if key not in SECRET_KEYS}
        return self.get_provider().sociallogin_from_response(request, extra_data)


oauth2_login = OAuth2LoginView.adapter_view(SlackOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(SlackOAuth2Adapter)
