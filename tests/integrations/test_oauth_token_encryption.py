"""OAuth tokens of connected accounts are encrypted at rest (spec/platform.md §6.1, §10.3)."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialToken
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.utils import timezone

from integrations.clients.airtable import AirtableClient
from integrations.clients.base import ApiError
from integrations.models import Connection, Shop
from integrations.oauth.tokens import TokenDecryptionError, access_token_of, refresh_token_of
from tests.integrations.oauth_helpers import (  # noqa: F401  (fixtures)
    services_fixture,
    staff_client_fixture,
    start_connect,
    stored_tokens,
)
from tests.integrations.test_oauth_shopify import SHOP_RESOURCE
from tests.tasks_app.integration_helpers import connect

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
ROOT = Path(__file__).resolve().parents[2]
SLACK_TOKEN = "xoxe.xoxb-17653672481-pdFZKVeTuE8sk7oOcBrzbqgy"
SLACK_REFRESH = "xoxe-1-refresh-9f8e7d"


def raw_row() -> dict:
    """The only ``SocialToken`` row's token columns exactly as stored."""
    return SocialToken.objects.values("token", "token_secret").get()


def test_connecting_stores_no_plaintext_token_nor_logs_one(staff_client, services, shop, caplog):
    _, params = start_connect(staff_client, "slack")
    services.expect_request("/api/oauth.v2.access").respond_with_json(
        {
            "ok": True,
            "scope": "chat:write",
            "token_type": "bot",
            "access_token": SLACK_TOKEN,
            "refresh_token": SLACK_REFRESH,
            "expires_in": 43200,
            "bot_user_id": "U0KRQLJ9H",
            "team": {"name": "Acme Workspace", "id": "T9TK3CUKW"},
        }
    )

    staff_client.get("/accounts/slack/login/callback/", {"code": "c0de", "state": params["state"]})

    row = raw_row()
    assert row["token"].startswith("fernet:") and row["token_secret"].startswith("fernet:")
    assert SLACK_TOKEN not in str(row) and SLACK_REFRESH not in str(row)
    assert stored_tokens() == (SLACK_TOKEN, SLACK_REFRESH)
    assert SLACK_TOKEN not in caplog.text and SLACK_REFRESH not in caplog.text
    assert Connection.objects.get().label == "Acme Workspace"


def test_reconnecting_without_a_new_refresh_token_keeps_the_old_one_encrypted(staff_client, services, shop):
    userinfo = {"sub": "1101", "email": "sheets@acme.test", "email_verified": True}
    services.expect_request("/v1/userinfo").respond_with_json(userinfo)
    services.expect_oneshot_request("/token").respond_with_json(
        {"access_token": "ya29.one", "refresh_token": "1//first", "expires_in": 3599}
    )
    _, first = start_connect(staff_client, "google")
    staff_client.get("/accounts/google/login/callback/", {"code": "a", "state": first["state"]})
    services.expect_oneshot_request("/token").respond_with_json(
        {"access_token": "ya29.two", "expires_in": 3599}
    )
    _, second = start_connect(staff_client, "google")

    staff_client.get("/accounts/google/login/callback/", {"code": "b", "state": second["state"]})

    assert stored_tokens() == ("ya29.two", "1//first")
    assert Connection.objects.count() == 1


def test_api_calls_send_the_decrypted_bearer_token(services, shop):
    later = timezone.now() + timedelta(hours=1)
    connection = connect(
        shop, "airtable", "ops@acme.test", token="atk-live", refresh_token="art", expires_at=later
    )
    services.expect_request("/v0/appX/tblY", headers={"Authorization": "Bearer atk-live"}).respond_with_json(
        {"records": []}
    )

    response = AirtableClient(connection).send("GET", "/v0/appX/tblY")

    assert response.status == 200
    assert "atk-live" not in raw_row()["token"]


def test_refresh_stores_the_new_tokens_encrypted(services, shop):
    expired = timezone.now() - timedelta(minutes=5)
    connection = connect(
        shop, "airtable", "ops@acme.test", token="old", refresh_token="art-1", expires_at=expired
    )
    services.expect_request("/oauth2/v1/token").respond_with_json(
        {"access_token": "atk-2", "refresh_token": "art-2", "expires_in": 3600}
    )

    assert connection.access_token() == "atk-2"

    assert "atk-2" not in str(raw_row()) and "art-2" not in str(raw_row())
    assert stored_tokens() == ("atk-2", "art-2")


def test_saving_a_stored_token_again_does_not_encrypt_twice(shop):
    connect(shop, "google", "sheets@acme.test", token="ya29.a", refresh_token="1//r")
    token = SocialToken.objects.get()
    token.save()

    assert stored_tokens() == ("ya29.a", "1//r")
    assert (access_token_of(token), refresh_token_of(token)) == ("ya29.a", "1//r")


