"""Ingress views: HTTP in, events out (spec/platform.md §1 and §2.3).

Each view only validates, hands the raw body to ``events.ingress`` and answers.
They are CSRF-exempt, never touch the session and never use DRF parsers or
``request.POST``, so the raw body stays intact.
"""

import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from events import ingress

# Methods each client variant accepts besides the OPTIONS preflight (§1.2).
WEBHOOK_CLIENT_METHODS = {
    None: ("POST",),
    "asana": ("POST",),
    "mailchimp": ("GET", "POST"),
    "ship24": ("HEAD", "POST"),
}


@csrf_exempt
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


@csrf_exempt
@require_POST
def shopify_webhooks(request: HttpRequest) -> HttpResponse:
    """``/shopify/webhooks``: verify the HMAC, store the event, answer 200 (§2.3)."""
    try:
        raw = ingress.read_body(request)
    except ingress.BodyTooLarge:
        return HttpResponse("Request body too large.", status=413, content_type="text/plain")
    if not ingress.shopify_hmac_valid(raw, request.headers.get("X-Shopify-Hmac-Sha256")):
        return HttpResponse(
            "Invalid or missing X-Shopify-Hmac-Sha256.", status=401, content_type="text/plain"
        )
    try:
        ingress.receive_shopify_delivery(request.headers, raw)
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
