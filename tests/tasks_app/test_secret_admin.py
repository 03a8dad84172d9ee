"""The secrets admin: write-only values, metadata columns, approximate reference counts
(spec/platform.md §5.3, §5.4)."""

import pytest

from tasks_app.models import Secret, Task

pytestmark = pytest.mark.django_db

VALUE = "sk_live_Zq8-very-secret"
OTHER = "sk_live_replacement-77"
ADD_URL = "/admin/tasks_app/secret/add/"
LIST_URL = "/admin/tasks_app/secret/"


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def change_url(secret: Secret) -> str:
    return f"/admin/tasks_app/secret/{secret.pk}/change/"


def add_secret(admin_client, shop, key="api_token", value=VALUE) -> Secret:
    response = admin_client.post(ADD_URL, {"shop": shop.pk, "key": key, "value": value})
    assert response.status_code == 302
    return Secret.objects.get(shop=shop, key=key)


def test_the_add_form_stores_the_value_encrypted(admin_client, shop):
    form = admin_client.get(ADD_URL).content.decode()
    assert 'type="password" name="value"' in form

    secret = add_secret(admin_client, shop)

    assert list(Secret.objects.values_list("shop_id", "key")) == [(shop.pk, "api_token")]
    assert VALUE not in secret.encrypted_value
    assert secret.reveal() == VALUE


def test_the_add_form_requires_a_value(admin_client, shop):
    response = admin_client.post(ADD_URL, {"shop": shop.pk, "key": "api_token", "value": ""})

    assert response.status_code == 200
    assert "Enter the secret&#x27;s value." in response.content.decode()
    assert Secret.objects.count() == 0


def test_pages_never_show_the_value(admin_client, shop):
    secret = add_secret(admin_client, shop)

    pages = {
        "change": admin_client.get(change_url(secret)),
        "changelist": admin_client.get(LIST_URL),
        "history": admin_client.get(f"/admin/tasks_app/secret/{secret.pk}/history/"),
        "delete": admin_client.get(f"/admin/tasks_app/secret/{secret.pk}/delete/"),
    }

    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert VALUE not in html, name
        assert secret.encrypted_value not in html, name


def test_search_looks_at_keys_only(admin_client, shop):
    add_secret(admin_client, shop)
    add_secret(admin_client, shop, "signing_key", OTHER)

    by_value = admin_client.get(LIST_URL, {"q": "very-secret"}).content.decode()
    by_key = admin_client.get(LIST_URL, {"q": "api_tok"}).content.decode()

    assert '0 results (<a href="?">2 total</a>)' in by_value
    assert '1 result (<a href="?">2 total</a>)' in by_key


def test_an_invalid_submission_does_not_echo_the_value(admin_client, shop):
    add_secret(admin_client, shop)

    response = admin_client.post(ADD_URL, {"shop": shop.pk, "key": "api_token", "value": OTHER})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Secret with this Shop and Key already exists." in html
    assert OTHER not in html


def test_a_blank_value_on_change_keeps_the_stored_one(admin_client, shop):
    secret = add_secret(admin_client, shop)
    token = secret.encrypted_value

    response = admin_client.post(change_url(secret), {"shop": shop.pk, "key": "api_token", "value": ""})

    assert response.status_code == 302
    secret.refresh_from_db()
    assert (secret.key, secret.encrypted_value, secret.reveal()) == ("api_token", token, VALUE)


def test_a_new_value_on_change_replaces_the_stored_one(admin_client, shop):
    secret = add_secret(admin_client, shop)

    response = admin_client.post(change_url(secret), {"shop": shop.pk, "key": "api_token", "value": OTHER})

    assert response.status_code == 302
    secret.refresh_from_db()
    assert secret.reveal() == OTHER
    html = admin_client.get(change_url(secret)).content.decode()
    assert OTHER not in html and VALUE not in html


def test_the_changelist_shows_metadata_and_approximate_reference_counts(admin_client, shop):
    from integrations.models import Shop

    used = add_secret(admin_client, shop, "api_token")
    unused = add_secret(admin_client, shop, "api")
    Task.objects.create(shop=shop, name="script", script='{{ "Bearer " | append: secrets.api_token }}')
    Task.objects.create(shop=shop, name="option", options={"key__secret_required": "api_token"})
    Task.objects.create(
        shop=shop, name="both", script="secrets.api_token", options={"k__secret": "api_token"}
    )
    Task.objects.create(shop=shop, name="longer key", script="secrets.api_token_2")
    Task.objects.create(shop=shop, name="js", online_store_javascript="// secrets.api")
    Task.objects.create(shop=shop, name="global option", options={"k__global": "api_token"})
    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    Task.objects.create(shop=other, name="elsewhere", script="secrets.api_token")

    html = admin_client.get(LIST_URL).content.decode()

    assert (used.reference_count(), unused.reference_count()) == (3, 1)
    assert '<td class="field-reference_count">3</td>' in html
    assert '<td class="field-reference_count">1</td>' in html
    assert html.count('<img src="/static/admin/img/icon-yes.svg" alt="True">') == 2
    assert VALUE not in html


def test_the_value_is_kept_out_of_error_reports(admin_client, shop):
    response = admin_client.post(ADD_URL, {"shop": shop.pk, "key": "api_token", "value": VALUE})

    assert response.wsgi_request.sensitive_post_parameters == ("value",)
