"""Fixtures shared by the whole suite."""

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TASKS_DIR = SHARED / "reference" / "mechanic-tasks" / "tasks"
WEBHOOKS_DIR = SHARED / "reference" / "shopify-webhooks"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Give each pytest-xdist worker its own Django-Q2 queue, ``HUB_Q_NAME=<name>-gw0`` and so on,
    as pytest-django gives it its own test database: what one worker's tests (and a ``qcluster``
    they start, which inherits the environment) put on a shared Redis is never taken by another's.
    """
    from django.conf import settings

    for spec in specs:
        spec.env["HUB_Q_NAME"] = f"{settings.Q_CLUSTER['name']}-{spec.id}"


@pytest.fixture(autouse=True)
def _runs_stay_in_process(settings):
    """Tests perform runs in-process (the full-path test turns the queue back on), and a failed
    attempt is final unless a test sets ``HUB_RETRY_DELAYS_S`` to ask for automatic retries."""
    settings.HUB_ENQUEUE_RUNS = False
    settings.HUB_RETRY_DELAYS_S = []
    yield
    from runs import worker  # Django is set up only once the session starts

    worker.end_heartbeat()  # a run performed here started one; it must not outlive the test


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Users made in tests get MD5 password hashes: Django's PBKDF2 default costs about 0.2 s a
    user here, and no test is about hash strength (production settings keep the default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def shop(db):
    """A stored shop in UTC with email sending approved."""
    from integrations.models import Shop

    return Shop.objects.create(
        myshopify_domain="example.myshopify.com",
        email_sending_approved=True,
        data={
            "name": "Example Shop",
            "email": "owner@example.com",
            "customer_email": "support@example.com",
            "iana_timezone": "UTC",
            "currency": "USD",
        },
    )
