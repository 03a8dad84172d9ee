"""The email action against a real local SMTP server (spec/actions.md §3, spec/platform.md §3.5)."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)


def lf(text: str) -> str:
    """SMTP carries CRLF line ends; compare with LF."""
    return text.replace("\r\n", "\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self):
        self.envelopes = []
        self.reply = "250 Message accepted"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return self.reply

    def message(self):
        assert len(self.envelopes) == 1
        envelope = self.envelopes[0]
        return envelope, email.message_from_bytes(envelope.content, policy=email.policy.default)


@pytest.fixture
def inbox(settings):
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


BODY = (
    "<html><head><style>p { color: red; }</style></head>"
    "<body><h1>Order #1001</h1><p>Thanks &amp; welcome,<br>Jane</p></body></html>"
)


def test_it_sends_the_full_message(perform, inbox):
    run = perform(
        "email",
        {
            "to": "buyer@example.com, second@example.com",
            "cc": ["Ops Team <ops@example.com>"],
            "bcc": "audit@example.com",
            "subject": "Your order #1001",
            "body": BODY,
            "reply_to": "support@example.com",
            "from_display_name": "Example Shop",
            "headers": {"X-Order-Id": "1001", "List-Id": "orders.example.com"},
            "attachments": {"notes.txt": "line one\nünïcode", "data.csv": "a,b\n1,2\n"},
            "order_number": 1001,
        },
    )

    envelope, message = inbox.message()
    assert envelope.mail_from == "example@mail.hub.test"
    assert envelope.rcpt_tos == [
        "buyer@example.com",
        "second@example.com",
        "ops@example.com",
        "audit@example.com",
    ]
    assert message["From"] == "Example Shop <example@mail.hub.test>"
    assert message["To"] == "buyer@example.com, second@example.com"
    assert message["Cc"] == "Ops Team <ops@example.com>"
    assert message["Bcc"] is None
    assert b"audit@example.com" not in envelope.content
    assert message["Reply-To"] == "support@example.com"
    assert message["Subject"] == "Your order #1001"
    assert message["X-Order-Id"] == "1001"
    assert message["List-Id"] == "orders.example.com"
    assert message["Message-ID"] == run.result["message_id"]
    assert message["Message-ID"].endswith("@mail.hub.test>")

    assert message.get_content_type() == "multipart/mixed"
    alternative, *files = message.iter_parts()
    text, html = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert lf(text.get_content()) == "Order #1001\nThanks & welcome,\nJane\n"
    assert html.get_content_type() == "text/html"
    assert lf(html.get_content()) == BODY
    assert [
        (part.get_filename(), part.get_content_type(), part.get_payload(decode=True)) for part in files
    ] == [
        ("notes.txt", "text/plain", "line one\nünïcode".encode()),
        ("data.csv", "text/csv", b"a,b\n1,2\n"),
    ]

    assert_succeeded(
        run,
        {
            "message_id": run.result["message_id"],
            "from": "Example Shop <example@mail.hub.test>",
            "to": ["buyer@example.com", "second@example.com"],
            "cc": ["Ops Team <ops@example.com>"],
            "bcc": ["audit@example.com"],
            "reply_to": "support@example.com",
            "subject": "Your order #1001",
            "attachments": {
                "notes.txt": {"size": len("line one\nünïcode".encode()), "mime_type": "text/plain"},
                "data.csv": {"size": 8, "mime_type": "text/csv"},
            },
        },
    )


def test_a_minimal_message_has_no_display_name_and_null_options_count_as_absent(perform, inbox):
    run = perform(
        "email",
        {
            "to": ["buyer@example.com"],
            "subject": "Hi\n",
            "body": "<p>Hello</p>",
            "cc": None,
            "bcc": None,
            "reply_to": None,
            "from_display_name": None,
            "headers": None,
            "attachments": None,
        },
    )

    envelope, message = inbox.message()
    assert envelope.rcpt_tos == ["buyer@example.com"]
    assert message["From"] == "example@mail.hub.test"
    assert message["Reply-To"] is None
    assert message["Subject"] == "Hi"
    assert message.get_content_type() == "multipart/alternative"
    assert_succeeded(
        run,
        {
            "message_id": message["Message-ID"],
            "from": "example@mail.hub.test",
            "to": ["buyer@example.com"],
            "cc": [],
            "bcc": [],
            "reply_to": None,
            "subject": "Hi",
            "attachments": {},
        },
    )


def test_a_display_name_with_special_characters_is_quoted(perform, inbox):
    perform(
        "email",
        {"to": "a@example.com", "subject": "s", "body": "b", "from_display_name": "Smith, Jones & Co. ü"},
    )

    _, message = inbox.message()
    assert message["From"].addresses[0].display_name == "Smith, Jones & Co. ü"
    assert message["From"].addresses[0].addr_spec == "example@mail.hub.test"


def test_a_shop_not_approved_cannot_send(perform, inbox, shop):
    shop.email_sending_approved = False
    shop.save()

    run = perform("email", {"to": "buyer@example.com", "subject": "s", "body": "b"})

    assert_failed(run, "Email sending is not enabled for this shop")
    assert inbox.envelopes == []


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"subject": "s", "body": "b"}, 'option "to": at least one recipient is required'),
        ({"to": " , ", "subject": "s", "body": "b"}, 'option "to": at least one recipient is required'),
        (
            {"to": "not-an-email", "subject": "s", "body": "b"},
            "option \"to\": 'not-an-email' is not a valid email address",
        ),
        (
            {"to": ["a@example.com", 5], "subject": "s", "body": "b"},
            'option "to": must contain only strings, got number',
        ),
        (
            {"to": {"a": 1}, "subject": "s", "body": "b"},
            'option "to": must be an array or a comma-separated string, got object',
        ),
        (
            {"to": "a@example.com", "cc": "bad@", "subject": "s", "body": "b"},
            "option \"cc\": 'bad@' is not a valid email address",
        ),
        (
            {"to": "a@example.com", "bcc": ["x@y"], "subject": "s", "body": "b"},
            "option \"bcc\": 'x@y' is not a valid email address",
        ),
        (
            {"to": "a@example.com", "reply_to": "nobody", "subject": "s", "body": "b"},
            "option \"reply_to\": 'nobody' is not a valid email address",
        ),
        ({"to": "a@example.com", "body": "b"}, 'option "subject": is required'),
        ({"to": "a@example.com", "subject": "  ", "body": "b"}, 'option "subject": must not be blank'),
        ({"to": "a@example.com", "subject": "s"}, 'option "body": is required'),
        (
            {"to": "a@example.com", "subject": "s", "body": ["b"]},
            'option "body": must be a string, got array',
        ),
        (
            {"to": "a@example.com", "subject": "s", "body": "b", "template": "fancy"},
            'option "template": email templates are not supported yet',
        ),
        (
            {"to": "a@example.com", "subject": "s", "body": "b", "headers": {"From": "ceo@bank.test"}},
            "option \"headers\": 'From' is set by Hub and cannot be overridden",
        ),
        (
            {"to": "a@example.com", "subject": "s", "body": "b", "headers": {"message-id": "<x@y>"}},
            "option \"headers\": 'message-id' is set by Hub and cannot be overridden",
        ),
        (
            {"to": "a@example.com", "subject": "s", "body": "b", "headers": {"X-A": "1\r\nBcc: evil@x.test"}},
            "option \"headers\": the value of 'X-A' must not contain line breaks",
        ),
        (
            {"to": "a@example.com", "subject": "s", "body": "b", "headers": {"X A": "1"}},
            "option \"headers\": 'X A' is not a valid header name",
        ),
        (
            {
                "to": "a@example.com",
                "subject": "s",
                "body": "b",
                "attachments": {"invoice.pdf": {"pdf": {"html": "<p>x</p>"}}},
            },
            "option \"attachments\": 'invoice.pdf': file generators are not supported yet; "
            "give the content as a string",
        ),
        (
            {"to": "a@example.com", "subject": "s", "body": "b", "attachments": {"n.txt": 5}},
            "option \"attachments\": 'n.txt': content must be a string, got number",
        ),
        (
            {"to": "a@example.com", "subject": "s", "body": "b", "attachments": {"../n.txt": "x"}},
            "option \"attachments\": '../n.txt' is not a usable file name",
        ),
        ("a@example.com", "options must be an object, got string"),
    ],
)
def test_invalid_options_fail_without_sending(perform, inbox, options, error):
    run = perform("email", options)

    assert_failed(run, error)
    assert inbox.envelopes == []


def test_a_refused_recipient_fails_the_run(perform, inbox):
    run = perform("email", {"to": "refused@example.com", "subject": "s", "body": "b"})

    assert_failed(run, "the mail server refused the recipients: refused@example.com (550 5.1.1 No such user)")


def test_a_rejected_message_fails_the_run(perform, inbox):
    inbox.reply = "451 4.3.0 Try again later"

    run = perform("email", {"to": "a@example.com", "subject": "s", "body": "b"})

    assert_failed(run, "the mail server rejected the message: 451 4.3.0 Try again later")


def test_an_unreachable_mail_server_fails_the_run(perform, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()

    run = perform("email", {"to": "a@example.com", "subject": "s", "body": "b"})

    assert_failed(run, "could not deliver to the mail server: Connection refused")


def test_a_non_ascii_attachment_name_survives(perform, inbox):
    run = perform(
        "email",
        {"to": "a@example.com", "subject": "Reçu", "body": "<p>b</p>", "attachments": {"reçu été.txt": "x"}},
    )

    _, message = inbox.message()
    (attachment,) = message.iter_attachments()
    assert (attachment.get_filename(), attachment.get_payload(decode=True)) == ("reçu été.txt", b"x")
    assert message["Subject"] == "Reçu"
    assert run.result["attachments"] == {"reçu été.txt": {"size": 1, "mime_type": "text/plain"}}
