"""Fixtures shared by the action tests: local peers, the address guard's allow-list, secrets."""

import socket

import pytest


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@pytest.fixture
def allow_local(settings):
    """Let task-controlled connections reach the test's local peers on 127.0.0.1 (the guard stays on
    for every other internal address)."""
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]


@pytest.fixture
def secret_reference(task_run):
    """``secret_reference(key, value)`` → stores secret ``key`` for the shop and returns the
    reference this task run's actions resolve (the run gets a nonce, as rendering gives it)."""
    from tasks_app.models import Secret
    from tasks_app.secrets import new_nonce, secret_reference

    task_run.secret_nonce = new_nonce()
    task_run.save(update_fields=["secret_nonce"])

    def make(key: str, value: str) -> str:
        secret = Secret(shop=task_run.shop, key=key)
        secret.set_value(value)
        secret.save()
        return secret_reference(key, task_run.secret_nonce)

    return make
