"""The whole path: a signed Shopify delivery to the live server, a real qcluster worker, a performed action.

The worker is a ``manage.py qcluster`` subprocess on the suite's test database
(a SQLite file, or ``test_hub`` on PostgreSQL; ``_gw0``... appended under
pytest-xdist) and the broker in force (the ORM broker, or Redis when
``REDIS_URL`` is set), on this test process's queue (``HUB_Q_NAME``, one per
xdist worker: see ``tests/conftest.py``).
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings

from runs.models import ActionRun
from tasks_app.models import Task
from tests.runs.cluster_helpers import database_url

ROOT = Path(__file__).resolve().parent.parent
WEBHOOK_EXAMPLES = ROOT.parent / "shared" / "reference" / "shopify-webhooks"


@pytest.fixture
def worker(transactional_db, settings):
    """A real Django-Q2 cluster in a subprocess, stopped before the test database is flushed."""
    from django_q.brokers import get_broker

    settings.HUB_ENQUEUE_RUNS = True
    get_broker().purge_queue()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HUB_ENQUEUE_RUNS": "1",
        "HUB_Q_NAME": django_settings.Q_CLUSTER["name"],
        "HUB_Q_WORKERS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_the_test_process_and_its_workers_share_one_queue_per_xdist_worker():
    from django_q.conf import Conf

    name = os.environ.get("HUB_Q_NAME", "hub")
    assert Conf.CLUSTER_NAME == django_settings.Q_CLUSTER["name"] == name
    if os.environ.get("PYTEST_XDIST_WORKER"):
        assert name.endswith("-" + os.environ["PYTEST_XDIST_WORKER"])


def signed_post(url: str, body: bytes, topic: str, domain: str) -> requests.Response:
    signature = base64.b64encode(
        hmac.new(django_settings.HUB_SHOPIFY_API_SECRET.encode(), body, hashlib.sha256).digest()
    ).decode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": domain,
        "X-Shopify-Hmac-Sha256": signature,
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    }
    return requests.post(url, data=body, headers=headers, timeout=10)


@pytest.mark.slow
def test_a_signed_shopify_delivery_is_performed_by_a_real_worker(live_server, worker, shop):
    Task.objects.create(
        shop=shop,
        name="Echo paid orders",
        enabled=True,
        subscriptions=["shopify/orders/paid"],
        script='{% action "echo", order_name: order.name, email: order.email %}',
    )
    body = (WEBHOOK_EXAMPLES / "orders-paid.json").read_bytes()

    response = signed_post(f"{live_server.url}/shopify/webhooks", body, "orders/paid", shop.myshopify_domain)

    assert response.status_code == 200
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        action_run = ActionRun.objects.filter(status__in=["succeeded", "failed"]).first()
        if action_run:
            break
        time.sleep(0.5)
    else:
        worker.terminate()
        output = worker.communicate(timeout=20)[0]
        pytest.fail(f"no action run finished within 90 s; worker output:\n{output[-4000:]}")
    expected = json.loads(body)
    assert (action_run.status, action_run.error) == ("succeeded", None)
    assert action_run.result == {"order_name": expected["name"], "email": expected["email"]}
    assert action_run.task_run.event.topic == "shopify/orders/paid"
