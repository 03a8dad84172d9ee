"""A local SMTP server for tests that send mail: an aiosmtpd ``Inbox`` keeping every envelope, and the
``inbox`` fixture that points Django's SMTP backend at it.

Not a conftest: test modules import ``inbox_fixture`` (and ``free_port``) where they need them.
"""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every envelope it receives; recipients starting with "refuse"
    are refused (550), and ``reply`` is the answer to DATA."""

    def __init__(self):
        self.envelopes = []
        self.reply = "250 Message accepted"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802  (aiosmtpd hook)
        if address.startswith("refuse"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd hook)
        self.envelopes.append(envelope)
        return self.reply

    def message(self):
        """``(envelope, parsed message)`` of the one message received."""
        assert len(self.envelopes) == 1
        envelope = self.envelopes[0]
        return envelope, email.message_from_bytes(envelope.content, policy=email.policy.default)


@pytest.fixture(name="inbox")
def inbox_fixture(settings):
    """An ``Inbox`` on a free port, Django's SMTP backend sending to it, mail from mail.hub.test."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.HUB_MAIL_DOMAIN = "mail.hub.test"
    yield handler
    controller.stop()
