"""Connecting a Google account with offline access and ``drive.file`` (spec/platform.md §6.1)."""

from allauth.socialaccount.models import SocialToken

from integrations.models import Connection
from tests.integrations.oauth_helpers import (  # noqa: F401  (fixtures)
    CALLBACK,
    form_of,
    services_fixture,
    staff_client_fixture,
    start_connect,
    stored_tokens,
)

SCOPE = "openid email https://www.googleapis.com/auth/drive.file"


def test_the_authorize_url_asks_for_offline_drive_file_access(staff_client, services, shop):
    endpoint, params = start_connect(staff_client, "google")

    assert endpoint == services.url_for("/o/oauth2/v2/auth")
    assert params == {
        "client_id": "google-client",
        "redirect_uri": CALLBACK.format(service="google"),
        "scope": SCOPE,
        "response_type": "code",
        "state": params["state"],
        "access_type": "offline",
        "prompt": "consent",
    }


def test_the_callback_connects_the_account_under_its_email(staff_client, services, shop):
    _, params = start_connect(staff_client, "google")
    services.expect_request("/token", method="POST").respond_with_json(
        {
            "access_token": "ya29.a0",
            "expires_in": 3599,
            "refresh_token": "1//0g",
            "scope": SCOPE,
            "token_type": "Bearer",
        }
    )
    services.expect_request("/v1/userinfo", headers={"Authorization": "Bearer ya29.a0"}).respond_with_json(
        {"sub": "110169484474386276334", "email": "sheets@acme.test", "email_verified": True}
    )

    staff_client.get("/accounts/google/login/callback/", {"code": "4/0A", "state": params["state"]})

    assert form_of(services.log[0][0]) == {
        "redirect_uri": CALLBACK.format(service="google"),
        "grant_type": "authorization_code",
        "code": "4/0A",
        "client_id": "google-client",
        "client_secret": "google-secret",
    }
    connection = Connection.objects.get()
    token = SocialToken.objects.get()
    assert (connection.service, connection.label, connection.scopes, connection.token_expires_at) == (
        "google",
        "sheets@acme.test",
        SCOPE.split(),
        token.expires_at,
    )
    assert stored_tokens() == ("ya29.a0", "1//0g")
