"""Inbound email (issue 11, item 1; spec/platform.md §3): Postmark's inbound JSON posted to
``/email/inbound`` and mail received by Hub's own SMTP listener both become
``mechanic/emails/received`` events for the addressed shop, with §3.3's data."""

import base64
import email
import email.policy
import json
import smtplib
from email.message import EmailMessage

import pytest

from events import inbound_email
from events.mime_email import postmark_message
from events.models import Event
from events.smtp_listener import controller
from integrations.models import Shop
from runs.inline import perform_event_now
from runs.models import ActionRun
from tasks_app.importer import import_tasks
from tests.smtp_helpers import free_port, inbox_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

AUTH = "postmark:s3cret"
LIBRARY = "../shared/reference/mechanic-tasks/tasks"


def basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.HUB_MAIL_DOMAIN = "mail.hub.test"
    settings.HUB_INBOUND_EMAIL_AUTH = AUTH


@pytest.fixture
def acme(db):
    return Shop.objects.create(myshopify_domain="acme.myshopify.com")


def postmark(**overrides) -> dict:
    """A Postmark inbound message as Postmark's documentation shows its fields."""
    message = {
        "FromName": "Jane Buyer",
        "MessageStream": "inbound",
        "From": "jane@example.com",
        "FromFull": {"Email": "jane@example.com", "Name": "Jane Buyer", "MailboxHash": ""},
        "To": '"Acme" <acme+orders@mail.hub.test>',
        "ToFull": [{"Email": "acme+orders@mail.hub.test", "Name": "Acme", "MailboxHash": "orders"}],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": "acme+orders@mail.hub.test",
        "Subject": "Where is my order?",
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "ReplyTo": "jane.reply@example.com",
        "MailboxHash": "orders",
        "Date": "Fri, 1 Aug 2014 16:45:32 -04:00",
        "TextBody": "Hello\n\nOn Thu, someone wrote:\n> old",
        "HtmlBody": "<p>Hello</p>",
        "StrippedTextReply": "Hello",
        "Tag": "",
        "Headers": [{"Name": "X-Spam-Status", "Value": "No"}, {"Name": "MIME-Version", "Value": "1.0"}],
        "Attachments": [
            {
                "Name": "note.txt",
                "Content": base64.b64encode(b"hi").decode(),
                "ContentType": "text/plain",
                "ContentLength": 2,
                "ContentID": "",
            }
        ],
    }
    return {**message, **overrides}


def post(client, body, *, credentials: str | None = AUTH, content_type="application/json"):
    headers = {"HTTP_AUTHORIZATION": basic(credentials)} if credentials else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/email/inbound", data=data, content_type=content_type, **headers)


# --- the data of §3.3 -------------------------------------------------------------------


def test_keys_become_snake_case_at_every_depth_and_values_stay():
    data = inbound_email.event_data(postmark())

    assert data == {
        "from_name": "Jane Buyer",
        "message_stream": "inbound",
        "from": "jane@example.com",
        "from_full": {"email": "jane@example.com", "name": "Jane Buyer", "mailbox_hash": ""},
        "to": '"Acme" <acme+orders@mail.hub.test>',
        "to_full": [{"email": "acme+orders@mail.hub.test", "name": "Acme", "mailbox_hash": "orders"}],
        "cc": "",
        "cc_full": [],
        "bcc": "",
        "bcc_full": [],
        "original_recipient": "acme+orders@mail.hub.test",
        "subject": "Where is my order?",
        "message_id": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "reply_to": "jane.reply@example.com",
        "mailbox_hash": "orders",
        "date": "2014-08-01T16:45:32-04:00",
        "text_body": "Hello\n\nOn Thu, someone wrote:\n> old",
        "html_body": "<p>Hello</p>",
        "stripped_text_reply": "Hello",
        "tag": "",
        "headers": [{"name": "X-Spam-Status", "value": "No"}, {"name": "MIME-Version", "value": "1.0"}],
        "attachments": [
            {
                "name": "note.txt",
                "content": "aGk=",
                "content_type": "text/plain",
                "content_length": 2,
                "content_id": "",
            }
        ],
    }


