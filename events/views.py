"""Ingress endpoints: HTTP in, events out (spec/platform.md §1, §1.11 and §2.3).

DRF views with no authentication, ``AllowAny`` and no parsers: each only
validates, hands the raw body to ``events.ingress`` and answers. They never
touch the session, ``request.data`` or ``request.POST``, so the raw body stays
intact for HMAC checks and Full request mode.
"""

import base64
import hmac
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    JsonResponse,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from events import flow, ingress, partners
from events import inbound_email as inbound_email_module
from events.standard_webhooks import SignatureError
from hub.cors import allow_any_origin, preflight


class IngressView(APIView):
    """Base of the ingress endpoints: anyone may call, nothing is parsed by DRF.

    Every HTTP method reaches ``respond(django_request, **url_kwargs)``, which
    decides itself what is allowed (spec/platform.md §1.2).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []

    @property
    def default_response_headers(self) -> dict[str, str]:
        # Each answer sets its own Allow header; DRF's would list every method defined here.
        return {}

    # (*args: Any, **kwargs: Any) lets each endpoint name its own URL arguments.
    def respond(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise NotImplementedError

    def _any(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.respond(request._request, **kwargs)

    # DRF takes any HttpResponse from a handler; its stubs type ``options`` as returning a DRF Response.
    get = post = put = patch = delete = head = options = _any  # type: ignore[assignment]


class MechanicWebhookView(IngressView):
    """``/webhooks/<uuid>[/<client>]``: a Mechanic webhook (spec/platform.md §1)."""

    def respond(self, request: HttpRequest, webhook_id: str, client: str | None = None) -> HttpResponse:
        return mechanic_webhook(request, webhook_id, client)


class PostOnlyView(IngressView):
    """An ingress endpoint that takes POST only (405 otherwise) and hands the request and the URL's
    arguments to ``handler``, given in the URL conf: ``PostOnlyView.as_view(handler=shopify_webhooks)``
    for Shopify deliveries (§2.3, §2.4), inbound email (§3.4), partner events (§6.4) and Flow (§6.6)."""

    handler: Callable[..., HttpResponse] | None = None

    def respond(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        assert self.handler is not None  # noqa: S101  (set by as_view in the URL conf)
        return self.handler(request, **kwargs)


# Methods each client variant accepts besides the OPTIONS preflight (§1.2).
WEBHOOK_CLIENT_METHODS = {
    None: ("POST",),
    "asana": ("POST",),
    "mailchimp": ("GET", "POST"),
    "ship24": ("HEAD", "POST"),
}


def mechanic_webhook(request: HttpRequest, webhook_id: str, client: str | None = None) -> HttpResponse:
    """``/webhooks/<uuid>[/<client>]``: 204 for every POST, whether or not a webhook exists."""
    if client not in WEBHOOK_CLIENT_METHODS:
        return HttpResponse(status=404)
    methods = WEBHOOK_CLIENT_METHODS[client]
    request_id = uuid.uuid4()
    if request.method == "OPTIONS":
        response = preflight(request, methods)
    elif request.method not in methods:
        response = HttpResponseNotAllowed([*methods, "OPTIONS"])
    elif request.method != "POST":
        response = HttpResponse(status=200)
    else:
        response = _webhook_post(request, webhook_id, client, request_id)
    return _with_cors(response, request_id)


def _webhook_post(
    request: HttpRequest, webhook_id: str, client: str | None, request_id: uuid.UUID
) -> HttpResponse:
    """A POST to a Mechanic webhook: stored, or refused for an unreadable body or, on a webhook
    that requires Standard Webhooks signatures, a missing, stale or wrong one (``401``)."""
    try:
        raw = ingress.read_body(request)
        ingress.receive_webhook(webhook_id, request, raw, request_id=request_id)
    except ingress.UnreadableBody as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    except SignatureError as exc:
        return HttpResponse(str(exc), status=401, content_type="text/plain")
    response = HttpResponse(status=200 if client == "mailchimp" else 204)
    if client == "asana" and "X-Hook-Secret" in request.headers:
        response["X-Hook-Secret"] = request.headers["X-Hook-Secret"]
    return response


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain")


def _body(request: HttpRequest, max_bytes: int | None = None) -> bytes | HttpResponse:
    """The raw body, or the answer refusing it (413, 411: ``ingress.UnreadableBody``)."""
    try:
        return ingress.read_body(request, max_bytes)
    except ingress.UnreadableBody as exc:
        return _text(exc.message, exc.status)


def _shopify_signed_body(request: HttpRequest) -> bytes | HttpResponse:
    """The raw body of a request Shopify signed with the app secret, or the answer refusing it."""
    raw = _body(request)
    if isinstance(raw, HttpResponse):
        return raw
    if not ingress.shopify_hmac_valid(raw, request.headers.get("X-Shopify-Hmac-Sha256")):
        return _text("Invalid or missing X-Shopify-Hmac-Sha256.", 401)
    return raw


def custom_shopify_webhooks(request: HttpRequest, webhook_id: str) -> HttpResponse:
    """``/shopify/webhooks/custom/<id>``: a custom Shopify webhook's deliveries (§2.4)."""
    return shopify_webhooks(request, custom_webhook_id=webhook_id)


