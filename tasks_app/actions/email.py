"""The ``email`` action: transactional mail from the shop's address (spec/actions.md §3).

Recipients, subject, an HTML body (optionally laid out by one of the shop's
email templates, then CSS-inlined) with a derived text part, reply-to, display
name, extra headers and attachments made by file generators. Sender rules and
templates: spec/platform.md §3.5.
"""

import html
import logging
import re
import smtplib
from dataclasses import dataclass, field
from email import encoders
from email.mime.base import MIMEBase
from email.utils import formataddr, getaddresses, make_msgid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.html import strip_tags

from tasks_app import files as file_generators
from tasks_app.actions.base import (
    Action,
    ActionContext,
    OptionError,
    PermanentActionError,
    TransientActionError,
    describe,
    register,
    require_object,
    string_option,
)

if TYPE_CHECKING:
    from integrations.models import Shop
    from tasks_app.models import EmailTemplate
    from tasks_app.run_records import ActionRunRecord

logger = logging.getLogger("tasks_app.actions")

NOT_APPROVED = "Email sending is not enabled for this shop"
STYLE_TAG_RE = re.compile(r"<style\b", re.IGNORECASE)

# Headers Hub sets itself; overriding them is a validation error (spec/actions.md §3, decision).
# The MIME structure headers are refused too: replacing them would break the multipart message.
RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "reply-to",
        "date",
        "message-id",
        "content-type",
        "content-transfer-encoding",
        "mime-version",
    }
)
HEADER_NAME_RE = re.compile(r"[!-9;-~]+")  # printable ASCII except ":" (RFC 5322 field-name)
LINE_BREAKS_RE = re.compile(r"\s*[\r\n]+\s*")


@dataclass(frozen=True)
class EmailOptions:
    """Validated ``email`` options (spec/actions.md §3).

    Addresses are checked (``to``, ``cc``, ``bcc`` as lists); ``attachments`` maps filenames to
    file generators; ``variables`` holds every option, for the email template.
    """

    to: list[str]
    subject: str
    body: str
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    reply_to: str | None = None
    from_display_name: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, Any] = field(default_factory=dict)
    template: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)


def clean_address(text: str, name: str) -> str:
    """One recipient, ``a@x.test`` or ``Name <a@x.test>``; raises ``OptionError`` when invalid."""
    if "\r" in text or "\n" in text:
        raise OptionError(name, f"{text!r} is not a valid email address")
    parsed = getaddresses([text])
    if len(parsed) != 1 or not parsed[0][1]:
        raise OptionError(name, f"{text!r} is not a valid email address")
    display, address = parsed[0]
    try:
        validate_email(address)
    except ValidationError:
        raise OptionError(name, f"{text!r} is not a valid email address") from None
    return formataddr((display, address)) if display else address


def address_list(options: dict, name: str) -> list[str]:
    """``to``/``cc``/``bcc``: an array of strings or a comma-separated string, blanks dropped."""
    value = options.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list):
        items = []
        for item in value:
            if not isinstance(item, str):
                raise OptionError(name, f"must contain only strings, got {describe(item)}")
            items.extend(item.split(","))
    else:
        raise OptionError(name, f"must be an array or a comma-separated string, got {describe(value)}")
    return [clean_address(item.strip(), name) for item in items if item.strip()]


def one_line(text: str) -> str:
    """Collapse line breaks (Liquid captures often end with one) into single spaces."""
    return LINE_BREAKS_RE.sub(" ", text).strip()


def html_to_text(body: str) -> str:
    """The plain-text part: the HTML without style/script/head, source whitespace collapsed,
    ``<br>`` and block ends as line breaks, tags stripped, entities decoded."""
    text = re.sub(r"(?is)<(style|script|head|title)\b.*?</\1\s*>", "", body)
    # Line breaks in HTML source are plain whitespace; only <br> and block ends break lines.
    text = re.sub(r"[ \t\r\n\f]+", " ", text)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)</(p|div|h[1-6]|li|tr|table|blockquote|pre)\s*>", "\n", text)
    text = html.unescape(strip_tags(text))
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def clean_headers(options: dict) -> dict[str, str]:
    """``headers``: an object of header name → string; Hub's own headers may not be overridden."""
    value = options.get("headers")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OptionError("headers", f"must be an object of header name → value, got {describe(value)}")
    headers = {}
    for header, header_value in value.items():
        if not HEADER_NAME_RE.fullmatch(header):
            raise OptionError("headers", f"{header!r} is not a valid header name")
        if header.lower() in RESERVED_HEADERS:
            raise OptionError("headers", f"{header!r} is set by Hub and cannot be overridden")
        if isinstance(header_value, int | float) and not isinstance(header_value, bool):
            header_value = str(header_value)
        if not isinstance(header_value, str):
            raise OptionError(
                "headers", f"the value of {header!r} must be a string, got {describe(header_value)}"
            )
        if "\r" in header_value or "\n" in header_value:
            raise OptionError("headers", f"the value of {header!r} must not contain line breaks")
        headers[header] = header_value
    return headers


