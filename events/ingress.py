"""Turning inbound HTTP requests into events.

Mechanic webhooks follow spec/platform.md §1, Shopify deliveries §2.3. Views
only translate HTTP to these calls; nothing here renders Liquid or runs tasks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any, TypedDict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from events import standard_webhooks
from events.models import CustomWebhook, Event, PrivacyRequest, PrivacyTopic, ShopifyDelivery, Webhook
from events.params import ParamsError, media_type, parse_body, parse_json, parse_nested_query
from events.signals import privacy_request_received
from events.topics import TOPIC_RE
from hub.jsontypes import JSON
from integrations.models import Shop

logger = logging.getLogger(__name__)


# A platform topic (spec/platform.md §2.2): it changes the shop, no task receives it.
UNINSTALLED_TOPIC = "shopify/app/uninstalled"
# A platform topic that tasks may subscribe to as well: it also refreshes the stored shop.
SHOP_UPDATE_TOPIC = "shopify/shop/update"


class UnreadableBody(Exception):
    """A request body Hub will not read; ``status`` and ``message`` are the answer to give."""

    status = 400
    message = "Unreadable request body."


class BodyTooLarge(UnreadableBody):
    """The request body exceeds the endpoint's limit (``HUB_MAX_WEBHOOK_BYTES`` by default)."""

    status = 413
    message = "Request body too large."


class LengthRequired(UnreadableBody):
    """A chunked body (no ``Content-Length``) on a server that does not decode chunks (Django's
    ``runserver``): refused rather than read as empty."""

    status = 411
    message = (
        "Transfer-Encoding: chunked is not supported by this server (Django's runserver): "
        "send a Content-Length, or run Hub behind gunicorn."
    )


class InvalidDelivery(ValueError):
    """A correctly signed Shopify delivery that cannot become an event (answer ``400``)."""


def read_body(request: HttpRequest, max_bytes: int | None = None) -> bytes:
    """The raw request body, at most ``max_bytes`` (default ``HUB_MAX_WEBHOOK_BYTES``).

    Reads the stream directly, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` cap
    on ``request.body`` does not apply, and keeps the bytes as ``request.body``
    for anything that reads it later. A body sent with ``Transfer-Encoding: chunked``
    (no ``Content-Length``) is read to its end where the server decodes chunks and says so
    (``wsgi.input_terminated``, as gunicorn does). Raises ``BodyTooLarge`` when the declared
    ``Content-Length`` or the bytes actually sent exceed the limit, ``LengthRequired`` for a
    chunked body the server cannot decode.
    """
    limit = settings.HUB_MAX_WEBHOOK_BYTES if max_bytes is None else max_bytes
    if _is_chunked(request):
        raw = _read_to_end(request, limit)
    else:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise BodyTooLarge
        raw = request.read(limit + 1)
    if len(raw) > limit:
        raise BodyTooLarge
    request._body = raw
    return raw


def _is_chunked(request: HttpRequest) -> bool:
    encoding = request.META.get("HTTP_TRANSFER_ENCODING", "")
    return "chunked" in encoding.lower() and not request.META.get("CONTENT_LENGTH")


