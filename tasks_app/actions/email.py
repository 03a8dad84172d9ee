"""The ``email`` action: transactional mail from the shop's address (spec/actions.md §3).

Foundation subset: recipients, subject, HTML body with a derived text part,
reply-to, display name, extra headers and string attachments. Templates, CSS
inlining and file-generator attachments are not supported yet and fail
clearly rather than being ignored. Sender rules: spec/platform.md §3.5.
"""

import html
import mimetypes
import re
import smtplib
from dataclasses import dataclass, field
from email import encoders
from email.mime.base import MIMEBase
from email.utils import formataddr, getaddresses, make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.utils.html import strip_tags

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

NOT_APPROVED = "Email sending is not enabled for this shop"
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

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
    to: list[str]
    subject: str
    body: str
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    reply_to: str | None = None
    from_display_name: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, bytes] = field(default_factory=dict)


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
    """The plain-text part: the HTML without style/script/head, tags stripped, entities decoded."""
    text = re.sub(r"(?is)<(style|script|head|title)\b.*?</\1\s*>", "", body)
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


def clean_attachments(options: dict) -> dict[str, bytes]:
    """``attachments``: filename → string content (UTF-8). File generators come later."""
    value = options.get("attachments")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OptionError("attachments", f"must be an object of filename → content, got {describe(value)}")
    attachments = {}
    for filename, content in value.items():
        if not filename.strip() or any(char in filename for char in '/\\\r\n"'):
            raise OptionError("attachments", f"{filename!r} is not a usable file name")
        if isinstance(content, dict):
            raise OptionError(
                "attachments",
                f"{filename!r}: file generators are not supported yet; give the content as a string",
            )
        if not isinstance(content, str):
            raise OptionError(
                "attachments", f"{filename!r}: content must be a string, got {describe(content)}"
            )
        data = content.encode()
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise OptionError("attachments", f"{filename!r} is {len(data)} bytes; the maximum is 20 MB")
        attachments[filename] = data
    return attachments


def mime_type(filename: str) -> str:
    """The attachment's media type guessed from its name (``application/octet-stream`` if unknown)."""
    return mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"


def attachment_part(filename: str, data: bytes, kind: str) -> MIMEBase:
    """A base64 attachment part, so the recipient gets exactly ``data`` (text parts too: no CRLF rewrite)."""
    maintype, subtype = kind.split("/", 1)
    part = MIMEBase(maintype, subtype, **({"charset": "utf-8"} if maintype == "text" else {}))
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
    ``attachments`` (filename → string). Other keys are template variables
    and are ignored until templates exist; ``template`` itself fails.

    Result: ``{"message_id", "from", "to", "cc", "bcc", "reply_to", "subject",
    "attachments": {name: {"size", "mime_type"}}}``. Errors: not approved,
    validation and refusals are permanent; connection failures and 4xx SMTP
    replies are transient.
    """

    type = "email"

    def precheck(self, action_run) -> None:
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
        if options.get("template") is not None:
            raise OptionError("template", "email templates are not supported yet")
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
        )

    def perform(self, context: ActionContext) -> dict:
        opts: EmailOptions = context.options
        address = f"{context.shop.subdomain}@{settings.HUB_MAIL_DOMAIN}"
        sender = formataddr((opts.from_display_name, address)) if opts.from_display_name else address
        message_id = make_msgid(domain=settings.HUB_MAIL_DOMAIN)
        message = EmailMultiAlternatives(
            subject=opts.subject,
            body=html_to_text(opts.body),
            from_email=sender,
            to=opts.to,
            cc=opts.cc,
            bcc=opts.bcc,
            reply_to=[opts.reply_to] if opts.reply_to else None,
            headers={**opts.headers, "Message-ID": message_id},
            connection=get_connection(fail_silently=False),
        )
        message.attach_alternative(opts.body, "text/html")
        attachments = {}
        for filename, data in opts.attachments.items():
            kind = mime_type(filename)
            message.attach(attachment_part(filename, data, kind))
            attachments[filename] = {"size": len(data), "mime_type": kind}
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
