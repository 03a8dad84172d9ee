"""Serving the ``files`` action's generated files until they expire (spec/actions.md §5)."""

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from tasks_app.files import storage


@require_safe
def generated_file(request: HttpRequest, token: str, filename: str) -> FileResponse:
    """``GET /files/<token>/<filename>``: the file's bytes, or 404 once expired or unknown.

    Files hold task-generated content (HTML included), so they are sandboxed:
    a served page cannot run script in Hub's origin.
    """
    stored = storage.find(token, filename)
    if stored is None:
        raise Http404("No such file, or it has expired.")
    response = FileResponse(
        storage.open_content(stored), content_type=stored.mime_type, filename=stored.name, as_attachment=False
    )
    response["Content-Length"] = str(stored.size)
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
