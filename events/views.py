"""Ingress endpoints: HTTP in, events out (spec/platform.md §1, §1.11 and §2.3).

DRF views with no authentication, ``AllowAny`` and no parsers: each only
validates, hands the raw body to ``events.ingress`` and answers. They never
touch the session, ``request.data`` or ``request.POST``, so the raw body stays
intact for HMAC checks and Full request mode.
"""

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from events import ingress


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


class ShopifyWebhooksView(IngressView):
    """``/shopify/webhooks``: Shopify deliveries (spec/platform.md §2.3)."""

    def respond(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return shopify_webhooks(request)


class CustomShopifyWebhooksView(IngressView):
    """``/shopify/webhooks/custom/<id>``: deliveries of a custom Shopify webhook (spec/platform.md §2.4)."""

    def respond(self, request: HttpRequest, webhook_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return shopify_webhooks(request, custom_webhook_id=webhook_id)


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
        response = _preflight(request, methods)
    elif request.method not in methods:
        response = HttpResponseNotAllowed([*methods, "OPTIONS"])
    elif request.method != "POST":
        response = HttpResponse(status=200)
    else:
        try:
            raw = ingress.read_body(request)
        except ingress.BodyTooLarge:
            response = HttpResponse("Request body too large.", status=413, content_type="text/plain")
        else:
            ingress.receive_webhook(webhook_id, request, raw, request_id=request_id)
            response = HttpResponse(status=200 if client == "mailchimp" else 204)
            if client == "asana" and "X-Hook-Secret" in request.headers:
                response["X-Hook-Secret"] = request.headers["X-Hook-Secret"]
    return _with_cors(response, request_id)


def shopify_webhooks(request: HttpRequest, custom_webhook_id: str | None = None) -> HttpResponse:
    """``/shopify/webhooks`` (and a custom webhook's address): verify the HMAC, store the event,
    answer 200 (§2.3, §2.4)."""
    try:
        raw = ingress.read_body(request)
    except ingress.BodyTooLarge:
        return HttpResponse("Request body too large.", status=413, content_type="text/plain")
    if not ingress.shopify_hmac_valid(raw, request.headers.get("X-Shopify-Hmac-Sha256")):
        return HttpResponse(
            "Invalid or missing X-Shopify-Hmac-Sha256.", status=401, content_type="text/plain"
        )
    try:
        if custom_webhook_id is None:
            ingress.receive_shopify_delivery(request.headers, raw)
        else:
            ingress.receive_custom_delivery(custom_webhook_id, request.headers, raw)
    except ingress.InvalidDelivery as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    return HttpResponse(status=200)


def _preflight(request: HttpRequest, methods: tuple[str, ...]) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = ", ".join([*methods, "OPTIONS"])
    requested = request.headers.get("Access-Control-Request-Headers")
    if requested:
        response["Access-Control-Allow-Headers"] = requested
    response["Access-Control-Max-Age"] = "86400"
    return response


def _with_cors(response: HttpResponse, request_id: uuid.UUID) -> HttpResponse:
    # Browsers may call webhooks from any storefront; the request id must be readable there (§1.8).
    response["x-request-id"] = str(request_id)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "x-request-id"
    if response.status_code == 204:
        del response["Content-Type"]
    return response
