"""Inbound email (spec/platform.md §3): a received message becomes one ``mechanic/emails/received``
event for each shop it is addressed to.

Messages arrive in Postmark's inbound JSON shape, from the provider callback (``POST /email/inbound``)
or from Hub's own SMTP listener (``manage.py smtpd``, which builds the same shape from MIME,
``events.mime_email``). Keys become snake_case at every depth (§3.3: ``MessageID`` → ``message_id``,
``HtmlBody`` → ``html_body``), values stay as sent, an RFC 2822 ``Date`` becomes ISO 8601. A shop
receives mail at ``<myshopify subdomain>@HUB_MAIL_DOMAIN`` (§3.1: the local part matched
case-insensitively, text after ``+`` being the mailbox hash); mail for no known shop is dropped.
Mail sent from Hub's own domain with an ``Auto-Submitted`` header other than ``no`` is dropped, which
breaks forward and reply loops (§3.3's decision).
"""

import logging
import re
from dataclasses import dataclass, field
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from django.conf import settings

from events.models import Event
from integrations.models import Shop

log = logging.getLogger(__name__)

TOPIC = "mechanic/emails/received"
SOURCE = "email"
# §3.3's decision: messages over 35 MB are refused.
MAX_MESSAGE_BYTES = 35 * 1024 * 1024

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_COLON_ZONE = re.compile(r"([+-]\d\d):(\d\d)\s*$")


class InvalidMessage(ValueError):
    """The posted message is not Postmark's inbound JSON; the text says which part is wrong."""


@dataclass
class Received:
    """What became of one message: the events created, and why it was dropped when none was."""

    events: list[Event] = field(default_factory=list)
    dropped: str = ""


def snake_case(key: str) -> str:
    """``MessageID`` → ``message_id``, ``HtmlBody`` → ``html_body``, ``From`` → ``from`` (§3.3)."""
    return _WORD_BOUNDARY.sub("_", key).lower()


def normalize(value: Any) -> Any:
    """Postmark JSON with every object key in snake_case at every depth, values unchanged."""
    if isinstance(value, dict):
        return {snake_case(str(key)): normalize(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalize(item) for item in value]
    return value


def iso_date(text: Any) -> Any:
    """An RFC 2822 date (``Fri, 1 Aug 2014 16:45:32 -04:00``) as ISO 8601; anything else as given."""
    if not isinstance(text, str) or not text.strip():
        return text
    try:
        return parsedate_to_datetime(_COLON_ZONE.sub(r"\1\2", text)).isoformat()
    except (TypeError, ValueError):
        return text


def event_data(message: dict) -> dict:
    """The event data of §3.3 for a Postmark inbound message (keys snake_case, date ISO 8601)."""
    data = normalize(message)
    if "date" in data:
        data["date"] = iso_date(data["date"])
    return data


def recipients(data: dict) -> list[str]:
    """Every address the message was delivered to: ``original_recipient``, then ``to_full``,
    ``cc_full`` and ``bcc_full``, in order, without repeats."""
    found: list[str] = []
    candidates = [data.get("original_recipient")]
    for key in ("to_full", "cc_full", "bcc_full"):
        entries = data.get(key)
        if isinstance(entries, list):
            candidates += [entry.get("email") for entry in entries if isinstance(entry, dict)]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip() and candidate.strip() not in found:
            found.append(candidate.strip())
    return found


def shop_handle(address: str) -> str | None:
    """The shop handle an address of ``HUB_MAIL_DOMAIN`` names (``Acme+orders@...`` → ``acme``), or
    None for an address elsewhere."""
    local, _, domain = parseaddr(address)[1].rpartition("@")
    if not local or domain.lower() != settings.HUB_MAIL_DOMAIN.lower():
        return None
    return local.split("+", 1)[0].lower() or None


def addressed_shops(data: dict) -> list[Shop]:
    """The installed shops the message is addressed to, once each, in recipient order."""
    handles = [handle for handle in map(shop_handle, recipients(data)) if handle]
    domains = [f"{handle}.myshopify.com" for handle in dict.fromkeys(handles)]
    shops = {shop.myshopify_domain: shop for shop in Shop.objects.filter(myshopify_domain__in=domains)}
    return [shops[domain] for domain in domains if domain in shops and shops[domain].uninstalled_at is None]


def is_loop(data: dict) -> bool:
    """Sent from Hub's own mail domain by a machine (``Auto-Submitted`` other than ``no``)."""
    sender = data.get("from_full", {}).get("email") if isinstance(data.get("from_full"), dict) else None
    sender = sender or data.get("from") or ""
    if not isinstance(sender, str) or not sender.lower().endswith("@" + settings.HUB_MAIL_DOMAIN.lower()):
        return False
    for header in data.get("headers") or []:
        if isinstance(header, dict) and str(header.get("name", "")).lower() == "auto-submitted":
            return str(header.get("value", "")).strip().lower() != "no"
    return False


def check_message(message: Any) -> dict:
    """``message`` if it has the shape of Postmark's inbound JSON; raises ``InvalidMessage`` naming
    the first wrong part (``$.ToFull[0]: expected an object``)."""
    if not isinstance(message, dict):
        raise InvalidMessage("$: expected a JSON object (Postmark's inbound message)")
    for key in ("ToFull", "CcFull", "BccFull", "Headers", "Attachments"):
        entries = message.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise InvalidMessage(f"$.{key}: expected an array")
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise InvalidMessage(f"$.{key}[{index}]: expected an object")
    if "FromFull" in message and not isinstance(message["FromFull"], dict | None):
        raise InvalidMessage("$.FromFull: expected an object")
    return message


def receive(message: Any) -> Received:
    """Turn one Postmark inbound message into an event per addressed shop (queued after commit).

    Raises ``InvalidMessage`` for a body of the wrong shape; a message for no known shop, or a
    loop, creates nothing and says why in ``Received.dropped``.
    """
    data = event_data(check_message(message))
    if is_loop(data):
        log.info("inbound email dropped: sent by Hub itself with Auto-Submitted")
        return Received(dropped="sent from Hub's own mail domain with Auto-Submitted (a mail loop)")
    shops = addressed_shops(data)
    if not shops:
        log.info("inbound email dropped: no shop at %s among %s", settings.HUB_MAIL_DOMAIN, recipients(data))
        return Received(dropped=f"no shop's address at {settings.HUB_MAIL_DOMAIN} among the recipients")
    return Received(events=[Event.objects.ingest(shop, TOPIC, data, source=SOURCE) for shop in shops])
