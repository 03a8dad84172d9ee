"""Connecting a Slack workspace: Hub's bot-token install through allauth (spec/platform.md §6.1)."""

from datetime import timedelta

from allauth.socialaccount.models import SocialAccount, SocialToken
from django.utils import timezone

from integrations.models import Connection
from tests.integrations.oauth_helpers import (  # noqa: F401  (fixtures)
    CALLBACK,
    form_of,
    services_fixture,
    staff_client_fixture,
    start_connect,
    stored_tokens,
)

TOKEN_RESPONSE = {
    "ok": True,
    "app_id": "A0KRD7HC3",
    "authed_user": {"id": "U1234"},
    "scope": "chat:write,chat:write.customize",
    "token_type": "bot",
    "access_token": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    "bot_user_id": "U0KRQLJ9H",
    "team": {"name": "Acme Workspace", "id": "T9TK3CUKW"},
    "enterprise": None,
    "is_enterprise_install": False,
}


def test_the_authorize_url_asks_for_a_bot_token_with_chat_write(staff_client, services, shop):
    endpoint, params = start_connect(staff_client, "slack")

    assert endpoint == services.url_for("/oauth/v2/authorize")
    assert params == {
        "client_id": "slack-client",
        "redirect_uri": CALLBACK.format(service="slack"),
        "scope": "chat:write,chat:write.customize",
        "response_type": "code",
        "state": params["state"],
    }


def test_the_callback_exchanges_the_code_and_connects_the_workspace_to_the_shop(staff_client, services, shop):
    _, params = start_connect(staff_client, "slack")
    services.expect_request("/api/oauth.v2.access", method="POST").respond_with_json(TOKEN_RESPONSE)

    response = staff_client.get("/accounts/slack/login/callback/", {"code": "c0de", "state": params["state"]})

    assert (response.status_code, response["Location"]) == (302, "/admin/integrations/connection/")
    ((request, _),) = services.log
    assert form_of(request) == {
        "redirect_uri": CALLBACK.format(service="slack"),
        "grant_type": "authorization_code",
        "code": "c0de",
        "client_id": "slack-client",
        "client_secret": "slack-secret",
    }
    account = SocialAccount.objects.get()
    assert (account.provider, account.uid, account.user.username) == ("slack", "T9TK3CUKW", "staff")
    assert "access_token" not in account.extra_data and account.extra_data["bot_user_id"] == "U0KRQLJ9H"
    token = SocialToken.objects.get()
    assert (token.account, token.expires_at) == (account, None)
    assert stored_tokens() == ("xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", "")
    connection = Connection.objects.get()
    assert (
        connection.shop,
        connection.service,
        connection.label,
        connection.social_account,
        connection.scopes,
        connection.token_expires_at,
        connection.created_by.username,
    ) == (shop, "slack", "Acme Workspace", account, ["chat:write", "chat:write.customize"], None, "staff")


def test_token_rotation_stores_the_refresh_token_and_expiry(staff_client, services, shop):
    _, params = start_connect(staff_client, "slack")
    rotating = {
        **TOKEN_RESPONSE,
        "access_token": "xoxe.xoxb-1",
        "refresh_token": "xoxe-1-r",
        "expires_in": 43200,
    }
    services.expect_request("/api/oauth.v2.access").respond_with_json(rotating)
    before = timezone.now()

    staff_client.get("/accounts/slack/login/callback/", {"code": "c0de", "state": params["state"]})

    token = SocialToken.objects.get()
    assert stored_tokens() == ("xoxe.xoxb-1", "xoxe-1-r")
    assert before + timedelta(seconds=43200) <= token.expires_at <= timezone.now() + timedelta(seconds=43200)
    assert Connection.objects.get().token_expires_at == token.expires_at


def test_reconnecting_the_workspace_updates_the_same_connection(staff_client, services, shop):
    services.expect_request("/api/oauth.v2.access").respond_with_json(TOKEN_RESPONSE)
    _, first = start_connect(staff_client, "slack")
    staff_client.get("/accounts/slack/login/callback/", {"code": "one", "state": first["state"]})
    services.clear()
    renamed = {
        **TOKEN_RESPONSE,
        "access_token": "xoxb-2",
        "team": {"name": "Acme Workspace", "id": "T9TK3CUKW"},
    }
    services.expect_request("/api/oauth.v2.access").respond_with_json(renamed)
    _, second = start_connect(staff_client, "slack")

    staff_client.get("/accounts/slack/login/callback/", {"code": "two", "state": second["state"]})

    assert Connection.objects.count() == 1
    assert stored_tokens() == ("xoxb-2", "")


def test_a_slack_error_connects_nothing(staff_client, services, shop):
    _, params = start_connect(staff_client, "slack")
    services.expect_request("/api/oauth.v2.access").respond_with_json({"ok": False, "error": "invalid_code"})

    response = staff_client.get("/accounts/slack/login/callback/", {"code": "bad", "state": params["state"]})

    assert response.status_code == 401  # allauth's authentication error page
    assert (SocialAccount.objects.count(), Connection.objects.count()) == (0, 0)


def test_only_staff_users_may_connect(client, services, shop, django_user_model):
    client.force_login(django_user_model.objects.create(username="merchant"))

    response = client.post("/accounts/slack/login/?process=connect&shop=example.myshopify.com")

    assert response.status_code == 403


def test_connecting_needs_a_known_shop(staff_client, services, shop):
    response = staff_client.post("/accounts/slack/login/?process=connect&shop=other.myshopify.com")

    assert response.status_code == 404
