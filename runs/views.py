"""Endpoints for signed-in staff: retry a run, cancel a queued event (spec/runtime.md §9.2, §12).

Thin: each finds the row, calls the verb, and answers JSON; a refusal is ``409`` with the reason.
"""

from uuid import UUID

from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.models import Event
from runs import verbs


class StaffView(APIView):
    """Signed-in staff only (session cookie and CSRF token, as the console sends them)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAdminUser]


class RetryRunView(StaffView):
    """``POST /runs/<id>/retry``: retry an event, task or action run by hand."""

    def post(self, request: Request, run_id: UUID) -> Response:
        run = verbs.find_run(run_id)
        if run is None:
            return Response({"error": f"no run {run_id}"}, status=404)
        try:
            run = verbs.retry(run)
        except verbs.NotRetryable as exc:
            return Response({"error": str(exc), "id": str(run_id), "kind": run.kind}, status=409)
        return Response({"id": str(run.pk), "kind": run.kind, "status": run.status})


class CancelEventView(StaffView):
    """``POST /events/<id>/cancel``: cancel an event while its run is queued."""

    def post(self, request: Request, event_id: UUID) -> Response:
        event = Event.objects.filter(pk=event_id).first()
        if event is None:
            return Response({"error": f"no event {event_id}"}, status=404)
        try:
            run = verbs.cancel(event)
        except verbs.NotCancellable as exc:
            return Response({"error": str(exc), "id": str(event_id)}, status=409)
        return Response({"id": str(event.pk), "status": run.status, "error": run.error})
