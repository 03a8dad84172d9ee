"""Cache endpoints (issue 11, item 2; spec/platform.md §4.6, §1.8): a public, read-only URL per
cache key answering its live JSON value, ``null`` when it has none, with CORS for any origin."""

import json
from datetime import timedelta

import pytest
import requests
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from integrations.models import Shop
from tasks_app.models import CacheEndpoint, CacheEntry
from tests.runs.engine_helpers import emit, make_task

pytestmark = pytest.mark.django_db


def store(shop, key, value, *, seconds=3600):
    return CacheEntry.objects.create(
        shop=shop, key=key, value=value, expires_at=timezone.now() + timedelta(seconds=seconds)
    )


@pytest.fixture
def endpoint(shop):
    return CacheEndpoint.objects.create(shop=shop, key="stock:levels")


def test_get_answers_the_stored_value_as_json_without_caching(client, shop, endpoint):
    store(shop, "stock:levels", {"sku-1": 4, "names": ["a", "é"]})

    response = client.get(f"/cache/{endpoint.pk}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content) == {"sku-1": 4, "names": ["a", "é"]}
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize("value", [None, "text", 12, [1, 2], True])
def test_any_json_value_is_answered_as_it_is_stored(client, shop, endpoint, value):
    store(shop, "stock:levels", value)

    assert json.loads(client.get(f"/cache/{endpoint.pk}").content) == value


def test_a_missing_or_expired_key_answers_null(client, shop, endpoint):
    assert client.get(f"/cache/{endpoint.pk}").content == b"null"

    store(shop, "stock:levels", 5, seconds=-1)

    response = client.get(f"/cache/{endpoint.pk}")
    assert (response.status_code, response.content) == (200, b"null")


def test_the_key_of_another_shop_is_not_read(client, shop, endpoint):
    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    store(other, "stock:levels", "theirs")

    assert client.get(f"/cache/{endpoint.pk}").content == b"null"


@pytest.mark.parametrize("path", ["/cache/00000000-0000-4000-8000-000000000000", "/cache/not-a-uuid"])
def test_an_unknown_endpoint_is_404_with_cors(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


def test_head_answers_the_get_headers_without_a_body(client, shop, endpoint):
    store(shop, "stock:levels", [1, 2, 3])

    response = client.head(f"/cache/{endpoint.pk}")

    assert response.status_code == 200
    assert response["Content-Length"] == str(len(b"[1,2,3]"))
    assert response.content == b""


def test_preflight_allows_get_and_head_from_any_origin(client, endpoint):
    response = client.options(
        f"/cache/{endpoint.pk}",
        HTTP_ORIGIN="https://shop.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-custom",
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "x-custom"
    assert response["Access-Control-Max-Age"] == "86400"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_writes_are_refused_with_405(client, shop, endpoint, method):
    store(shop, "stock:levels", 1)

    response = getattr(client, method)(f"/cache/{endpoint.pk}", data="2", content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert CacheEntry.objects.get(shop=shop, key="stock:levels").value == 1


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("has space", "'has space' may contain only letters, digits and _ : - . /"),
        ("k" * 256, "Ensure this value has at most 255 characters (it has 256)."),
    ],
)
def test_an_invalid_key_is_refused(shop, key, message):
    with pytest.raises(ValidationError) as raised:
        CacheEndpoint(shop=shop, key=key).full_clean()

    assert raised.value.message_dict["key"] == [message]


@override_settings(HUB_CACHE_BASE_URL="https://hub.example/cache")
def test_the_url_is_the_base_and_the_id(endpoint):
    assert endpoint.url == f"https://hub.example/cache/{endpoint.pk}"


def test_the_documented_loop_webhook_task_cache_write_endpoint_read(client, shop, endpoint):
    make_task(
        shop,
        subscriptions=["user/stock/update"],
        script='{% action "cache", "set", "stock:levels", event.data %}',
    )

    emit(shop, "user/stock/update", {"sku-1": 7})

    assert json.loads(client.get(f"/cache/{endpoint.pk}").content) == {"sku-1": 7}


def test_the_admin_creates_an_endpoint_and_shows_its_url_and_value(admin_client, shop):
    response = admin_client.post("/admin/tasks_app/cacheendpoint/add/", {"shop": shop.pk, "key": "a:b"})

    assert response.status_code == 302
    endpoint = CacheEndpoint.objects.get()
    assert (endpoint.shop, endpoint.key) == (shop, "a:b")
    store(shop, "a:b", {"x": 1})
    page = admin_client.get(f"/admin/tasks_app/cacheendpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.url in page
    assert "{&quot;x&quot;: 1}" in page


def test_the_admin_refuses_an_invalid_key_next_to_the_field(admin_client, shop):
    response = admin_client.post("/admin/tasks_app/cacheendpoint/add/", {"shop": shop.pk, "key": "a b"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["key"] == [
        "'a b' may contain only letters, digits and _ : - . /"
    ]
    assert not CacheEndpoint.objects.exists()


def test_a_browser_style_cross_origin_read_over_real_http(live_server, shop, endpoint):
    store(shop, "stock:levels", {"ok": True})

    response = requests.get(
        f"{live_server.url}/cache/{endpoint.pk}", headers={"Origin": "https://x.test"}, timeout=5
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {"ok": True}