def auto_submitted(headers: dict[str, str]) -> dict[str, str]:
    """``Auto-Submitted: auto-generated`` (RFC 3834) unless the task sets that header itself: mail
    Hub sends is machine mail, which Hub's inbound email drops when it comes back to a shop's
    address, so a task that forwards received mail cannot loop (spec/platform.md §3.3)."""
    if any(name.lower() == "auto-submitted" for name in headers):
        return {}
    return {"Auto-Submitted": "auto-generated"}


def clean_attachments(options: dict) -> dict[str, Any]:
    """``attachments``: filename → file generator (a string is a plaintext file, spec/actions.md §16).

    Only the shape is checked here; the files are generated when the message is sent.
    """
    value = options.get("attachments")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OptionError("attachments", f"must be an object of filename → content, got {describe(value)}")
    for filename in value:
        if not filename.strip() or any(char in filename for char in '/\\\r\n"'):
            raise OptionError("attachments", f"{filename!r} is not a usable file name")
    try:
        file_generators.validate_file_map(value)
    except file_generators.FileGeneratorError as exc:
        raise OptionError("attachments", exc.args[0]) from None
    return value


def inline_css(body: str) -> str:
    """``body`` with its ``<style>`` rules copied into ``style`` attributes (spec/actions.md §3 step 4).

    At-rules such as ``@media`` cannot be inlined and stay in a ``<style>``
    block. Remote stylesheets are not fetched. HTML without a ``<style>`` block
    is returned unchanged (the inliner would otherwise re-serialise it as a
    full document for nothing); HTML the inliner cannot handle is sent as is.
    """
    if not STYLE_TAG_RE.search(body):
        return body
    import css_inline

    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)
    try:
        return inliner.inline(body)
    except ValueError as exc:  # css_inline.InlineError subclasses ValueError
        logger.warning("CSS inlining failed, sending the HTML as written: %s", exc)
        return body


def render_template(shop: "Shop", template: "EmailTemplate", variables: dict) -> str:
    """The template's Liquid output for ``variables`` (every email option) plus ``shop``.

    Rendered in the shop's time zone; a Liquid error is a permanent failure
    naming the template.
    """
    from tasks_app.liquid import LiquidError, RenderSettings, render_text

    settings_ = RenderSettings(timezone=shop.timezone_name, now=timezone.now(), preview=False)
    try:
        return render_text(template.body, {"shop": shop.liquid_data(), **variables}, settings_)
    except LiquidError as exc:
        raise PermanentActionError(f'email template "{template.name}": {exc}') from None


def message_html(shop: "Shop", body: str, template_name: str | None, variables: dict) -> str:
    """The final HTML of a message: the template applied (if any), then CSS inlined.

    ``template_name`` None means "``default`` if the shop has it". Raises
    ``PermanentActionError`` for an unknown template or a Liquid error. Shared
    with the email preview, which shows exactly this HTML (spec/actions.md §3 "Preview").
    """
    from tasks_app.models import EmailTemplate

    try:
        template = EmailTemplate.for_action(shop, template_name)
    except EmailTemplate.DoesNotExist:
        raise OptionError("template", f"the shop has no email template named {template_name!r}") from None
    if template is not None:
        body = render_template(shop, template, variables)
    return inline_css(body)


def attachment_part(filename: str, data: bytes, kind: str) -> MIMEBase:
    """A base64 attachment part, so the recipient gets exactly ``data`` (text parts too: no CRLF rewrite)."""
    maintype, subtype = kind.split("/", 1)
    part = MIMEBase(maintype, subtype, charset="utf-8") if maintype == "text" else MIMEBase(maintype, subtype)
    part.set_payload(data)
    encoders.encode_base64(part)
    part.add_header(
        "Content-Disposition",
        "attachment",
        filename=filename if filename.isascii() else ("utf-8", "", filename),
    )
    return part