@pytest.mark.parametrize(
    ("key", "snake"),
    [
        ("MessageID", "message_id"),
        ("ContentID", "content_id"),
        ("ReplyTo", "reply_to"),
        ("HtmlBody", "html_body"),
        ("FromFull", "from_full"),
        ("StrippedTextReply", "stripped_text_reply"),
        ("From", "from"),
    ],
)
def test_the_keys_a_naive_splitter_gets_wrong(key, snake):
    assert inbound_email.snake_case(key) == snake


def test_a_date_that_is_not_rfc_2822_is_kept_as_sent():
    assert inbound_email.event_data(postmark(Date="yesterday"))["date"] == "yesterday"


# --- POST /email/inbound ------------------------------------------------------------------


def test_a_posted_message_becomes_an_event_of_the_addressed_shop(client, acme):
    response = post(client, postmark())

    assert response.status_code == 200
    event = Event.objects.get()
    assert response.json() == {"events": [str(event.pk)], "dropped": None}
    assert (event.shop, event.topic, event.source) == (acme, "mechanic/emails/received", "email")
    assert event.data == inbound_email.event_data(postmark())


def test_the_local_part_is_matched_without_case_or_mailbox_hash(client, acme):
    message = postmark(
        OriginalRecipient="", ToFull=[{"Email": "ACME+x@MAIL.hub.test", "Name": "", "MailboxHash": "x"}]
    )

    post(client, message)

    assert Event.objects.get().shop == acme


def test_a_message_to_two_shops_becomes_an_event_for_each(client, acme):
    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    message = postmark(CcFull=[{"Email": "other@mail.hub.test", "Name": "", "MailboxHash": ""}])

    post(client, message)

    assert sorted(Event.objects.values_list("shop__myshopify_domain", flat=True)) == [
        acme.myshopify_domain,
        other.myshopify_domain,
    ]


@pytest.mark.parametrize(
    "recipient", ["nobody@mail.hub.test", "acme@elsewhere.example", "acme.myshopify.com@mail.hub.test"]
)
def test_mail_for_no_known_shop_is_accepted_and_dropped(client, acme, recipient):
    message = postmark(
        OriginalRecipient=recipient, ToFull=[{"Email": recipient, "Name": "", "MailboxHash": ""}]
    )

    response = post(client, message)

    assert response.status_code == 200
    assert response.json() == {
        "events": [],
        "dropped": "no shop's address at mail.hub.test among the recipients",
    }
    assert not Event.objects.exists()


def test_an_uninstalled_shop_receives_nothing(client, acme):
    Shop.objects.filter(pk=acme.pk).update(uninstalled_at="2026-01-01T00:00:00Z")

    post(client, postmark())

    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("credentials", "status"),
    [(None, 401), ("postmark:wrong", 401), ("postmark:s3cret:x", 401), (AUTH, 200)],
)
def test_credentials_are_required(client, acme, credentials, status):
    response = post(client, postmark(), credentials=credentials)

    assert response.status_code == status
    assert Event.objects.count() == (1 if status == 200 else 0)
    if status == 401:
        assert response["WWW-Authenticate"] == 'Basic realm="Hub inbound email"'


def test_without_the_setting_the_endpoint_refuses_and_names_it(client, acme, settings):
    settings.HUB_INBOUND_EMAIL_AUTH = ""

    response = post(client, postmark())

    assert response.status_code == 403
    assert response.content == b"Inbound email is off: set HUB_INBOUND_EMAIL_AUTH (user:password)."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "Body is not JSON: "),
        ("[1, 2]", "$: expected a JSON object (Postmark's inbound message)"),
        ({"ToFull": {"Email": "a@b"}}, "$.ToFull: expected an array"),
        ({"Attachments": ["x"]}, "$.Attachments[0]: expected an object"),
        ({"FromFull": "jane"}, "$.FromFull: expected an object"),
    ],
)
def test_a_body_of_the_wrong_shape_is_400_naming_the_part(client, acme, body, message):
    response = post(client, body)

    assert response.status_code == 400
    assert response.content.decode().startswith(message)
    assert not Event.objects.exists()


