"""Partner-delivered events (spec/platform.md §6.4, §6.5): Appstle Subscriptions, Judge.me, Locksmith and
Report Toaster post to ``POST /partners/<partner>/events``, signed with the partner's secret.

Decisions (the transport is not documented, §6.4):

- The signature is ``X-Hub-Hmac-Sha256: base64(HMAC-SHA256(partner secret, raw body))``, as Shopify
  signs its webhooks; each partner's secret is in ``HUB_PARTNER_SECRETS``.
- The shop is the payload's shop field where the partner sends one (Appstle ``shop``, Judge.me
  ``shop_domain``), else the ``X-Shopify-Shop-Domain`` header (Locksmith, Report Toaster).
- ``data`` is the JSON body as delivered, ``source`` the partner's slug, the topic from the tables
  below. A type no table knows is stored under ``<partner>/unknown/<type>``, which no task can
  subscribe to by accident.
"""

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from events.models import Event
from integrations.models import Shop

SIGNATURE_HEADER = "X-Hub-Hmac-Sha256"
SHOP_HEADER = "X-Shopify-Shop-Domain"

# Appstle's event ``type`` → topic (§6.4's table-driven mapping).
APPSTLE_TOPICS = {
    "subscription.created": "appstle_subscriptions/subscriptions/create",
    "subscription.activated": "appstle_subscriptions/subscriptions/activate",
    "subscription.cancelled": "appstle_subscriptions/subscriptions/cancel",
    "subscription.next_order_date_changed": "appstle_subscriptions/subscriptions/next_order_date_change",
    "subscription.paused": "appstle_subscriptions/subscriptions/pause",
    "subscription.updated": "appstle_subscriptions/subscriptions/update",
    "subscription.billing_success": "appstle_subscriptions/billings/success",
    "subscription.billing_failure": "appstle_subscriptions/billings/failure",
    "subscription.billing_interval_changed": "appstle_subscriptions/billings/interval_change",
}
# Judge.me's ``event`` → topic (§6.4: "created", not "create").
JUDGEME_TOPICS = {
    "review/created": "judgeme/review/created",
    "review/updated": "judgeme/review/updated",
}


class PartnerError(ValueError):
    """A delivery Hub refuses; ``status`` is the HTTP answer, the text says what was wrong."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _slug(text: Any) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", str(text).lower()).strip("_") or "none"


def _appstle_topic(data: dict) -> str:
    kind = str(data.get("type"))
    return APPSTLE_TOPICS.get(kind) or f"appstle_subscriptions/unknown/{_slug(kind)}"


def _judgeme_topic(data: dict) -> str:
    kind = str(data.get("event"))
    return JUDGEME_TOPICS.get(kind) or f"judgeme/unknown/{_slug(kind)}"


def _report_toaster_topic(data: dict) -> str:
    # A failed report carries its error (§6.5); a finished one its rows or file.
    return "report_toaster/reports/fail" if data.get("error") else "report_toaster/reports/create"


@dataclass(frozen=True)
class Partner:
    """How one partner's deliveries become events: its topic rule and its payload's shop field."""

    slug: str
    name: str
    topic: Callable[[dict], str]
    shop_field: str | None = None


PARTNERS = {
    partner.slug: partner
    for partner in (
        Partner("appstle_subscriptions", "Appstle Subscriptions", _appstle_topic, shop_field="shop"),
        Partner("judgeme", "Judge.me", _judgeme_topic, shop_field="shop_domain"),
        Partner("locksmith", "Locksmith", lambda data: "locksmith/sessions/ping"),
        Partner("report_toaster", "Report Toaster", _report_toaster_topic),
    )
}


def partner_secrets() -> dict[str, str]:
    """``HUB_PARTNER_SECRETS`` (``slug=secret,slug=secret``) as ``{slug: secret}``."""
    pairs = (item.partition("=") for item in settings.HUB_PARTNER_SECRETS.split(","))
    return {slug.strip(): secret.strip() for slug, _, secret in pairs if slug.strip() and secret.strip()}


def signature_valid(raw: bytes, signature: str | None, secret: str) -> bool:
    """Whether ``signature`` is base64(HMAC-SHA256(``secret``, ``raw``)), compared in constant time."""
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("latin-1", "replace"))


def sign(raw: bytes, secret: str) -> str:
    """The ``X-Hub-Hmac-Sha256`` value a partner sends with ``raw``."""
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode("ascii")


def authenticate(slug: str, raw: bytes, headers: Mapping[str, str]) -> Partner:
    """The partner ``slug`` names, once its signature checks out.

    Raises ``PartnerError``: 404 for an unknown partner, 403 when Hub holds no secret for it,
    401 for a missing or wrong signature.
    """
    partner = PARTNERS.get(slug)
    if partner is None:
        raise PartnerError(f"Unknown partner {slug!r}; known: {', '.join(sorted(PARTNERS))}.", status=404)
    secret = partner_secrets().get(slug)
    if not secret:
        raise PartnerError(
            f"No secret for {slug} in HUB_PARTNER_SECRETS: its deliveries are refused.", status=403
        )
    if not signature_valid(raw, headers.get(SIGNATURE_HEADER), secret):
        raise PartnerError(f"Missing or wrong {SIGNATURE_HEADER}.", status=401)
    return partner


def shop_domain(partner: Partner, data: dict, headers: Mapping[str, str]) -> str:
    """The shop a delivery is for; raises ``PartnerError`` (400) naming where it was looked for."""
    domain = data.get(partner.shop_field) if partner.shop_field else None
    domain = domain or headers.get(SHOP_HEADER)
    if not isinstance(domain, str) or not domain.strip():
        where = f"the body's {partner.shop_field!r} field or " if partner.shop_field else ""
        raise PartnerError(f"No shop domain: expected in {where}the {SHOP_HEADER} header.")
    return domain.strip().lower()


def receive(slug: str, raw: bytes, headers: Mapping[str, str]) -> Event | None:
    """Store the event of one delivery, or ``None`` when its shop is not installed here (the
    partner is answered 200 and the delivery dropped). Raises ``PartnerError`` for an unknown
    partner, a wrong signature, a body that is not a JSON object, or no shop domain."""
    partner = authenticate(slug, raw, headers)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise PartnerError(f"Body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PartnerError("$: expected a JSON object.")
    domain = shop_domain(partner, data, headers)
    shop = Shop.objects.filter(myshopify_domain=domain, uninstalled_at__isnull=True).first()
    if shop is None:
        return None
    return Event.objects.ingest(shop, partner.topic(data), data, source=partner.slug)
