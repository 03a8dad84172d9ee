"""Endpoints for signed-in staff and shop members: retry a run, cancel a queued event
(spec/runtime.md §9.2, §12).

Thin: each finds the row, calls the verb, and answers JSON; a refusal is ``409`` with the reason.
Platform staff may act on every shop's rows, a shop's members on that shop's (others get 404, as
for a row that does not exist; spec/platform.md §9.1).
"""

from uuid import UUID

from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.models import Event
from integrations.admin_scope import member_shop_ids, sees_all_shops
from runs import verbs


class ConsoleUser(BasePermission):
    """Platform staff, or a member of at least one shop."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (sees_all_shops(user) or member_shop_ids(user)))


def may_see(request: Request, shop_id: object) -> bool:
    """Whether the signed-in user may act on rows of shop ``shop_id``."""
    return sees_all_shops(request.user) or shop_id in member_shop_ids(request.user)


class StaffView(APIView):
    """Signed-in platform staff and shop members (session cookie and CSRF token, as the console
    sends them)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [ConsoleUser]


class RetryRunView(StaffView):
    """``POST /runs/<id>/retry``: retry an event, task or action run by hand."""

    def post(self, request: Request, run_id: UUID) -> Response:
        run = verbs.find_run(run_id)
        if run is None or not may_see(request, run.shop_id):
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
        if event is None or not may_see(request, event.shop_id):
            return Response({"error": f"no event {event_id}"}, status=404)
        try:
            run = verbs.cancel(event)
        except verbs.NotCancellable as exc:
            return Response({"error": str(exc), "id": str(event_id)}, status=409)
        return Response({"id": str(event.pk), "status": run.status, "error": run.error})
