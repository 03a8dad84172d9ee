"""Password sign-up is closed: operators create staff users."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_password_signup_is_closed(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "mallory",
            "email": "m@example.com",
            "password1": "Str0ng-pass-123",
            "password2": "Str0ng-pass-123",
        },
    )

    assert response.status_code == 200
    assert "Sign Up Closed" in response.content.decode()
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_signup_opens_when_the_operator_says_so(client, settings):
    settings.HUB_OPEN_SIGNUP = True

    client.post(
        "/accounts/signup/",
        {
            "username": "alice",
            "email": "a@example.com",
            "password1": "Str0ng-pass-123",
            "password2": "Str0ng-pass-123",
        },
    )

    assert get_user_model().objects.filter(username="alice").exists()
