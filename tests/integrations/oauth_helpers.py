"""Driving allauth's login and callback views for the OAuth connect tests."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialToken

from hub.crypto import fernet
from tests.tasks_app.integration_helpers import point_services_at, staff_user

CALLBACK = "http://testserver/accounts/{service}/login/callback/"


@pytest.fixture(name="services")
def services_fixture(settings, httpserver):
    """The stand-in for every service, with the OAuth app credentials ``<service>-client``/``-secret``."""
    point_services_at(settings, httpserver)
    return httpserver


@pytest.fixture(name="staff_client")
def staff_client_fixture(client, db):
    """A test client signed in as a staff user."""
    client.force_login(staff_user())
    return client


def start_connect(client, service: str, shop_domain: str = "example.myshopify.com") -> tuple[str, dict]:
    """POST the provider's login view; returns the authorize endpoint and its query parameters."""
    response = client.post(f"/accounts/{service}/login/?process=connect&shop={shop_domain}")
    assert response.status_code == 302, response.content[:500]
    location = urlsplit(response["Location"])
    params = {key: values[0] for key, values in parse_qs(location.query).items()}
    return f"{location.scheme}://{location.netloc}{location.path}", params


def form_of(request) -> dict:
    """A form-encoded request body as a flat dict."""
    return {key: values[0] for key, values in parse_qs(request.get_data(as_text=True)).items()}


def stored_tokens() -> tuple[str, str]:
    """The plaintext (access, refresh) token of the only ``SocialToken`` row, read from its raw columns.

    Fails unless each non-empty column holds ``fernet:`` ciphertext only.
    """
    row = SocialToken.objects.values("token", "token_secret").get()
    plain = []
    for value in (row["token"], row["token_secret"]):
        assert value == "" or value.startswith("fernet:"), "a token is stored in plaintext"
        plain.append(fernet().decrypt(value.removeprefix("fernet:").encode()).decode() if value else "")
    return plain[0], plain[1]
