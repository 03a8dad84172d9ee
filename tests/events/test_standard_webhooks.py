"""Signed Mechanic webhooks in the Standard Webhooks format (issue 11, item 6): a webhook with signing
secrets stores only requests signed with one of them within the tolerance window; others get 401
and nothing is stored. Vectors from the Standard Webhooks reference libraries."""

import time
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from events import standard_webhooks
from events.models import Event, Webhook
from events.standard_webhooks import SignatureError, sign, verify

# The reference implementations' test vector.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def vector_headers(**overrides) -> dict:
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }
    return {**headers, **overrides}


def test_the_reference_vector_signs_and_verifies():
    assert sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE
    verify(VECTOR_SECRET, vector_headers(), VECTOR_BODY, now=VECTOR_TIMESTAMP)


@pytest.mark.parametrize(
    ("headers", "body", "now", "message"),
    [
        (vector_headers(), b'{"test": 2432232315}', VECTOR_TIMESTAMP, "No webhook-signature entry matches"),
        (
            vector_headers(**{"webhook-id": "msg_other"}),
            VECTOR_BODY,
            VECTOR_TIMESTAMP,
            "No webhook-signature entry",
        ),
        (vector_headers(), VECTOR_BODY, VECTOR_TIMESTAMP + 301, "webhook-timestamp is more than 300 seconds"),
        (vector_headers(), VECTOR_BODY, VECTOR_TIMESTAMP - 301, "webhook-timestamp is more than 300 seconds"),
        (
            vector_headers(**{"webhook-timestamp": "soon"}),
            VECTOR_BODY,
            VECTOR_TIMESTAMP,
            "webhook-timestamp must be",
        ),
        ({"webhook-id": VECTOR_ID}, VECTOR_BODY, VECTOR_TIMESTAMP, "This webhook requires webhook-id"),
        (
            vector_headers(**{"webhook-signature": "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="}),
            VECTOR_BODY,
            VECTOR_TIMESTAMP,
            "No webhook-signature entry matches",
        ),
    ],
)
def test_a_changed_body_id_stale_timestamp_or_wrong_signature_is_refused(headers, body, now, message):
    with pytest.raises(SignatureError) as refused:
        verify(VECTOR_SECRET, headers, body, now=now)

    assert str(refused.value).startswith(message)


def test_any_entry_of_several_signatures_and_any_of_several_secrets_verifies():
    other = standard_webhooks.new_secret()
    headers = vector_headers(**{"webhook-signature": f"v1,bm9wZQ== {VECTOR_SIGNATURE}"})

    verify(f"{other}\n\n{VECTOR_SECRET}\n", headers, VECTOR_BODY, now=VECTOR_TIMESTAMP)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "line 1: a signing secret starts with whsec_"),
        (f"{VECTOR_SECRET}\nwhsec_!!", "line 2: the part after whsec_ must be base64"),
        ("whsec_YWJj", "line 1: the key must be at least 16 bytes"),
    ],
)
def test_invalid_secrets_are_refused_naming_the_line(text, message):
    with pytest.raises(ValidationError) as refused:
        standard_webhooks.validate_secrets(text)

    assert refused.value.messages == [message]


@pytest.fixture
def signed_webhook(shop):
    return Webhook.objects.create(
        shop=shop, name="Signed", topic="user/signed/sent", signing_secrets=VECTOR_SECRET
    )


def post(client, webhook, body: bytes, headers: dict):
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    return client.post(f"/webhooks/{webhook.pk}", data=body, content_type="application/json", **extra)


def fresh_headers(body: bytes, *, secret: str = VECTOR_SECRET, at: int | None = None) -> dict:
    timestamp = int(time.time()) if at is None else at
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, "msg_1", timestamp, body),
    }


@pytest.mark.django_db
def test_a_signed_request_is_stored(client, signed_webhook):
    body = b'{"n": 1}'

    response = post(client, signed_webhook, body, fresh_headers(body))

    assert response.status_code == 204
    assert Event.objects.get().data == {"n": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_headers",
    [
        lambda: {},
        lambda: fresh_headers(b'{"n": 2}'),
        lambda: fresh_headers(b'{"n": 1}', secret="whsec_" + "QUJDREVGR0hJSktMTU5PUA=="),
        lambda: fresh_headers(b'{"n": 1}', at=int(time.time()) - 3600),
    ],
    ids=["unsigned", "other-body", "other-secret", "stale"],
)
def test_unsigned_wrongly_signed_or_stale_requests_get_401_and_nothing_is_stored(
    client, signed_webhook, make_headers
):
    response = post(client, signed_webhook, b'{"n": 1}', make_headers())

    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_webhook_without_secrets_takes_unsigned_requests_as_before(client, shop):
    webhook = Webhook.objects.create(shop=shop, name="Open", topic="user/open/sent")

    assert post(client, webhook, b"{}", {}).status_code == 204
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_secrets_are_sealed_at_rest_and_set_in_the_admin(admin_client, shop):
    response = admin_client.post(
        "/admin/events/webhook/add/",
        {
            "shop": shop.pk,
            "name": "S",
            "topic": "user/s/t",
            "data_mode": "auto",
            "is_active": "on",
            "signing_secrets": VECTOR_SECRET,
        },
    )

    assert response.status_code == 302
    assert Webhook.objects.get().signing_secrets == VECTOR_SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT signing_secrets FROM events_webhook")
        (raw,) = cursor.fetchone()
    assert raw.startswith("fernet:")
    assert VECTOR_SECRET not in raw


@pytest.mark.django_db
def test_the_admin_refuses_a_malformed_secret_next_to_the_field(admin_client, shop):
    response = admin_client.post(
        "/admin/events/webhook/add/",
        {
            "shop": shop.pk,
            "name": "S",
            "topic": "user/s/t",
            "data_mode": "auto",
            "signing_secrets": "hunter2",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["signing_secrets"] == [
        "line 1: a signing secret starts with whsec_"
    ]
    assert not Webhook.objects.exists()


def stored_secrets() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT signing_secrets FROM events_webhook")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_rotate_secrets_reencrypts_signing_secrets_with_the_newest_key(shop, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.HUB_SECRET_KEYS = [old_key]
    Webhook.objects.create(shop=shop, name="S", topic="user/s/t", signing_secrets=VECTOR_SECRET)
    settings.HUB_SECRET_KEYS = [new_key, old_key]
    out = StringIO()

    call_command("rotate_secrets", stdout=out)

    assert "1 webhook signing secret set(s)" in out.getvalue()
    assert (
        Fernet(new_key).decrypt(stored_secrets().removeprefix("fernet:").encode()).decode() == VECTOR_SECRET
    )
    with pytest.raises(CommandError, match="the signing secrets of webhook 'S'"):
        settings.HUB_SECRET_KEYS = [Fernet.generate_key().decode()]
        call_command("rotate_secrets", stdout=StringIO())
