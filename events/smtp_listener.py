"""Hub's own SMTP listener for inbound email (spec/platform.md §3.1, §3.4): an aiosmtpd handler that
accepts mail for installed shops' addresses at ``HUB_MAIL_DOMAIN`` and turns each message into
``mechanic/emails/received`` events through ``events.inbound_email.receive``. Run by
``manage.py smtpd``."""

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from events import inbound_email
from events.mime_email import postmark_message
from integrations.models import Shop

log = logging.getLogger(__name__)


def accepts(address: str) -> bool:
    """Whether ``address`` is an installed shop's address at ``HUB_MAIL_DOMAIN``."""
    handle = inbound_email.shop_handle(address)
    if handle is None:
        return False
    close_old_connections()
    return Shop.objects.filter(
        myshopify_domain=f"{handle}.myshopify.com", uninstalled_at__isnull=True
    ).exists()


def deliver(raw: bytes, recipients: list[str]) -> inbound_email.Received:
    """Parse one received message and create its events (database work, run off the event loop)."""
    close_old_connections()
    return inbound_email.receive(postmark_message(raw, envelope_recipients=recipients))


class InboundHandler:
    """aiosmtpd hooks: ``RCPT TO`` an address no installed shop owns is refused (``550``), so no
    bounce is ever sent; ``DATA`` answers ``250`` once the events are stored, ``451`` (try later)
    when storing failed."""

    async def handle_RCPT(  # noqa: N802  (aiosmtpd hook)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if not await sync_to_async(accepts)(address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802  (aiosmtpd hook)
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):  # aiosmtpd decodes only when told to (decode_data), never here
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            received = await sync_to_async(deliver)(raw, list(envelope.rcpt_tos))
        except Exception:  # any failure is answered "try later", and logged
            log.exception("inbound email could not be stored")
            return "451 4.3.0 Could not store the message; try again later"
        if received.dropped:
            log.info("inbound email from %s dropped: %s", envelope.mail_from, received.dropped)
        else:
            shops = ", ".join(event.shop.myshopify_domain for event in received.events)
            log.info(
                "inbound email from %s: %d event(s) for %s", envelope.mail_from, len(received.events), shops
            )
        return "250 Message accepted"


def controller(host: str, port: int) -> Controller:
    """An aiosmtpd controller serving ``InboundHandler`` on ``host:port``, refusing messages over
    35 MB (§3.3). Call ``start()`` and ``stop()``."""
    return Controller(
        InboundHandler(), hostname=host, port=port, data_size_limit=inbound_email.MAX_MESSAGE_BYTES
    )