def send_error(exc: Exception) -> Exception:
    """Map an SMTP/socket failure to an action error: 4xx and connection trouble are transient."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        refused = ", ".join(
            f"{rcpt} ({code} {message.decode(errors='replace') if isinstance(message, bytes) else message})"
            for rcpt, (code, message) in exc.recipients.items()
        )
        temporary = all(400 <= code < 500 for code in codes)
        error_class = TransientActionError if temporary else PermanentActionError
        return error_class(f"the mail server refused the recipients: {refused}")
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        error_class = TransientActionError if 400 <= exc.smtp_code < 500 else PermanentActionError
        return error_class(f"the mail server rejected the message: {exc.smtp_code} {message}")
    if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(exc, smtplib.SMTPException):
        # Connection refused, DNS failure, timeout, dropped connection: the server may be back later.
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return TransientActionError(f"could not deliver to the mail server: {reason}")
    return PermanentActionError(f"the mail server refused the message: {type(exc).__name__}: {exc}")


@register
class EmailAction(Action):
    """Sends one message with Django's email framework.

    Options (object; null counts as absent): ``to`` (required), ``cc``,
    ``bcc`` (arrays or comma-separated strings), ``subject`` and ``body``
    (HTML, required), ``reply_to``, ``from_display_name``, ``headers``,
    ``template`` (a shop email template name; ``default`` applies when none
    is named), ``attachments`` (filename → file generator). Every option,
    other keys included, is a template variable.

    Result: ``{"message_id", "from", "to", "cc", "bcc", "reply_to", "subject",
    "attachments": {name: {"size", "mime_type"}}}``. Errors: not approved,
    validation, unknown templates, attachment generation and refusals are
    permanent; connection failures, 4xx SMTP replies and ``url`` attachment
    download failures are transient.
    """

    type = "email"

    def precheck(self, action_run: "ActionRunRecord") -> None:
        # Approval comes first (spec/actions.md §3 "Performing" step 1), before option checks.
        if not action_run.shop.email_sending_approved:
            raise PermanentActionError(NOT_APPROVED)

    def validate(self, options: Any) -> EmailOptions:
        options = require_object(options)
        to = address_list(options, "to")
        if not to:
            raise OptionError("to", "at least one recipient is required")
        subject = string_option(options, "subject", require=True, blank=False)
        body = string_option(options, "body", require=True, blank=False)
        template = string_option(options, "template")
        reply_to = string_option(options, "reply_to")
        if reply_to is not None:
            reply_to = clean_address(reply_to.strip(), "reply_to") if reply_to.strip() else None
        display_name = string_option(options, "from_display_name")
        if display_name is not None:
            display_name = one_line(display_name) or None
        return EmailOptions(
            to=to,
            subject=one_line(subject),
            body=body,
            cc=address_list(options, "cc"),
            bcc=address_list(options, "bcc"),
            reply_to=reply_to,
            from_display_name=display_name,
            headers=clean_headers(options),
            attachments=clean_attachments(options),
            template=template,
            variables=dict(options),
        )

    def perform(self, context: ActionContext) -> dict:
        opts: EmailOptions = context.options
        body = message_html(context.shop, opts.body, opts.template, opts.variables)
        address = f"{context.shop.subdomain}@{settings.HUB_MAIL_DOMAIN}"
        sender = formataddr((opts.from_display_name, address)) if opts.from_display_name else address
        message_id = make_msgid(domain=settings.HUB_MAIL_DOMAIN)
        message = EmailMultiAlternatives(
            subject=opts.subject,
            body=html_to_text(body),
            from_email=sender,
            to=opts.to,
            cc=opts.cc,
            bcc=opts.bcc,
            reply_to=[opts.reply_to] if opts.reply_to else None,
            headers={**auto_submitted(opts.headers), **opts.headers, "Message-ID": message_id},
            connection=get_connection(fail_silently=False),
        )
        message.attach_alternative(body, "text/html")
        attachments = {}
        for generated in file_generators.generate_files(opts.attachments, shop=context.shop):
            message.attach(attachment_part(generated.name, generated.content, generated.mime_type))
            attachments[generated.name] = {"size": generated.size, "mime_type": generated.mime_type}
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            raise send_error(exc) from exc
        return {
            "message_id": message_id,
            "from": sender,
            "to": opts.to,
            "cc": opts.cc,
            "bcc": opts.bcc,
            "reply_to": opts.reply_to,
            "subject": opts.subject,
            "attachments": attachments,
        }
