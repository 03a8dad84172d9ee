"""A MIME message as Postmark's inbound JSON (spec/platform.md §3.3), for Hub's own SMTP listener
(``manage.py smtpd``): the same shape the provider callback posts, so both paths share
``events.inbound_email.receive``.

Parsing is the standard library's ``email`` package with its modern policy (headers decoded, bodies
decoded to text in their declared charsets).
"""

import base64
import re
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Any

# Headers Postmark lifts into their own keys and so leaves out of ``Headers``.
_LIFTED = {"from", "to", "cc", "bcc", "subject", "date", "reply-to", "message-id"}
# Where a quoted reply begins: a quote line, or "On <date>, <someone> wrote:".
_REPLY_START = re.compile(r"^(>|On .+wrote:\s*$|-----Original Message-----)", re.MULTILINE)


def address_entry(name: str, address: str) -> dict:
    """``{"Email", "Name", "MailboxHash"}`` of one address (the hash: what follows ``+``)."""
    local = address.rpartition("@")[0]
    return {"Email": address, "Name": name, "MailboxHash": local.split("+", 1)[1] if "+" in local else ""}


def address_list(message: EmailMessage, header: str) -> list[dict]:
    """The ``*Full`` array of an address header (``To``, ``Cc``, ``Bcc``)."""
    values = [str(value) for value in message.get_all(header, [])]
    return [address_entry(name, address) for name, address in getaddresses(values) if address]


def stripped_reply(text: str) -> str:
    """The newest part of a reply: the text above the first quoted line or "On ... wrote:"."""
    match = _REPLY_START.search(text)
    return (text[: match.start()] if match else text).strip()


def bodies(message: EmailMessage) -> tuple[str, str]:
    """``(text, html)``: the first ``text/plain`` and ``text/html`` parts that are not attachments,
    their line endings LF (SMTP carries CRLF)."""
    found: dict[str, str] = {}
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is not None and part.get_content_type() == f"text/{kind}":
            found[kind] = part.get_content().replace("\r\n", "\n")  # SMTP's CRLF as LF
    return found.get("plain", ""), found.get("html", "")


def attachments(message: EmailMessage) -> list[dict]:
    """Each attachment (and inline part with a file name or Content-ID that is not a body) as
    ``{"Name", "Content" (base64), "ContentType", "ContentLength" (bytes), "ContentID"}``."""
    found = []
    for part in message.iter_attachments():
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        content_id = (part.get("Content-ID") or "").strip()
        found.append(
            {
                "Name": part.get_filename() or "",
                "Content": base64.b64encode(payload).decode("ascii"),
                "ContentType": part.get_content_type(),
                "ContentLength": len(payload),
                "ContentID": content_id,
            }
        )
    return found


def postmark_message(raw: bytes, *, envelope_recipients: list[str] | None = None) -> dict[str, Any]:
    """The Postmark inbound JSON of a raw RFC 5322 message.

    ``envelope_recipients`` (the SMTP ``RCPT TO`` addresses) are where the message was delivered;
    the first is ``OriginalRecipient``, and any missing from To and Cc (blind copies) are listed in
    ``BccFull``. ``MessageID`` is the message's ``Message-ID`` without angle brackets, or a new UUID.
    """
    message = message_from_bytes(raw, policy=policy.default)
    from_name, from_address = parseaddr(str(message.get("From", "")))
    to_full, cc_full = address_list(message, "To"), address_list(message, "Cc")
    listed = {entry["Email"].lower() for entry in to_full + cc_full}
    blind = [address for address in envelope_recipients or [] if address.lower() not in listed]
    text, html = bodies(message)
    return {
        "FromName": from_name,
        "From": from_address,
        "FromFull": address_entry(from_name, from_address),
        "To": str(message.get("To", "")),
        "ToFull": to_full,
        "Cc": str(message.get("Cc", "")),
        "CcFull": cc_full,
        "Bcc": ", ".join(blind),
        "BccFull": [address_entry("", address) for address in blind],
        "OriginalRecipient": (envelope_recipients or [""])[0],
        "ReplyTo": str(message.get("Reply-To", "")),
        "Subject": str(message.get("Subject", "")),
        "Date": str(message.get("Date", "")),
        "MessageID": (message.get("Message-ID") or "").strip().strip("<>") or str(uuid.uuid4()),
        "TextBody": text,
        "HtmlBody": html,
        "StrippedTextReply": stripped_reply(text),
        "Headers": [
            {"Name": name, "Value": str(value)}
            for name, value in message.items()
            if name.lower() not in _LIFTED
        ],
        "Attachments": attachments(message),
    }
