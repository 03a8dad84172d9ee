"""Small pieces the admin modules share."""

import json

from django.http import HttpResponse
from django.utils.html import format_html


def pretty_json(value) -> str:
    """Indented JSON inside a <pre>, for read-only admin fields."""
    return format_html(
        "<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False)
    )


def json_download(value, filename: str) -> HttpResponse:
    """A JSON attachment response."""
    response = HttpResponse(json.dumps(value, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
