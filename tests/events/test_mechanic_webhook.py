"""The Mechanic webhook endpoint ``/webhooks/<uuid>`` (spec/platform.md §1)."""

import base64
import uuid

import pytest
from django.test import Client

from events import views
from events.models import Event, Webhook
from tests.events.test_params import BOUNDARY, file_field, multipart


@pytest.fixture
def client():
    # CSRF checks on, as in production: the view must be exempt.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def webhook(shop):
    return Webhook.objects.create(shop=shop, name="Contact form", topic="user/contact/submitted")


@pytest.fixture
def full_webhook(shop):
    return Webhook.objects.create(
        shop=shop, name="Raw", topic="user/raw/received", data_mode=Webhook.DataMode.FULL_REQUEST
    )


def url(hook, suffix: str = "") -> str:
    return f"/webhooks/{hook.id if isinstance(hook, Webhook) else hook}{suffix}"


def only_event() -> Event:
    (event,) = Event.objects.all()
    return event


def test_a_json_post_stores_one_event_with_the_webhook_topic_and_answers_204(client, webhook):
    response = client.post(url(webhook), b'{"email": "a@b.co"}', content_type="application/json")

    assert response.status_code == 204
    assert response.content == b""
    event = only_event()
    assert event.shop == webhook.shop
    assert event.topic == "user/contact/submitted"
    assert event.data == {"email": "a@b.co"}
    assert event.source == "webhook"
    assert event.shopify_topic is None


def test_the_request_id_is_returned_and_stored_on_the_event(client, webhook):
    response = client.post(url(webhook), b"{}", content_type="application/json")

    request_id = uuid.UUID(response["x-request-id"])
    assert request_id.version == 4
    assert only_event().webhook_request_id == request_id


def test_the_event_run_is_created_due(client, webhook):
    client.post(url(webhook), b'{"a": 1}', content_type="application/json")

    assert only_event().run.status == "due"


def test_auto_mode_merges_body_and_query_with_the_query_winning(client, webhook):
    client.post(
        url(webhook, "?via=form&qty=9"), b'{"email": "a@b.co", "qty": 2}', content_type="application/json"
    )

    assert only_event().data == {"email": "a@b.co", "qty": "9", "via": "form"}


def test_auto_mode_nests_urlencoded_bodies(client, webhook):
    client.post(
        url(webhook),
        b"c[name]=Ana&c[tier][level]=2&t[]=x&t[]=y",
        content_type="application/x-www-form-urlencoded",
    )

    assert only_event().data == {"c": {"name": "Ana", "tier": {"level": "2"}}, "t": ["x", "y"]}


def test_auto_mode_with_a_text_body_and_a_query_keeps_only_the_query(client, webhook):
    client.post(url(webhook, "?x=1"), b"hello there", content_type="text/plain")

    assert only_event().data == {"x": "1"}


def test_auto_mode_keeps_an_unstructured_body_as_a_string(client, webhook):
    client.post(url(webhook), b"hello there\n", content_type="text/plain")

    assert only_event().data == "hello there\n"


def test_auto_mode_replaces_invalid_utf8_in_a_string_body(client, webhook):
    client.post(url(webhook), b"caf\xe9", content_type="text/plain")

    assert only_event().data == "caf\ufffd"


@pytest.mark.parametrize("body", [b"", b"  \r\n\t "], ids=["empty", "whitespace"])
def test_auto_mode_stores_null_for_a_blank_body(client, webhook, body):
    client.post(url(webhook), body, content_type="text/plain")

    assert only_event().data is None


def test_auto_mode_stores_an_empty_json_object_as_its_text(client, webhook):
    client.post(url(webhook), b"{}", content_type="application/json")

    assert only_event().data == "{}"


def test_auto_mode_stores_malformed_json_as_its_text(client, webhook):
    response = client.post(url(webhook), b'{"email": ', content_type="application/json")

    assert response.status_code == 204
    assert only_event().data == '{"email": '


def test_auto_mode_uses_the_query_when_the_json_body_is_malformed(client, webhook):
    client.post(url(webhook, "?x=1"), b"{nope", content_type="application/json")

    assert only_event().data == {"x": "1"}


def test_auto_mode_stores_the_text_when_the_query_has_a_shape_conflict(client, webhook):
    client.post(url(webhook, "?a=1&a[b]=2"), b"plain", content_type="text/plain")

    assert only_event().data == "plain"


def test_auto_mode_wraps_a_json_array(client, webhook):
    client.post(url(webhook), b"[1, 2]", content_type="application/json")

    assert only_event().data == {"_json": [1, 2]}


def test_auto_mode_stores_multipart_files_as_file_hashes(client, webhook):
    raw = multipart(file_field("upload", "tiny.png", b"\x89PNG\r\n"))
    client.post(url(webhook), raw, content_type=f"multipart/form-data; boundary={BOUNDARY}")

    assert only_event().data == {
        "upload": {
            "content_base64": base64.b64encode(b"\x89PNG\r\n").decode(),
            "mime_type": "image/png",
            "name": "tiny.png",
            "size": 6,
        }
    }


