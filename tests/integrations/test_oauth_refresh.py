"""Refreshing expired access tokens before a call, and once after a 401 (spec/platform.md §6.1)."""

import base64
from datetime import timedelta

import pytest
from allauth.socialaccount.models import SocialToken
from django.utils import timezone

from integrations.oauth.tokens import TokenError
from tests.integrations.oauth_helpers import form_of, services_fixture, stored_tokens  # noqa: F401  (fixtures)
from tests.tasks_app.integration_helpers import connect


def expired() -> timezone.datetime:
    return timezone.now() - timedelta(minutes=5)


def test_an_expired_google_token_is_refreshed_with_the_exact_grant(services, shop):
    connection = connect(
        shop, "google", "sheets@acme.test", token="old", refresh_token="1//r", expires_at=expired()
    )
    services.expect_request("/token", method="POST").respond_with_json(
        {
            "access_token": "ya29.new",
            "expires_in": 3599,
            "scope": "https://www.googleapis.com/auth/drive.file",
            "token_type": "Bearer",
        }
    )
    before = timezone.now()

    assert connection.access_token() == "ya29.new"

    ((request, _),) = services.log
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == {
        "grant_type": "refresh_token",
        "refresh_token": "1//r",
        "client_id": "google-client",
        "client_secret": "google-secret",
    }
    token = SocialToken.objects.get()
    assert stored_tokens() == ("ya29.new", "1//r")
    assert before + timedelta(seconds=3599) <= token.expires_at <= timezone.now() + timedelta(seconds=3599)
    connection.refresh_from_db()
    assert connection.token_expires_at == token.expires_at


def test_airtable_refreshes_with_basic_auth_and_keeps_the_rotated_refresh_token(services, shop):
    connection = connect(
        shop, "airtable", "ops@acme.test", token="old", refresh_token="art-1", expires_at=expired()
    )
    services.expect_request("/oauth2/v1/token", method="POST").respond_with_json(
        {"access_token": "atk-2", "refresh_token": "art-2", "expires_in": 3600, "token_type": "Bearer"}
    )

    assert connection.access_token() == "atk-2"

    request = services.log[0][0]
    assert (
        request.headers["Authorization"]
        == "Basic " + base64.b64encode(b"airtable-client:airtable-secret").decode()
    )
    assert form_of(request) == {"grant_type": "refresh_token", "refresh_token": "art-1"}
    assert stored_tokens() == ("atk-2", "art-2")


def test_a_rotating_slack_token_is_refreshed_at_oauth_v2_access(services, shop):
    connection = connect(
        shop, "slack", "Acme", token="xoxe.xoxb-old", refresh_token="xoxe-1", expires_at=expired()
    )
    services.expect_request("/api/oauth.v2.access", method="POST").respond_with_json(
        {
            "ok": True,
            "access_token": "xoxe.xoxb-new",
            "refresh_token": "xoxe-2",
            "expires_in": 43200,
            "token_type": "bot",
        }
    )

    assert connection.access_token() == "xoxe.xoxb-new"
    assert form_of(services.log[0][0]) == {
        "grant_type": "refresh_token",
        "refresh_token": "xoxe-1",
        "client_id": "slack-client",
        "client_secret": "slack-secret",
    }


def test_a_token_that_is_still_valid_is_not_refreshed(services, shop):
    later = timezone.now() + timedelta(hours=1)
    connection = connect(
        shop, "google", "sheets@acme.test", token="valid", refresh_token="1//r", expires_at=later
    )

    assert connection.access_token() == "valid"
    assert services.log == []


def test_a_refused_refresh_is_permanent_and_says_to_reconnect(services, shop):
    connection = connect(
        shop, "google", "sheets@acme.test", token="old", refresh_token="1//r", expires_at=expired()
    )
    services.expect_request("/token").respond_with_json(
        {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, status=400
    )

    with pytest.raises(TokenError) as caught:
        connection.access_token()

    assert (str(caught.value), caught.value.permanent) == (
        "Google refused to refresh the token of Google account sheets@acme.test "
        "(Token has been expired or revoked.); reconnect it",
        True,
    )
    assert stored_tokens() == ("old", "1//r")


def test_a_provider_outage_during_refresh_is_transient(services, shop):
    connection = connect(
        shop, "google", "sheets@acme.test", token="old", refresh_token="1//r", expires_at=expired()
    )
    services.expect_request("/token").respond_with_data("unavailable", status=503)

    with pytest.raises(TokenError) as caught:
        connection.access_token()

    assert (str(caught.value), caught.value.permanent) == (
        "refreshing the token of Google account sheets@acme.test failed: HTTP 503",
        False,
    )


def test_an_expired_token_without_refresh_token_needs_a_reconnect(services, shop):
    connection = connect(shop, "google", "sheets@acme.test", token="old", expires_at=expired())

    with pytest.raises(TokenError, match="expired and there is no refresh token; reconnect it"):
        connection.access_token()


def test_a_401_refreshes_once_and_resends(services, shop):
    later = timezone.now() + timedelta(hours=1)
    connect(shop, "airtable", "ops@acme.test", token="revoked", refresh_token="art-1", expires_at=later)
    services.expect_request("/v0/appX/tblY", headers={"Authorization": "Bearer revoked"}).respond_with_json(
        {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}}, status=401
    )
    services.expect_request("/oauth2/v1/token").respond_with_json(
        {"access_token": "atk-2", "refresh_token": "art-2", "expires_in": 3600}
    )
    services.expect_request("/v0/appX/tblY", headers={"Authorization": "Bearer atk-2"}).respond_with_json(
        {"records": []}
    )
    from integrations.clients.airtable import AirtableClient
    from integrations.models import Connection

    response = AirtableClient(Connection.objects.get()).send("GET", "/v0/appX/tblY")

    assert (response.status, response.body) == (200, {"records": []})
    assert [request.path for request, _ in services.log] == [
        "/v0/appX/tblY",
        "/oauth2/v1/token",
        "/v0/appX/tblY",
    ]
