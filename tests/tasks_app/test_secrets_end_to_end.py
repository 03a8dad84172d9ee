"""A secret used in an HTTP header reaches the server and nothing else: not the stored runs, not the logs,
not the admin pages (spec/platform.md §5.3, spec/actions.md §0.4)."""

import json
import logging

import pytest
from django.urls import reverse
from werkzeug import Response

from events.models import Event
from runs.inline import perform_event_now
from runs.models import ActionRun, TaskRun
from tasks_app.models import Secret, Task

RAW = "sk_live_0123456789abcdef"

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("staff", "s@example.com", "pw-tests-only"))
    return client


def test_a_secret_header_is_sent_but_never_stored_logged_or_shown(shop, httpserver, settings, staff, caplog):
    settings.HUB_HTTP_ALLOW_PRIVATE = "127.0.0.1"
    secret = Secret(shop=shop, key="api_token")
    secret.set_value(RAW)
    secret.save()
    # The server echoes the Authorization header back, as careless APIs do.
    httpserver.expect_request("/orders").respond_with_handler(
        lambda request: Response(
            json.dumps({"seen": request.headers["Authorization"]}), content_type="application/json"
        )
    )
    Task.objects.create(
        shop=shop,
        name="Call an API",
        enabled=True,
        subscriptions=["user/api/call"],
        script=(
            '{% assign auth = "Bearer " | append: secrets.api_token %}'
            "{% log auth %}"
            "{% assign headers = hash %}"
            '{% assign headers["Authorization"] = auth %}'
            f'{{% action "http", method: "get", url: "{httpserver.url_for("/orders")}", headers: headers %}}'
        ),
    )
    event = Event.objects.ingest(shop, "user/api/call", None, enqueue=False)

    with caplog.at_level(logging.DEBUG):
        perform_event_now(event)

    (request, _response) = httpserver.log[0]
    assert request.headers["Authorization"] == f"Bearer {RAW}"
    action_run = ActionRun.objects.get()
    task_run = TaskRun.objects.get()
    assert (action_run.status, action_run.error) == ("succeeded", None)
    assert action_run.result["body"] == {"seen": "Bearer __mechanic_secret_value_redacted__"}
    assert action_run.result["body_base64"] == "__mechanic_secret_value_redacted__"
    reference = f"⟦secret:api_token:{task_run.secret_nonce}⟧"
    assert action_run.options["headers"] == {"Authorization": f"Bearer {reference}"}
    assert task_run.logs == [f"Bearer {reference}"]

    stored = json.dumps(
        [
            list(ActionRun.objects.values()),
            list(TaskRun.objects.values()),
            list(Event.objects.values()),
            list(Secret.objects.values()),
        ],
        default=str,
    )
    assert RAW not in stored
    assert RAW not in caplog.text
    pages = [
        reverse("admin:runs_actionrun_change", args=[action_run.pk]),
        reverse("admin:runs_taskrun_change", args=[task_run.pk]),
        reverse("admin:events_event_change", args=[event.pk]),
        reverse("admin:tasks_app_secret_changelist"),
        reverse("admin:tasks_app_secret_change", args=[secret.pk]),
        reverse("admin:runs_actionrun_changelist"),
    ]
    for page in pages:
        response = staff.get(page)
        assert response.status_code == 200, page
        assert RAW not in response.content.decode(), page


def test_a_secret_the_remote_echoes_encoded_is_redacted_in_every_encoding(shop, httpserver, settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = "127.0.0.1"
    secret = Secret(shop=shop, key="api_token")
    secret.set_value(RAW)
    secret.save()
    raw_bytes = RAW.encode()
    httpserver.expect_request("/echo").respond_with_handler(
        lambda request: Response(
            json.dumps(
                {
                    "hex": raw_bytes.hex(),
                    "HEX": raw_bytes.hex().upper(),
                    "reversed": RAW[::-1],
                    "upper": RAW.upper(),
                    "html": "".join(f"&#{ord(char)};" for char in RAW),
                    "percent": "".join(f"%{byte:02x}" for byte in raw_bytes),
                }
            ),
            content_type="application/json",
        )
    )
    Task.objects.create(
        shop=shop,
        name="Echo",
        enabled=True,
        subscriptions=["user/api/call"],
        script=(
            f'{{% action "http", method: "post", url: "{httpserver.url_for("/echo")}", '
            "body: secrets.api_token %}"
        ),
    )
    event = Event.objects.ingest(shop, "user/api/call", None, enqueue=False)

    perform_event_now(event)

    body = ActionRun.objects.get().result["body"]
    assert body == dict.fromkeys(
        ["hex", "HEX", "reversed", "upper", "html", "percent"], "__mechanic_secret_value_redacted__"
    )
    stored = json.dumps(list(ActionRun.objects.values()), default=str).lower()
    assert raw_bytes.hex() not in stored
    assert RAW.lower() not in stored