def test_full_request_mode_stores_exactly_the_documented_keys(client, full_webhook):
    response = client.post(
        url(full_webhook, "?key=value&hash[key]=hash_value&array[]=array_value"),
        b'{"a": 1}',
        content_type="application/json; charset=utf-8",
        headers={"X-Custom": "Value", "X-Foo": "Bar,Baz"},
    )

    assert only_event().data == {
        "body_base64": base64.b64encode(b'{"a": 1}').decode(),
        "body": {"a": 1},
        "client_ip": "127.0.0.1",
        "headers": {
            "content-length": ["8"],
            "content-type": ["application/json; charset=utf-8"],
            "cookie": [""],  # the test client always sends an empty Cookie header
            "x-custom": ["Value"],
            "x-foo": ["Bar,Baz"],
        },
        "mime_type": "application/json",
        "query_string": "key=value&hash[key]=hash_value&array[]=array_value",
        "query": {"key": "value", "hash": {"key": "hash_value"}, "array": ["array_value"]},
        "request_id": response["x-request-id"],
        "webhook_id": str(full_webhook.id),
    }


def test_full_request_mode_has_nulls_without_query_and_content_type(rf, full_webhook):
    request = rf.generic("POST", url(full_webhook), b"raw text")
    del request.META["CONTENT_TYPE"]  # the test client always sends one

    views.mechanic_webhook(request, webhook_id=str(full_webhook.id))

    data = only_event().data
    assert data["body_base64"] == base64.b64encode(b"raw text").decode()
    assert data["body"] is None
    assert data["mime_type"] is None
    assert data["query_string"] is None
    assert data["query"] is None
    assert "content-type" not in data["headers"]


def test_full_request_mode_treats_an_empty_query_string_as_null(client, full_webhook):
    client.post(url(full_webhook, "?"), b"", content_type="text/plain")

    assert only_event().data["query_string"] is None


def test_full_request_mode_keeps_a_text_body_only_as_base64(client, full_webhook):
    client.post(url(full_webhook, "?x=1"), b"hello", content_type="text/plain")

    data = only_event().data
    assert data["body"] is None
    assert data["body_base64"] == base64.b64encode(b"hello").decode()
    assert data["query"] == {"x": "1"}


def test_full_request_mode_stores_null_body_for_malformed_json(client, full_webhook):
    client.post(url(full_webhook), b"{nope", content_type="application/json")

    assert only_event().data["body"] is None


def test_full_request_mode_keeps_multipart_bytes_and_file_hashes(client, full_webhook):
    raw = multipart(file_field("upload", "tiny.png", b"\x89PNG"))
    client.post(url(full_webhook), raw, content_type=f"multipart/form-data; boundary={BOUNDARY}")

    data = only_event().data
    assert base64.b64decode(data["body_base64"]) == raw
    assert data["body"] == {
        "upload": {"content_base64": "iVBORw==", "mime_type": "image/png", "name": "tiny.png", "size": 4}
    }
    assert data["mime_type"] == "multipart/form-data"


def test_full_request_mode_reads_the_client_ip_through_trusted_proxies(client, full_webhook, settings):
    settings.HUB_TRUSTED_PROXY_HOPS = 1
    client.post(
        url(full_webhook),
        b"",
        content_type="text/plain",
        headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"},
    )

    assert only_event().data["client_ip"] == "203.0.113.9"


def test_full_request_mode_ignores_forwarded_for_without_trusted_proxies(client, full_webhook):
    client.post(url(full_webhook), b"", content_type="text/plain", headers={"X-Forwarded-For": "6.6.6.6"})

    assert only_event().data["client_ip"] == "127.0.0.1"


def test_full_request_mode_leaves_out_denylisted_headers(client, full_webhook, settings):
    settings.HUB_WEBHOOK_HEADER_DENYLIST = ["X-Edge-Secret"]
    client.post(url(full_webhook), b"", content_type="text/plain", headers={"X-Edge-Secret": "s3cret"})

    assert "x-edge-secret" not in only_event().data["headers"]