def test_a_message_over_the_limit_is_413(client, acme, monkeypatch):
    monkeypatch.setattr(inbound_email, "MAX_MESSAGE_BYTES", 100)

    response = post(client, postmark())

    assert response.status_code == 413
    assert not Event.objects.exists()


def test_only_post_is_accepted(client):
    assert client.get("/email/inbound").status_code == 405


def test_hubs_own_machine_mail_coming_back_is_dropped(client, acme):
    loop = postmark(
        From="acme@mail.hub.test",
        FromFull={"Email": "acme@mail.hub.test", "Name": "", "MailboxHash": ""},
        Headers=[{"Name": "Auto-Submitted", "Value": "auto-generated"}],
    )

    response = post(client, loop)

    assert response.json()["dropped"] == "sent from Hub's own mail domain with Auto-Submitted (a mail loop)"
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("acme@mail.hub.test", [{"Name": "Auto-Submitted", "Value": "no"}]),
        ("acme@mail.hub.test", []),
        ("robot@example.com", [{"Name": "Auto-Submitted", "Value": "auto-replied"}]),
    ],
)
def test_other_mail_is_not_taken_for_a_loop(client, acme, sender, headers):
    post(
        client,
        postmark(From=sender, FromFull={"Email": sender, "Name": "", "MailboxHash": ""}, Headers=headers),
    )

    assert Event.objects.count() == 1


# --- the SMTP listener --------------------------------------------------------------------


