"""The front door and sign-in throttling (issue 10, item 7; spec/platform.md §9.1)."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_the_front_door_shows_both_ways_in_to_a_visitor(client):
    html = client.get("/").content.decode()

    assert '<form method="get" action="/accounts/shopify/login/">' in html
    assert "Sign in with Shopify" in html
    assert 'href="/admin/login/?next=/admin/"' in html


def test_a_signed_in_user_is_sent_to_the_console(admin_client):
    response = admin_client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_shopify_sign_in_without_a_shop_comes_back_asking_for_it(client):
    response = client.post("/accounts/shopify/login/", follow=True)

    assert response.redirect_chain[-1] == ("/?error=shop", 302)
    assert "Enter your shop&#x27;s myshopify domain to sign in with Shopify." in response.content.decode()


def test_password_guessing_is_locked_out_after_the_limit_even_with_the_right_password(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_superuser("boss", "boss@example.com", "right-password-1")

    for _ in range(3):
        response = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "right-password-1"})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_right_password_within_the_limit_signs_in(client):
    get_user_model().objects.create_superuser("boss", "boss@example.com", "right-password-1")
    client.post("/admin/login/", {"username": "boss", "password": "wrong"})

    response = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "right-password-1"})

    assert (response.status_code, response["Location"]) == (302, "/admin/")
