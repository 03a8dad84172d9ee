"""Cache endpoints (spec/platform.md §4.6): ``GET``/``HEAD``/``OPTIONS /cache/<id>``, public and
read-only, answering the key's live JSON value (``null`` when it holds none) to any origin."""

import json
import uuid

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from hub.cors import allow_any_origin, preflight
from tasks_app.models import CacheEndpoint

METHODS = ("GET", "HEAD")


@csrf_exempt
def cache_endpoint(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    """``200`` with the value as ``application/json`` and ``Cache-Control: no-store``; ``404`` for an
    unknown endpoint; ``405`` for any method but GET, HEAD and OPTIONS; CORS on every answer (§1.8).
    No session is read or written."""
    if request.method == "OPTIONS":
        return preflight(request, METHODS)
    if request.method not in METHODS:
        response = HttpResponse(status=405, content_type="text/plain")
        response["Allow"] = ", ".join([*METHODS, "OPTIONS"])
        response.content = b"Cache endpoints answer GET, HEAD and OPTIONS."
        return allow_any_origin(response)
    endpoint = _endpoint(endpoint_id)
    if endpoint is None:
        response = HttpResponse("No such cache endpoint.", status=404, content_type="text/plain")
    else:
        body = json.dumps(endpoint.value(), ensure_ascii=False, separators=(",", ":")).encode()
        response = HttpResponse(body, content_type="application/json")
        response["Content-Length"] = str(len(body))
        if request.method == "HEAD":  # the GET answer's headers, no body
            response.content = b""
    response["Cache-Control"] = "no-store"
    return allow_any_origin(response)


def _endpoint(endpoint_id: str) -> CacheEndpoint | None:
    try:
        pk = uuid.UUID(endpoint_id)
    except ValueError:
        return None
    return CacheEndpoint.objects.filter(pk=pk).only("shop_id", "key").first()