def mime_message(**headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jane Buyer <jane@example.com>"
    message["To"] = "Acme Support <acme+support@mail.hub.test>"
    message["Cc"] = "Ops <ops@example.com>"
    message["Subject"] = "Où est ma commande ?"
    message["Date"] = "Fri, 01 Aug 2014 16:45:32 -0400"
    message["Message-ID"] = "<abc@example.com>"
    message["Reply-To"] = "jane.reply@example.com"
    message["X-Custom"] = "kept"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Bonjour\n\nOn Thu, Acme wrote:\n> earlier")
    message.add_alternative("<p>Bonjour</p>", subtype="html")
    message.add_attachment(
        b"\x00\x01binary", maintype="application", subtype="octet-stream", filename="data.bin"
    )
    return message


def test_a_mime_message_is_read_into_postmarks_shape():
    raw = mime_message().as_bytes()

    message = postmark_message(
        raw, envelope_recipients=["acme+support@mail.hub.test", "hidden@mail.hub.test"]
    )

    assert message["From"] == "jane@example.com"
    assert message["FromName"] == "Jane Buyer"
    assert message["FromFull"] == {"Email": "jane@example.com", "Name": "Jane Buyer", "MailboxHash": ""}
    assert message["ToFull"] == [
        {"Email": "acme+support@mail.hub.test", "Name": "Acme Support", "MailboxHash": "support"}
    ]
    assert message["CcFull"] == [{"Email": "ops@example.com", "Name": "Ops", "MailboxHash": ""}]
    assert message["BccFull"] == [{"Email": "hidden@mail.hub.test", "Name": "", "MailboxHash": ""}]
    assert message["OriginalRecipient"] == "acme+support@mail.hub.test"
    assert message["Subject"] == "Où est ma commande ?"
    assert message["MessageID"] == "abc@example.com"
    assert message["ReplyTo"] == "jane.reply@example.com"
    assert message["TextBody"] == "Bonjour\n\nOn Thu, Acme wrote:\n> earlier\n"
    assert message["HtmlBody"] == "<p>Bonjour</p>\n"
    assert message["StrippedTextReply"] == "Bonjour"
    assert {"Name": "X-Custom", "Value": "kept"} in message["Headers"]
    assert not any(header["Name"] in ("From", "Subject", "To") for header in message["Headers"])
    assert message["Attachments"] == [
        {
            "Name": "data.bin",
            "Content": base64.b64encode(b"\x00\x01binary").decode(),
            "ContentType": "application/octet-stream",
            "ContentLength": 8,
            "ContentID": "",
        }
    ]
    assert inbound_email.event_data(message)["date"] == "2014-08-01T16:45:32-04:00"


@pytest.fixture
def listener(transactional_db):
    port = free_port()
    server = controller("127.0.0.1", port)
    server.start()
    yield port
    server.stop()


def test_the_smtp_listener_turns_received_mail_into_an_event(listener, acme):
    with smtplib.SMTP("127.0.0.1", listener) as smtp:
        refused = smtp.send_message(mime_message(), to_addrs=["acme+support@mail.hub.test"])

    assert refused == {}
    event = Event.objects.get()
    assert (event.shop, event.topic, event.source) == (acme, "mechanic/emails/received", "email")
    assert event.data["subject"] == "Où est ma commande ?"
    assert event.data["from_full"] == {"email": "jane@example.com", "name": "Jane Buyer", "mailbox_hash": ""}
    assert event.data["attachments"][0]["content"] == base64.b64encode(b"\x00\x01binary").decode()


def test_the_smtp_listener_refuses_recipients_no_shop_owns(listener, acme):
    with smtplib.SMTP("127.0.0.1", listener) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.send_message(mime_message(), to_addrs=["nobody@mail.hub.test"])

    assert refused.value.recipients["nobody@mail.hub.test"][0] == 550
    assert not Event.objects.exists()


# --- the library's forwarding task, end to end ----------------------------------------------


def test_the_library_forwarding_task_forwards_received_mail_and_its_own_copy_does_not_loop(listener, inbox):
    shop = Shop.objects.create(myshopify_domain="acme.myshopify.com", email_sending_approved=True)
    with open(f"{LIBRARY}/forward-incoming-email-to-another-address.json", encoding="utf-8") as handle:
        import_tasks(
            shop,
            handle.read(),
            options_override={"email_recipient__email_required": "owner@example.com"},
            enable=True,
        )

    with smtplib.SMTP("127.0.0.1", listener) as smtp:
        smtp.send_message(mime_message(), to_addrs=["acme+support@mail.hub.test"])
    perform_event_now(Event.objects.get())

    action_run = ActionRun.objects.get()
    assert (action_run.action_type, action_run.ok) == ("email", True)
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["owner@example.com"]
    forwarded = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert forwarded["Subject"] == "Où est ma commande ?"
    assert forwarded["Reply-To"] == "jane@example.com"
    assert forwarded["From"] == '"Jane Buyer (via Mechanic)" <acme@mail.hub.test>'
    assert forwarded["Auto-Submitted"] == "auto-generated"
    [attachment] = list(forwarded.iter_attachments())
    assert (attachment.get_filename(), attachment.get_payload(decode=True)) == ("data.bin", b"\x00\x01binary")

    # The forwarded copy sent back to the shop's own address is dropped: no second event.
    with smtplib.SMTP("127.0.0.1", listener) as smtp:
        smtp.sendmail("acme@mail.hub.test", ["acme@mail.hub.test"], envelope.content)
    assert Event.objects.count() == 1


def test_the_smtpd_command_receives_mail_as_a_real_process(transactional_db, acme):
    """``manage.py smtpd`` started as Hub's operators start it, on the suite's database."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests.runs.cluster_helpers import database_url

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HUB_MAIL_DOMAIN": "mail.hub.test",
        "HUB_ENQUEUE_RUNS": "0",
    }
    process = subprocess.Popen(  # noqa: S603  (this interpreter, fixed arguments)
        [sys.executable, "manage.py", "smtpd", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert (
            process.stdout.readline().strip()
            == f"Receiving email for <shop>@mail.hub.test on 127.0.0.1:{port}"
        )
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(mime_message(), to_addrs=["acme@mail.hub.test"])
        deadline = time.monotonic() + 10
        while not Event.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)

    event = Event.objects.get()
    assert (event.shop, event.topic) == (acme, "mechanic/emails/received")
    assert (event.data["from"], event.data["subject"]) == ("jane@example.com", "Où est ma commande ?")
    assert event.data["text_body"] == "Bonjour\n\nOn Thu, Acme wrote:\n> earlier\n"
    [attachment] = event.data["attachments"]
    assert base64.b64decode(attachment["content"]) == b"\x00\x01binary"
    assert process.returncode == 0