def _read_to_end(request: HttpRequest, limit: int) -> bytes:
    """A chunked body from a server that decoded it, stopping one byte past ``limit``."""
    if not request.META.get("wsgi.input_terminated"):
        raise LengthRequired
    stream = request.META["wsgi.input"]
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        part = stream.read(min(65536, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


# --- Mechanic webhooks (spec/platform.md §1) ------------------------------------------


class FullRequestData(TypedDict):
    """Event data in Full request mode (§1.5): exactly these keys."""

    body_base64: str
    body: dict[str, Any] | None
    client_ip: str | None
    headers: dict[str, list[str]]
    mime_type: str | None
    query_string: str | None
    query: dict[str, Any] | None
    request_id: str
    webhook_id: str


def find_webhook(webhook_id: str) -> Webhook | None:
    """The active webhook with this id, or ``None`` for unknown, inactive or malformed ids."""
    try:
        key = uuid.UUID(str(webhook_id))
    except ValueError:
        return None
    return Webhook.objects.select_related("shop").filter(id=key, is_active=True).first()


def receive_webhook(
    webhook_id: str, request: HttpRequest, raw: bytes, *, request_id: uuid.UUID
) -> Event | None:
    """Store the event a Mechanic webhook request creates (§1.6), or ``None`` when there is no webhook.

    ``raw`` is the body from ``read_body``. The event run is enqueued on commit
    by ``Event.objects.ingest``. Raises ``standard_webhooks.SignatureError`` when the webhook has
    signing secrets and the request's Standard Webhooks signature is missing, stale or wrong.
    """
    webhook = find_webhook(webhook_id)
    if webhook is None:
        return None
    if webhook.signing_secrets:
        standard_webhooks.verify(webhook.signing_secrets, request.headers, raw)
    data = _without_nul(webhook_event_data(webhook, request, raw, request_id=request_id))
    return Event.objects.ingest(
        webhook.shop, webhook.topic, data, source="webhook", webhook_request_id=request_id
    )


def webhook_event_data(webhook: Webhook, request: HttpRequest, raw: bytes, *, request_id: uuid.UUID) -> JSON:
    """Event data per the webhook's mode: Auto (§1.4) or Full request (§1.5).

    Auto: body parameters shallow-merged with query parameters (the query
    wins), else the query parameters, else the body as text (``None`` when
    blank). Full request: a dict with exactly the keys ``body_base64``,
    ``body``, ``client_ip``, ``headers``, ``mime_type``, ``query_string``,
    ``query``, ``request_id`` and ``webhook_id``. Parse failures only make
    parameters absent; this never raises for any request content.
    """
    content_type = request.META.get("CONTENT_TYPE") or None
    query_bytes = _wsgi_bytes(request.META.get("QUERY_STRING", ""))
    query = _params_or_none(parse_nested_query, query_bytes) if query_bytes else None
    body = _params_or_none(parse_body, raw, content_type)

    if webhook.data_mode == Webhook.DataMode.FULL_REQUEST:
        full: FullRequestData = {
            "body_base64": base64.b64encode(raw).decode("ascii"),
            "body": body,
            "client_ip": client_ip(request),
            "headers": request_headers(request),
            "mime_type": media_type(content_type),
            "query_string": query_bytes.decode("utf-8", "replace") if query_bytes else None,
            "query": query,
            "request_id": str(request_id),
            "webhook_id": str(webhook.id),
        }
        return full
    if body:
        return {**body, **(query or {})}
    if query:
        return query
    text = raw.decode("utf-8", "replace")
    return text if text.strip() else None


def request_headers(request: HttpRequest) -> dict[str, list[str]]:
    """Request headers as Mechanic shows them: lower-cased name → ``[value]`` (§1.5).

    Rebuilt from the WSGI environ (``HTTP_X_FOO`` → ``x-foo``, plus
    ``content-type`` and ``content-length``). The server has already joined
    repeated headers into one value. Names in ``HUB_WEBHOOK_HEADER_DENYLIST``
    (headers our own edge proxy adds) are left out. Sorted by name.
    """
    denied = {name.lower() for name in getattr(settings, "HUB_WEBHOOK_HEADER_DENYLIST", ())}
    headers: dict[str, list[str]] = {}
    for key, value in request.META.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key
        else:
            continue
        name = name.lower().replace("_", "-")
        if name not in denied and isinstance(value, str):
            headers[name] = [_header_text(value)]
    return dict(sorted(headers.items()))


def client_ip(request: HttpRequest) -> str | None:
    """The originating client address, trusting ``HUB_TRUSTED_PROXY_HOPS`` proxies (default 0).

    Each trusted proxy appends the address it saw to ``X-Forwarded-For``, so
    the client is the entry that many places left of ``REMOTE_ADDR``; entries
    further left are whatever the client chose to send and are ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    hops = int(getattr(settings, "HUB_TRUSTED_PROXY_HOPS", 0) or 0)
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [item.strip() for item in forwarded.split(",") if item.strip()] + [remote]
    return chain[max(len(chain) - 1 - hops, 0)]


def _without_nul(value: Any) -> Any:
    # PostgreSQL's jsonb cannot hold U+0000; the raw bytes survive in body_base64 (Full request mode).
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _params_or_none(parse: Callable[..., dict[str, Any] | None], *args: Any) -> dict[str, Any] | None:
    try:
        params = parse(*args)
    except ParamsError:
        return None
    return params or None


def _wsgi_bytes(value: str) -> bytes:
    # WSGI hands over header and query bytes decoded as latin-1; undo that.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _header_text(value: str) -> str:
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


# --- Shopify deliveries (spec/platform.md §2.3) ------------------------------------------


def shopify_hmac_valid(raw: bytes, signature: str | None, secrets: Iterable[str] | None = None) -> bool:
    """Whether ``signature`` is base64(HMAC-SHA256(secret, raw)) for one of ``secrets``.

    ``secrets`` defaults to ``HUB_SHOPIFY_API_SECRET`` then
    ``HUB_SHOPIFY_API_SECRET_PREVIOUS``; blank secrets are skipped. Compares in
    constant time; a missing signature is invalid.
    """
    if not signature:
        return False
    if secrets is None:
        secrets = (settings.HUB_SHOPIFY_API_SECRET, settings.HUB_SHOPIFY_API_SECRET_PREVIOUS)
    given = _wsgi_bytes(signature.strip())
    for secret in secrets:
        if not secret:
            continue
        expected = base64.b64encode(hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).digest())
        if hmac.compare_digest(expected, given):
            return True
    return False


def shopify_delivery_key(headers: Mapping[str, str], topic: str) -> str | None:
    """The key that identifies repeats of a delivery: event id + topic, else webhook id, else ``None``."""
    event_id = (headers.get("X-Shopify-Event-Id") or "").strip()
    if event_id:
        key = f"event:{event_id}:{topic}"
    else:
        webhook_id = (headers.get("X-Shopify-Webhook-Id") or "").strip()
        if not webhook_id:
            return None
        key = f"webhook:{webhook_id}"
    if len(key) > 255:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key


def receive_shopify_delivery(headers: Mapping[str, str], raw: bytes) -> Event | None:
    """Store the event of a verified Shopify delivery; ``None`` when it is dropped.

    ``headers`` is the request's case-insensitive header mapping and ``raw`` a
    body whose HMAC was already checked. Deliveries for unknown shops and
    repeats seen within ``HUB_SHOPIFY_DEDUP_HOURS`` are dropped; the
    ``ShopifyDelivery`` unique constraint makes concurrent repeats lose.
    Raises ``InvalidDelivery`` for a missing or malformed topic or a body that
    is not JSON. The privacy topics are recorded as ``PrivacyRequest`` rows, never as events
    (``receive_privacy_request``).
    """
    domain = (headers.get("X-Shopify-Shop-Domain") or "").strip().lower()
    topic = "shopify/" + (headers.get("X-Shopify-Topic") or "").strip().lower()
    if topic in PrivacyTopic.values:  # accepted for uninstalled and unknown shops too
        receive_privacy_request(domain, topic, headers, raw)
        return None
    shop = Shop.objects.filter(myshopify_domain=domain).first() if domain else None
    if shop is None:
        logger.warning(
            "Shopify delivery for unknown shop %r dropped (topic %r)", domain, headers.get("X-Shopify-Topic")
        )
        return None

    if not TOPIC_RE.fullmatch(topic):
        raise InvalidDelivery("X-Shopify-Topic is missing or is not a subject/verb topic")
    if shop.uninstalled_at is not None:
        logger.info("Shopify delivery %s for uninstalled shop %s dropped", topic, shop)
        return None
    if topic == UNINSTALLED_TOPIC:
        shop.mark_uninstalled(timezone.now())
        logger.warning("shop %s uninstalled the app: token dropped, its runs will fail", shop)
        return None
    try:
        data = parse_json(raw)
    except ParamsError as exc:
        raise InvalidDelivery(f"The body is not valid JSON ({exc}).") from None

    if topic == SHOP_UPDATE_TOPIC and isinstance(data, dict):
        shop.update_from_resource(data)
    return ingest_once(
        shop, shopify_delivery_key(headers, topic), topic, data, source="shopify", shopify_topic=topic
    )


def ingest_once(shop: Shop, key: str | None, topic: str, data: Any, **fields: Any) -> Event | None:
    """Store the event of a delivery unless its ``key`` (``shopify_delivery_key``) was seen within
    ``HUB_SHOPIFY_DEDUP_HOURS``; None for such a repeat. ``fields`` are Event fields."""
    if key is None:
        return Event.objects.ingest(shop, topic, data, **fields)
    for _ in range(2):
        try:
            # One transaction: the event, its run and the delivery row that keeps repeats out; a
            # repeat's delivery row conflicts and takes its event back with it.
            with transaction.atomic():
                event = Event.objects.ingest(shop, topic, data, **fields)
                ShopifyDelivery.objects.create(shop=shop, key=key, event=event)
            return event
        except IntegrityError:
            # Seen before: a repeat, unless that delivery is older than the dedup window (then it
            # is forgotten and this one goes in).
            cutoff = timezone.now() - timedelta(hours=settings.HUB_SHOPIFY_DEDUP_HOURS)
            if not ShopifyDelivery.objects.filter(shop=shop, key=key, received_at__lt=cutoff).delete()[0]:
                break
    logger.info("Repeated Shopify delivery %s for %s dropped", key, shop)
    return None


def receive_custom_delivery(webhook_id: str, headers: Mapping[str, str], raw: bytes) -> Event | None:
    """Store the event of a verified delivery for custom webhook ``webhook_id`` (spec/platform.md
    §2.4): topic ``event_topic``, ``shopify_topic`` from ``X-Shopify-Topic``, source
    ``custom_shopify_webhook_subscription:<id>``, data the payload as Shopify filtered and trimmed
    it. None when dropped: an unknown or deleted webhook, a shop that is not the webhook's or is
    uninstalled, a repeat. Raises ``InvalidDelivery`` for a missing topic or a body that is not JSON."""
    try:
        webhook = CustomWebhook.objects.select_related("shop").filter(pk=uuid.UUID(webhook_id)).first()
    except ValueError:
        webhook = None
    domain = (headers.get("X-Shopify-Shop-Domain") or "").strip().lower()
    if webhook is None or webhook.shop.myshopify_domain != domain or webhook.shop.uninstalled_at is not None:
        logger.warning(
            "Delivery for custom webhook %s (shop %r) dropped: no such webhook of that shop",
            webhook_id,
            domain,
        )
        return None
    topic = "shopify/" + (headers.get("X-Shopify-Topic") or "").strip().lower()
    if not TOPIC_RE.fullmatch(topic):
        raise InvalidDelivery("X-Shopify-Topic is missing or is not a subject/verb topic")
    try:
        data = parse_json(raw)
    except ParamsError as exc:
        raise InvalidDelivery(f"The body is not valid JSON ({exc}).") from None
    key = shopify_delivery_key(headers, f"{topic}:{webhook.pk}")
    return ingest_once(
        webhook.shop, key, webhook.event_topic, data, source=webhook.source, shopify_topic=topic
    )


def receive_privacy_request(
    domain: str, topic: str, headers: Mapping[str, str], raw: bytes
) -> PrivacyRequest | None:
    """Record a verified privacy delivery (``topic`` one of ``PrivacyTopic``) for the shop
    ``domain`` (the header, else the body's ``shop_domain``), known, uninstalled or long gone;
    the engine handles it after commit (spec/platform.md §10.1). Returns the request, or None
    for a repeat of one already recorded. Raises ``InvalidDelivery`` when the body is not a
    JSON object or names no shop."""
    try:
        data = parse_json(raw)
    except ParamsError as exc:
        raise InvalidDelivery(f"The body is not valid JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise InvalidDelivery(f"The body of a {topic} request must be a JSON object.")
    domain = domain or str(data.get("shop_domain") or "").strip().lower()
    if not domain:
        raise InvalidDelivery("X-Shopify-Shop-Domain is missing and the body has no shop_domain.")
    named = data.get("customer")
    customer: dict[str, Any] = named if isinstance(named, dict) else {}
    request = PrivacyRequest(
        shop=Shop.objects.filter(myshopify_domain=domain).first(),
        shop_domain=domain,
        topic=topic,
        delivery_key=shopify_delivery_key(headers, topic) or "",
        customer_id=str(customer.get("id") or ""),
        payload=data,
    )
    try:
        with transaction.atomic():
            request.save(force_insert=True)
            privacy_request_received.send(sender=PrivacyRequest, request=request)
    except IntegrityError:
        logger.info("Repeated %s delivery for %s dropped", topic, domain)
        return None
    logger.info("%s received for %s", topic, domain)
    return request
