"""Connecting an Airtable account: authorization code with PKCE, basic client auth (spec/platform.md §6.1)."""

import base64
import hashlib

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

SCOPE = (
    "data.records:read data.records:write data.recordComments:read data.recordComments:write "
    "schema.bases:read schema.bases:write user.email:read"
)
BASIC = "Basic " + base64.b64encode(b"airtable-client:airtable-secret").decode()


def test_the_authorize_url_uses_pkce_and_asks_for_records_comments_and_schema(staff_client, services, shop):
    endpoint, params = start_connect(staff_client, "airtable")

    assert endpoint == services.url_for("/oauth2/v1/authorize")
    assert params == {
        "client_id": "airtable-client",
        "redirect_uri": CALLBACK.format(service="airtable"),
        "scope": SCOPE,
        "response_type": "code",
        "state": params["state"],
        "code_challenge": params["code_challenge"],
        "code_challenge_method": "S256",
    }


def test_the_callback_sends_the_verifier_and_labels_the_account_with_its_email(staff_client, services, shop):
    _, params = start_connect(staff_client, "airtable")
    services.expect_request("/oauth2/v1/token", method="POST").respond_with_json(
        {
            "access_token": "atk-1",
            "refresh_token": "art-1",
            "token_type": "Bearer",
            "scope": SCOPE,
            "expires_in": 3600,
            "refresh_expires_in": 5184000,
        }
    )
    services.expect_request("/v0/meta/whoami", headers={"Authorization": "Bearer atk-1"}).respond_with_json(
        {"id": "usrL2PNC5o3H4lBEi", "email": "ops@acme.test", "scopes": SCOPE.split()}
    )

    staff_client.get("/accounts/airtable/login/callback/", {"code": "c0de", "state": params["state"]})

    token_request = services.log[0][0]
    assert token_request.headers["Authorization"] == BASIC
    body = form_of(token_request)
    verifier = body.pop("code_verifier")
    expected_challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert expected_challenge.decode() == params["code_challenge"]
    assert body == {
        "redirect_uri": CALLBACK.format(service="airtable"),
        "grant_type": "authorization_code",
        "code": "c0de",
    }
    connection = Connection.objects.get()
    assert (connection.service, connection.label, connection.scopes) == (
        "airtable",
        "ops@acme.test",
        SCOPE.split(),
    )
    token = SocialToken.objects.get()
    assert stored_tokens() == ("atk-1", "art-1")
    assert connection.token_expires_at == token.expires_at