NASTY_BODIES = [
    ("application/json", b'{"a": NaN}'),
    ("application/json", b"[" * 50_000),
    ("application/json", b"[" * 900 + b"]" * 900),
    ("application/json", b'{"a": "\\ud800"}'),
    ("application/x-www-form-urlencoded", b"a=%zz&b=%FF&c" + b"[x]" * 100 + b"=1"),
    ("multipart/form-data", b"--x\r\n"),
    ("multipart/form-data; boundary=x", b"\x00\xff--x--"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n"),
    ("application/octet-stream", bytes(range(256))),
]


@pytest.mark.parametrize("mode", ["auto", "full_request"])
@pytest.mark.parametrize(("content_type", "body"), NASTY_BODIES)
def test_malformed_bodies_are_stored_as_data_and_never_fail(client, shop, mode, content_type, body):
    hook = Webhook.objects.create(shop=shop, name="Nasty", topic="user/nasty/body", data_mode=mode)

    response = client.post(url(hook, "?q[=1&z=%"), body, content_type=content_type)

    assert response.status_code == 204
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    "webhook_id",
    [uuid.uuid4(), "not-a-uuid", "00000000-0000-0000-0000-00000000000g"],
    ids=["unknown", "malformed", "almost-uuid"],
)
def test_unknown_or_malformed_webhook_ids_answer_204_and_store_nothing(client, db, webhook_id):
    response = client.post(url(webhook_id), b'{"a": 1}', content_type="application/json")

    assert response.status_code == 204
    uuid.UUID(response["x-request-id"])
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not Event.objects.exists()


def test_an_inactive_webhook_answers_204_and_stores_nothing(client, webhook):
    webhook.is_active = False
    webhook.save()

    response = client.post(url(webhook), b'{"a": 1}', content_type="application/json")

    assert response.status_code == 204
    assert not Event.objects.exists()


def test_every_response_carries_cors_headers(client, webhook):
    response = client.post(url(webhook), b"", content_type="text/plain")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "x-request-id"
    assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_answers_204_with_cors_headers_and_stores_nothing(client, webhook):
    response = client.options(
        url(webhook),
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-custom",
        },
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "content-type, x-custom"
    assert response["Access-Control-Max-Age"] == "86400"
    assert not Event.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "head"])
def test_other_methods_answer_405_and_store_nothing(client, webhook, method):
    response = getattr(client, method)(url(webhook))

    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert not Event.objects.exists()


def test_a_body_over_the_limit_answers_413_and_stores_nothing(client, webhook, settings):
    settings.HUB_MAX_WEBHOOK_BYTES = 10

    response = client.post(url(webhook), b'{"a": "0123456789"}', content_type="application/json")

    assert response.status_code == 413
    uuid.UUID(response["x-request-id"])
    assert not Event.objects.exists()


def test_a_body_under_the_limit_but_over_djangos_upload_cap_is_stored(client, webhook, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10

    response = client.post(url(webhook), b'{"a": "0123456789"}', content_type="application/json")

    assert response.status_code == 204
    assert only_event().data == {"a": "0123456789"}


def test_a_false_content_length_above_the_limit_answers_413(client, webhook, settings):
    settings.HUB_MAX_WEBHOOK_BYTES = 10

    response = client.generic("POST", url(webhook), b"{}", CONTENT_LENGTH="999")

    assert response.status_code == 413
    assert not Event.objects.exists()


def test_the_asana_variant_echoes_the_hook_secret_and_stores_the_event(client, webhook):
    response = client.post(
        url(webhook, "/asana"), b"", content_type="application/json", headers={"X-Hook-Secret": "abc123"}
    )

    assert response.status_code == 204
    assert response["X-Hook-Secret"] == "abc123"
    assert Event.objects.count() == 1


def test_the_mailchimp_variant_answers_200_to_post_and_stores_the_event(client, webhook):
    response = client.post(
        url(webhook, "/mailchimp"), b"type=subscribe", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert only_event().data == {"type": "subscribe"}


def test_the_mailchimp_variant_answers_200_to_get_without_an_event(client, webhook):
    response = client.get(url(webhook, "/mailchimp"))

    assert response.status_code == 200
    assert not Event.objects.exists()


def test_the_ship24_variant_answers_200_to_head_without_an_event(client, webhook):
    response = client.head(url(webhook, "/ship24"))

    assert response.status_code == 200
    assert not Event.objects.exists()


def test_the_ship24_variant_stores_posts(client, webhook):
    response = client.post(url(webhook, "/ship24"), b'{"a": 1}', content_type="application/json")

    assert response.status_code == 204
    assert Event.objects.count() == 1


def test_an_unknown_client_variant_answers_404_and_stores_nothing(client, webhook):
    response = client.post(url(webhook, "/zapier"), b'{"a": 1}', content_type="application/json")

    assert response.status_code == 404
    assert not Event.objects.exists()


def test_the_webhook_sets_no_cookies(client, webhook):
    response = client.post(url(webhook), b"{}", content_type="application/json")

    assert not response.cookies


def test_nul_characters_are_replaced_so_every_database_can_store_them(client, webhook):
    client.post(url(webhook, "?n=a%00b"), b'{"k\\u0000": ["\\u0000"]}', content_type="application/json")

    assert only_event().data == {"k\ufffd": ["\ufffd"], "n": "a\ufffdb"}


@pytest.mark.parametrize("body", [b'{"a": 1e400}', b"[-1e999]"])
def test_a_number_too_large_for_a_float_is_kept_as_text_never_a_500(client, webhook, body):
    response = client.post(url(webhook), body, content_type="application/json")

    assert response.status_code == 204
    assert only_event().data == body.decode()
