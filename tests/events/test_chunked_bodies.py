"""Request bodies sent with ``Transfer-Encoding: chunked`` (issue 11, hardened ingress): read in full
where the server decodes chunks (gunicorn), refused with ``411`` where it cannot (Django's
runserver), never taken as an empty body."""

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.test import RequestFactory

from events import ingress
from events.models import Event, Webhook
from tests.runs.cluster_helpers import database_url

ROOT = Path(__file__).resolve().parent.parent.parent


def chunked_request(body: bytes, *, terminated: bool):
    request = RequestFactory().post("/webhooks/x", data=b"", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = io.BytesIO(body)
    if terminated:
        request.META["wsgi.input_terminated"] = True
    return request


def test_a_decoded_chunked_body_is_read_to_its_end():
    body = b'{"n": 1, "pad": "' + b"x" * 200_000 + b'"}'

    assert ingress.read_body(chunked_request(body, terminated=True)) == body


def test_a_chunked_body_over_the_limit_is_too_large():
    with pytest.raises(ingress.BodyTooLarge):
        ingress.read_body(chunked_request(b"x" * 101, terminated=True), max_bytes=100)

    assert ingress.read_body(chunked_request(b"x" * 100, terminated=True), max_bytes=100) == b"x" * 100


def test_a_chunked_body_the_server_did_not_decode_is_refused():
    with pytest.raises(ingress.LengthRequired):
        ingress.read_body(chunked_request(b"{}", terminated=False))


@pytest.mark.django_db
def test_the_webhook_answers_411_naming_the_problem_rather_than_storing_an_empty_event(client, shop):
    webhook = Webhook.objects.create(shop=shop, name="W", topic="user/a/b")

    response = client.post(
        f"/webhooks/{webhook.pk}", data=b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )

    assert response.status_code == 411
    assert b"Transfer-Encoding: chunked is not supported by this server" in response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not Event.objects.exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(transactional_db):
    """Hub under gunicorn (one sync worker) on the suite's test database."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "HUB_ENQUEUE_RUNS": "0"}
    process = subprocess.Popen(  # noqa: S603  (this interpreter, fixed arguments)
        [sys.executable, "-m", "gunicorn", "hub.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def test_under_gunicorn_a_chunked_webhook_post_keeps_its_body(gunicorn, shop):
    webhook = Webhook.objects.create(shop=shop, name="W", topic="user/chunked/sent")

    def pieces():
        yield b'{"items": ['
        yield b",".join(b'{"n": %d}' % n for n in range(500))
        yield b"]}"

    response = requests.post(
        f"{gunicorn}/webhooks/{webhook.pk}",
        data=pieces(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 204
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    event = Event.objects.get()
    assert event.data == {"items": [{"n": n} for n in range(500)]}
