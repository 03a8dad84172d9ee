"""The email action against a real local SMTP server (spec/actions.md §3, spec/platform.md §3.5)."""

import pytest

from tests.smtp_helpers import free_port, inbox_fixture  # noqa: F401  (fixture)
from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)


def lf(text: str) -> str:
    """SMTP carries CRLF line ends; compare with LF."""
    return text.replace("\r\n", "\n")


BODY = (
    "<html><head><style>p { color: red; }</style></head>"
    "<body><h1>Order #1001</h1><p>Thanks &amp; welcome,<br>Jane</p></body></html>"
)
INLINED_BODY = (
    "<html><head></head>"
    '<body><h1>Order #1001</h1><p style="color: red;">Thanks &amp; welcome,<br>Jane</p></body></html>'
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
    assert message["Auto-Submitted"] == "auto-generated"  # machine mail (the inbound loop guard)
    assert message["Message-ID"] == run.result["message_id"]
    assert message["Message-ID"].endswith("@mail.hub.test>")

    assert message.get_content_type() == "multipart/mixed"
    alternative, *files = message.iter_parts()
    text, html = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert lf(text.get_content()) == "Order #1001\nThanks & welcome,\nJane\n"
    assert html.get_content_type() == "text/html"
    assert lf(html.get_content()) == INLINED_BODY
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
            "option \"template\": the shop has no email template named 'fancy'",
        ),
        (
            {"to": "a@example.com", "subject": "s", "body": "b", "template": 3},
            'option "template": must be a string, got number',
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
                "attachments": {"invoice.pdf": {"pdf": {"html": 5}}},
            },
            'option "attachments": file "invoice.pdf": the pdf generator needs "html", a string',
        ),
        (
            {"to": "a@example.com", "subject": "s", "body": "b", "attachments": {"n.txt": 5}},
            'option "attachments": file "n.txt": a file generator is a string or an object with one '
            "generator key, got number",
        ),
        (
            {
                "to": "a@example.com",
                "subject": "s",
                "body": "b",
                "attachments": {"n.txt": {"plaintext": "x"}},
            },
            'option "attachments": file "n.txt": the plaintext generator is implicit: give the content '
            "as a string",
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


# --- templates, CSS inlining, generated attachments (spec/actions.md §3, spec/platform.md §3.5) ----------


@pytest.fixture
def template(shop):
    """``template(name, body)`` → a stored email template of the shop."""
    from tasks_app.models import EmailTemplate

    def make(name: str, body: str) -> EmailTemplate:
        return EmailTemplate.objects.create(shop=shop, name=name, body=body)

    return make


def html_part(message) -> str:
    (html,) = [part for part in message.walk() if part.get_content_type() == "text/html"]
    return lf(html.get_content())


def text_part(message) -> str:
    (text,) = [part for part in message.walk() if part.get_content_type() == "text/plain"]
    return lf(text.get_content())


def test_the_default_template_applies_when_none_is_named(perform, inbox, template):
    template("default", "<div class=frame>{{ body }}</div><p>{{ shop.name }} · {{ order_number }}</p>")

    run = perform(
        "email", {"to": "a@example.com", "subject": "Hi", "body": "<b>Paid</b>", "order_number": 1001}
    )

    _, message = inbox.message()
    assert html_part(message) == "<div class=frame><b>Paid</b></div><p>Example Shop · 1001</p>"
    assert text_part(message) == "Paid\nExample Shop · 1001\n"
    assert run.ok is True


def test_a_named_template_sees_every_option_as_plain_data(perform, inbox, template):
    template("default", "default: {{ body }}")
    template(
        "receipt",
        "<p>{{ subject }} for {{ to }}</p>"
        "{% for item in order_data.line_items %}<li>{{ item.title }} x{{ item.quantity }}</li>{% endfor %}"
        "<p>{{ order_data.line_items.first.title }} {{ template }}</p>",
    )

    perform(
        "email",
        {
            "to": "a@example.com",
            "subject": "Receipt",
            "body": "ignored by this layout",
            "template": "receipt",
            "order_data": {"line_items": [{"title": "Mug", "quantity": 2}, {"title": "Tea", "quantity": 1}]},
        },
    )

    _, message = inbox.message()
    assert html_part(message) == (
        "<p>Receipt for a@example.com</p><li>Mug x2</li><li>Tea x1</li><p>Mug receipt</p>"
    )


def test_templates_are_per_shop(perform, inbox, template):
    from integrations.models import Shop
    from tasks_app.models import EmailTemplate

    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    EmailTemplate.objects.create(shop=other, name="default", body="OTHER {{ body }}")

    perform("email", {"to": "a@example.com", "subject": "Hi", "body": "<p>mine</p>"})

    _, message = inbox.message()
    assert html_part(message) == "<p>mine</p>"


def test_a_template_with_a_liquid_error_fails_without_sending(perform, inbox, template):
    template("default", "{% if %}")

    run = perform("email", {"to": "a@example.com", "subject": "Hi", "body": "b"})

    assert run.ok is False
    assert run.error.startswith('email template "default": Liquid error')
    assert inbox.envelopes == []


def test_style_rules_are_inlined_and_media_queries_kept(perform, inbox, template):
    template(
        "default",
        "<html><head><style>.total { font-weight: bold; } @media (max-width: 600px) { p { margin: 0 } }"
        "</style></head><body>{{ body }}</body></html>",
    )

    perform("email", {"to": "a@example.com", "subject": "Hi", "body": '<p class="total">$10.00</p>'})

    _, message = inbox.message()
    assert html_part(message) == (
        "<html><head><style>@media (max-width: 600px) { p { margin: 0 } } </style></head>"
        '<body><p class="total" style="font-weight: bold;">$10.00</p></body></html>'
    )
    assert text_part(message) == "$10.00\n"


def test_remote_stylesheets_are_not_fetched(perform, inbox, httpserver, settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]
    body = (
        f'<html><head><link rel="stylesheet" href="{httpserver.url_for("/s.css")}">'
        "<style>p { color: red; }</style></head><body><p>x</p></body></html>"
    )

    perform("email", {"to": "a@example.com", "subject": "Hi", "body": body})

    _, message = inbox.message()
    assert 'style="color: red;"' in html_part(message)
    assert httpserver.log == []


def test_attachments_come_from_file_generators(perform, inbox):
    import io
    import zipfile

    from pypdf import PdfReader

    run = perform(
        "email",
        {
            "to": "a@example.com",
            "subject": "Docs",
            "body": "<p>See attached</p>",
            "attachments": {
                "invoice.pdf": {"pdf": {"html": "<h1>Invoice #1001</h1><p>Total: $42.00</p>"}},
                "logo.png": {"base64": "iVBORw0KGgo="},
                "bundle.zip": {"zip": {"files": {"a/readme.txt": "hello"}}},
                "rows.csv": "a,b\n1,2\n",
            },
        },
    )

    _, message = inbox.message()
    parts = {part.get_filename(): part for part in message.iter_attachments()}
    assert list(parts) == ["invoice.pdf", "logo.png", "bundle.zip", "rows.csv"]
    pdf = parts["invoice.pdf"].get_payload(decode=True)
    assert parts["invoice.pdf"].get_content_type() == "application/pdf"
    assert PdfReader(io.BytesIO(pdf)).pages[0].extract_text() == "Invoice #1001\nTotal: $42.00"
    assert parts["logo.png"].get_payload(decode=True) == b"\x89PNG\r\n\x1a\n"
    assert parts["logo.png"].get_content_type() == "image/png"
    archive = zipfile.ZipFile(io.BytesIO(parts["bundle.zip"].get_payload(decode=True)))
    assert (archive.namelist(), archive.read("a/readme.txt")) == (["a/readme.txt"], b"hello")
    assert parts["rows.csv"].get_payload(decode=True) == b"a,b\n1,2\n"
    assert run.result["attachments"] == {
        "invoice.pdf": {"size": len(pdf), "mime_type": "application/pdf"},
        "logo.png": {"size": 8, "mime_type": "image/png"},
        "bundle.zip": {
            "size": len(parts["bundle.zip"].get_payload(decode=True)),
            "mime_type": "application/zip",
        },
        "rows.csv": {"size": 8, "mime_type": "text/csv"},
    }


def test_a_failed_attachment_download_fails_without_sending(perform, inbox, httpserver, settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]
    httpserver.expect_request("/photo.jpg").respond_with_data("busy", status=503)
    url = httpserver.url_for("/photo.jpg")

    run = perform(
        "email", {"to": "a@example.com", "subject": "s", "body": "b", "attachments": {"p.jpg": {"url": url}}}
    )

    assert_failed(run, f'file "p.jpg": GET {url}: HTTP 503 response')
    assert inbox.envelopes == []


def test_an_attachment_from_an_internal_address_is_refused(perform, inbox):
    run = perform(
        "email",
        {
            "to": "a@example.com",
            "subject": "s",
            "body": "b",
            "attachments": {"creds.json": {"url": "http://169.254.169.254/latest/meta-data/"}},
        },
    )

    assert_failed(
        run,
        'file "creds.json": GET http://169.254.169.254/latest/meta-data/: refused to connect to '
        "169.254.169.254 (cloud metadata address); allow it with HUB_HTTP_ALLOW_PRIVATE",
    )
    assert inbox.envelopes == []


def test_the_pdf_invoice_library_task_emails_a_real_pdf(shop, inbox):
    """Library task send-a-pdf-invoice-when-an-order-is-created, live, from a real orders/create payload."""
    import io
    import json

    from pypdf import PdfReader

    from events.models import Event
    from runs.inline import perform_event_now
    from runs.models import ActionRun
    from tasks_app.importer import import_tasks
    from tests.conftest import TASKS_DIR, WEBHOOKS_DIR

    payload = json.loads((TASKS_DIR / "send-a-pdf-invoice-when-an-order-is-created.json").read_text())
    import_tasks(shop, payload, enable=True)
    order = json.loads((WEBHOOKS_DIR / "orders-create.json").read_text())
    order["financial_status"] = "pending"  # the task invoices unpaid orders only
    event = Event.objects.ingest(shop, "shopify/orders/create", order, source="shopify", enqueue=False)

    perform_event_now(event)

    envelope, message = inbox.message()
    assert envelope.rcpt_tos == ["jon@example.com"]
    assert message["From"] == "Example Shop <example@mail.hub.test>"
    assert message["Reply-To"] == "support@example.com"
    assert message["Subject"] == "Attached: Invoice for order #9999"
    assert text_part(message) == (
        "Hello,\n\nThank you for your order! Please see the attached invoice for details and payment "
        "options.\n\nThanks,\nExample Shop\n"
    )
    (attachment,) = message.iter_attachments()
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        "invoice-1234.pdf",
        "application/pdf",
    )
    pdf = attachment.get_payload(decode=True)
    assert pdf.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert text == PDF_INVOICE_TEXT
    (run,) = ActionRun.objects.filter(task_run__event=event)
    assert (run.action_type, run.ok, run.result["attachments"]) == (
        "email",
        True,
        {"invoice-1234.pdf": {"size": len(pdf), "mime_type": "application/pdf"}},
    )


# Money filters take minor units (spec/liquid.md §4, decision), so REST price strings such as
# "89.99" print as $0.90: the library task's own inconsistency, kept as rendered. pypdf lists the
# list bullets after the text.
PDF_INVOICE_TEXT = (
    "Order #9999 for Example Shop\nItems\n"
    "1 x Aviator sunglasses: $0.90 USD \n"
    "1 x Lens Protection Plan (2 Year): $0.20 USD \n"
    "1 x Premium Leather Case: $0.25 USD \n"
    "1 x Mid-century lounger: $1.60 USD \n"
    "1 x Coffee table: $1.20 USD \n"
    "Totals\nItems: $4.15 USD\nDiscounts: $0.20 USD\nSubtotal: $4.05 USD\n"
    "Total (including taxes, shipping, tips): $4.05 USD\n"
    "To arrange payment, contact support@example.com.\n" + "\n".join(["• "] * 9)
)


def test_a_tasks_own_auto_submitted_header_replaces_hubs(perform, inbox):
    perform(
        "email",
        {"to": "a@example.com", "subject": "s", "body": "b", "headers": {"auto-submitted": "no"}},
    )

    _envelope, message = inbox.message()
    assert message.get_all("Auto-Submitted") == ["no"]