def test_rotate_secrets_reencrypts_tokens_with_the_newest_key(shop, settings):
    settings.HUB_SECRET_KEYS = [OLD_KEY]
    connect(shop, "google", "sheets@acme.test", token="ya29.a", refresh_token="1//r")
    connect(shop, "slack", "Acme", token="xoxb-1")
    before = dict(SocialToken.objects.values_list("pk", "token"))
    settings.HUB_SECRET_KEYS = [NEW_KEY, OLD_KEY]
    out = StringIO()

    call_command("rotate_secrets", stdout=out)

    assert out.getvalue() == (
        "Re-encrypted 0 secret(s), 2 OAuth token row(s), 0 shop access token(s) and 0 webhook signing "
        "secret set(s) with the newest key.\n"
    )
    rows = list(SocialToken.objects.order_by("pk").values("pk", "token", "token_secret"))
    assert all(row["token"] != before[row["pk"]] for row in rows)
    new = Fernet(NEW_KEY)
    assert [new.decrypt(row["token"].removeprefix("fernet:").encode()) for row in rows] == [
        b"ya29.a",
        b"xoxb-1",
    ]
    assert new.decrypt(rows[0]["token_secret"].removeprefix("fernet:").encode()) == b"1//r"
    assert rows[1]["token_secret"] == ""
    settings.HUB_SECRET_KEYS = [NEW_KEY]
    assert Connection.objects.get(label="Acme").access_token() == "xoxb-1"


def test_rotate_secrets_seals_a_token_stored_before_encryption(shop):
    connect(shop, "slack", "Acme", token="xoxb-1")
    SocialToken.objects.update(token="xoxb-legacy")  # a row written before tokens were encrypted
    assert Connection.objects.get().access_token() == "xoxb-legacy"

    call_command("rotate_secrets", stdout=StringIO())

    assert stored_tokens() == ("xoxb-legacy", "")


def test_reinstalling_shopify_keeps_the_plaintext_offline_token_on_the_shop(staff_client, services, db):
    # The second install updates the stored SocialToken (encrypted in place) before the
    # receiver copies the token onto the Shop: it must copy the plaintext.
    services.expect_request("/admin/shop.json").respond_with_json({"shop": SHOP_RESOURCE})
    for token in ("shpat_first", "shpat_second"):
        services.expect_oneshot_request("/admin/oauth/access_token").respond_with_json(
            {"access_token": token, "scope": "read_orders,read_products"}
        )
        _, params = start_connect(staff_client, "shopify")
        staff_client.get(
            "/accounts/shopify/login/callback/",
            {"code": "c0de", "state": params["state"], "shop": "example.myshopify.com"},
        )

    assert Shop.objects.get().access_token == "shpat_second"
    assert stored_tokens() == ("shpat_second", "")


def test_a_token_under_a_removed_key_fails_naming_the_connection(shop, settings):
    settings.HUB_SECRET_KEYS = [OLD_KEY]
    connection = connect(shop, "slack", "Acme", token="xoxb-1")
    settings.HUB_SECRET_KEYS = [NEW_KEY]
    message = (
        "the stored token of Slack account Acme of shop example.myshopify.com cannot be decrypted: "
        "it was encrypted with a key that is no longer in HUB_SECRET_KEYS; restore the key or "
        "reconnect the account"
    )

    with pytest.raises(TokenDecryptionError) as caught:
        connection.access_token()
    assert (str(caught.value), caught.value.permanent) == (message, True)
    with pytest.raises(ApiError) as api_error:
        AirtableClient(connection).send("GET", "/v0/appX/tblY")
    assert (str(api_error.value), api_error.value.transient) == (message, False)
    before = raw_row()
    with pytest.raises(CommandError) as command_error:
        call_command("rotate_secrets", stdout=StringIO())
    assert str(command_error.value) == f"{message}; nothing was re-encrypted"
    assert raw_row() == before


def test_a_login_allauth_parks_in_the_session_carries_its_token_encrypted(db):
    data = get_adapter().serialize_instance(SocialToken(token="ya29.a", token_secret="1//r"))

    assert data["token"].startswith("fernet:") and data["token_secret"].startswith("fernet:")
    token = get_adapter().deserialize_instance(SocialToken, data)
    assert (access_token_of(token), refresh_token_of(token)) == ("ya29.a", "1//r")


def test_the_admin_never_shows_a_token(admin_client, shop):
    connect(shop, "slack", "Acme", token="xoxb-visible", refresh_token="xoxe-visible")
    token = SocialToken.objects.get()

    pages = [
        admin_client.get("/admin/socialaccount/socialtoken/"),
        admin_client.get(f"/admin/socialaccount/socialtoken/{token.pk}/change/"),
        admin_client.get(f"/admin/integrations/connection/{Connection.objects.get().pk}/change/"),
    ]

    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "visible" not in html and "fernet:" not in html and token.token[7:40] not in html


# Reading or writing ``.token`` / ``.token_secret`` of a SocialToken anywhere but the token
# layer would bypass encryption; the layer's helpers are the only way in.
RAW_ACCESS = re.compile(
    r"\b(?:token|social_token|sociallogin\.token|instance|t)\.token(?:_secret)?\b|\.token_secret\b"
)
LAYER = Path("integrations/oauth/tokens.py")


def test_only_the_token_layer_touches_the_raw_token_columns():
    offenders = []
    for package in ("hub", "integrations", "tasks_app", "events"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if relative == LAYER or "migrations" in relative.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if RAW_ACCESS.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")

    assert offenders == []
