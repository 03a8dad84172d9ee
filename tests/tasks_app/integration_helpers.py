"""Connected accounts and local service stand-ins for the integration action tests.

Not a conftest: test modules import the ``*_fixture`` functions they use.
"""

from datetime import datetime
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.auth import get_user_model

from integrations.models import Connection
from runs.models import ActionRun
from tasks_app.actions import execute_action

SCOPES = {
    "slack": ["chat:write", "chat:write.customize"],
    "google": ["openid", "email", "https://www.googleapis.com/auth/drive.file"],
    "airtable": ["data.records:read", "data.records:write", "schema.bases:read", "schema.bases:write"],
}


def staff_user():
    """The staff user who connects accounts: platform staff (``view_all_shops``), so any shop."""
    from django.contrib.auth.models import Permission

    user, created = get_user_model().objects.get_or_create(username="staff", defaults={"is_staff": True})
    if created:
        user.user_permissions.add(Permission.objects.get(codename="view_all_shops"))
    return user


def connect(
    shop,
    service: str,
    label: str,
    *,
    token: str = "access-1",
    refresh_token: str = "",
    expires_at: datetime | None = None,
) -> Connection:
    """A connected account as the OAuth callback leaves it: SocialAccount, SocialToken, Connection."""
    account = SocialAccount.objects.create(
        user=staff_user(), provider=service, uid=f"{service}-{label}", extra_data={}
    )
    SocialToken.objects.create(
        account=account, token=token, token_secret=refresh_token, expires_at=expires_at
    )
    return Connection.objects.create(
        shop=shop,
        service=service,
        label=label,
        social_account=account,
        scopes=SCOPES[service],
        token_expires_at=expires_at,
    )


def point_services_at(settings, httpserver) -> None:
    """Send every integration call to the ``httpserver`` stand-in, each service under its real paths."""
    root = httpserver.url_for("").rstrip("/")
    settings.HUB_SLACK_API_URL = f"{root}/api"
    settings.HUB_SLACK_OAUTH_AUTHORIZE_URL = f"{root}/oauth/v2/authorize"
    settings.HUB_AIRTABLE_API_URL = root
    settings.HUB_AIRTABLE_OAUTH_URL = f"{root}/oauth2/v1"
    settings.HUB_GOOGLE_DRIVE_API_URL = root
    settings.HUB_GOOGLE_SHEETS_API_URL = root
    settings.HUB_GOOGLE_DOCS_API_URL = root
    settings.HUB_GOOGLE_OAUTH_AUTHORIZE_URL = f"{root}/o/oauth2/v2/auth"
    settings.HUB_GOOGLE_OAUTH_TOKEN_URL = f"{root}/token"
    settings.HUB_GOOGLE_USERINFO_URL = f"{root}/v1/userinfo"
    settings.HUB_REPORT_TOASTER_API_URL = f"{root}/report-toaster"
    settings.HUB_REPORT_TOASTER_API_KEY = "rt-partner-key"
    settings.HUB_SHOPIFY_ADMIN_URL = root
    settings.HUB_INTEGRATION_RETRY_DELAY_S = 0
    settings.SOCIALACCOUNT_PROVIDERS = {
        service: {"APP": {"client_id": f"{service}-client", "secret": f"{service}-secret"}}
        for service in ("airtable", "google", "slack", "shopify")
    }


@pytest.fixture(name="services")
def services_fixture(settings, httpserver):
    """The ``httpserver`` stand-in, with every integration URL pointed at it."""
    point_services_at(settings, httpserver)
    return httpserver


def outcome_of(task_run, action_type: str, options: Any):
    """Perform an action run directly and return its ``Outcome`` (result, error, permanent)."""
    run = ActionRun.from_action(task_run, 0, {"type": action_type, "options": options})
    return execute_action(run, enqueue=False)


def requests_to(httpserver, path: str) -> list:
    """The requests the stand-in received for ``path``, in order."""
    return [request for request, _ in httpserver.log if request.path == path]
