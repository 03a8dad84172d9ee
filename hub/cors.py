"""CORS for the public endpoints that browsers call from any storefront (spec/platform.md §1.8):
Mechanic webhooks and cache endpoints. Any origin, no credentials."""

from django.http import HttpRequest, HttpResponse


def preflight(request: HttpRequest, methods: tuple[str, ...]) -> HttpResponse:
    """The ``204`` answer to an ``OPTIONS`` preflight: ``methods`` plus ``OPTIONS`` allowed, the
    requested headers echoed, cached for a day (§1.8)."""
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = ", ".join([*methods, "OPTIONS"])
    requested = request.headers.get("Access-Control-Request-Headers")
    if requested:
        response["Access-Control-Allow-Headers"] = requested
    response["Access-Control-Max-Age"] = "86400"
    return allow_any_origin(response)


def allow_any_origin(response: HttpResponse) -> HttpResponse:
    """``response`` readable by a page of any origin (``Access-Control-Allow-Origin: *``); a ``204``
    loses its ``Content-Type``."""
    response["Access-Control-Allow-Origin"] = "*"
    if response.status_code == 204 and "Content-Type" in response:
        del response["Content-Type"]
    return response