def shopify_webhooks(request: HttpRequest, custom_webhook_id: str | None = None) -> HttpResponse:
    """``/shopify/webhooks`` (and a custom webhook's address): verify the HMAC, store the event,
    answer 200 (§2.3, §2.4)."""
    raw = _shopify_signed_body(request)
    if isinstance(raw, HttpResponse):
        return raw
    try:
        if custom_webhook_id is None:
            ingress.receive_shopify_delivery(request.headers, raw)
        else:
            ingress.receive_custom_delivery(custom_webhook_id, request.headers, raw)
    except ingress.InvalidDelivery as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    return HttpResponse(status=200)


def _with_cors(response: HttpResponse, request_id: uuid.UUID) -> HttpResponse:
    # Browsers may call webhooks from any storefront; the request id must be readable there (§1.8).
    response["x-request-id"] = str(request_id)
    response["Access-Control-Expose-Headers"] = "x-request-id"
    return allow_any_origin(response)


def inbound_email(request: HttpRequest) -> HttpResponse:
    """A Postmark inbound message as JSON, behind HTTP basic credentials (``HUB_INBOUND_EMAIL_AUTH``,
    ``user:password``). ``200`` once stored (also for mail to no known shop, which is dropped);
    ``401`` for missing or wrong credentials, ``403`` while the setting is unset, ``400`` naming what
    is wrong with the body, ``413`` over 35 MB (spec/platform.md §3.3, §3.4)."""
    expected = settings.HUB_INBOUND_EMAIL_AUTH
    if not expected:
        return HttpResponse(
            "Inbound email is off: set HUB_INBOUND_EMAIL_AUTH (user:password).",
            status=403,
            content_type="text/plain",
        )
    if not basic_credentials_match(request.headers.get("Authorization", ""), expected):
        response = HttpResponse("Wrong or missing credentials.", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Basic realm="Hub inbound email"'
        return response
    try:
        raw = ingress.read_body(request, inbound_email_module.MAX_MESSAGE_BYTES)
    except ingress.BodyTooLarge:
        return HttpResponse("Message larger than 35 MB.", status=413, content_type="text/plain")
    except ingress.UnreadableBody as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    try:
        message = json.loads(raw)
    except ValueError as exc:
        return HttpResponseBadRequest(f"Body is not JSON: {exc}", content_type="text/plain")
    try:
        received = inbound_email_module.receive(message)
    except inbound_email_module.InvalidMessage as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    return JsonResponse(
        {"events": [str(event.pk) for event in received.events], "dropped": received.dropped or None}
    )


def basic_credentials_match(authorization: str, expected: str) -> bool:
    """Whether an ``Authorization: Basic ...`` header carries ``expected`` (``user:password``),
    compared in constant time."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded.strip(), validate=True)
    except ValueError:
        return False
    return hmac.compare_digest(given, expected.encode())


def partner_events(request: HttpRequest, partner: str) -> HttpResponse:
    """A partner's signed JSON delivery: ``200`` with the event id (``null`` and the reason when the
    shop is not installed here, the delivery dropped); ``404`` unknown partner, ``403`` no secret
    configured, ``401`` wrong signature, ``400`` naming what is wrong with the body."""
    raw = _body(request)
    if isinstance(raw, HttpResponse):
        return raw
    try:
        event = partners.receive(partner, raw, request.headers)
    except partners.PartnerError as exc:
        return _text(str(exc), exc.status)
    if event is None:
        return JsonResponse({"event": None, "topic": None, "dropped": "no installed shop with that domain"})
    return JsonResponse({"event": str(event.pk), "topic": event.topic, "dropped": None})


def flow_action(request: HttpRequest) -> HttpResponse:
    """A Flow action request verified by Shopify's signature: ``200`` with the event id; ``401`` for
    a wrong signature, ``400`` naming the wrong part of the request, ``404`` for a shop not
    installed here (Flow shows the text in the workflow's run)."""
    raw = _shopify_signed_body(request)
    if isinstance(raw, HttpResponse):
        return raw
    try:
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            raise flow.FlowActionError(f"Body is not JSON: {exc}") from None
        event = flow.receive(payload)
    except flow.FlowActionError as exc:
        return HttpResponse(str(exc), status=exc.status, content_type="text/plain")
    return JsonResponse({"event": str(event.pk), "topic": event.topic})
