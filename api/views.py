"""``/api/v1``: the task sync API (spec/platform.md §8.2, §8.3). Every answer is JSON; errors are
``{"error": {"message", "status"}}`` (``retry_after_seconds`` on 429, ``content_hash`` on 409)."""

import uuid
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from api import task_sync
from api.authentication import TokenAuthentication
from api.models import ApiToken
from api.throttles import AddressThrottle, TokenScopedThrottle, TokenThrottle
from integrations.models import Shop
from runs.activity import current
from runs.models import ActionRun, RunStatus, TaskRun
from tasks_app.models import Global, Secret, Task
from tasks_app.models.globals import secret_reference_counts

Json = OpenApiTypes.OBJECT
ERROR = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorBody", {"message": serializers.CharField(), "status": serializers.IntegerField()}
        )
    },
)


def error(message: str, code: int, **extra: Any) -> Response:
    return Response({"error": {"message": message, "status": code, **extra}}, status=code)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's answers in the API's error shape."""
    if isinstance(exc, task_sync.SyncError):
        return error(str(exc), exc.status, **exc.extra)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, APIException) else str(exc)
    message = detail if isinstance(detail, str) else _flatten(detail)
    wait = getattr(exc, "wait", None) if isinstance(exc, Throttled) else None
    extra = {"retry_after_seconds": int(wait or 1)} if isinstance(exc, Throttled) else {}
    response.data = {"error": {"message": str(message), "status": response.status_code, **extra}}
    return response


def _flatten(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)


class ApiView(APIView):
    """Base of the API views: bearer tokens, rate limits, the token's shop as ``self.shop``."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [AddressThrottle, TokenThrottle, TokenScopedThrottle]
    write_scope: str | None = None  # the throttle scope of POST/PUT/DELETE, when they have one
    read_scope: str | None = None

    def get_exception_handler(self) -> Callable[[Exception, dict], Response | None]:
        return exception_handler

    @property
    def throttle_scope(self) -> str | None:
        return self.read_scope if self.request.method in ("GET", "HEAD") else self.write_scope

    @property
    def shop(self) -> Shop:
        return self.request.user.shop  # type: ignore[union-attr]

    def task(self, task_id: str) -> Task:
        pk = _uuid(task_id)
        task = Task.objects.filter(pk=pk, shop=self.shop).first() if pk else None
        if task is None:
            raise task_sync.SyncError(f"No task {task_id} in this shop", status=404)
        return task


def _uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class AuthVerifyView(ApiView):
    """``GET /api/v1/auth/verify``: the token works (and, with ``X-Shop-Domain``, is that shop's)."""

    @extend_schema(
        parameters=[OpenApiParameter("X-Shop-Domain", str, OpenApiParameter.HEADER, required=False)],
        responses={
            200: inline_serializer(
                "Verified",
                {
                    "ok": serializers.BooleanField(),
                    "shop": serializers.DictField(),
                    "token": serializers.DictField(),
                },
            ),
            403: ERROR,
        },
    )
    def get(self, request: Request) -> Response:
        expected = request.headers.get("X-Shop-Domain", "").strip().lower()
        if expected and expected != self.shop.myshopify_domain:
            return error("This token does not belong to the shop named in X-Shop-Domain.", 403)
        token = cast(ApiToken, request.auth)
        return Response(
            {
                "ok": True,
                "shop": {"myshopify_domain": self.shop.myshopify_domain},
                "token": {"id": str(token.pk), "name": token.name, "hint": token.hint},
            }
        )


class ShopStatusView(ApiView):
    """``GET /api/v1/shop/status``: runs running and waiting, the queue lag, what waits most."""

    read_scope = "api_shop_status"

    @extend_schema(responses={200: Json}, operation_id="shop_status")
    def get(self, request: Request) -> Response:
        shops = Shop.objects.filter(pk=self.shop.pk)
        counts = current(shops)
        oldest = min(
            (
                row
                for model in (TaskRun, ActionRun)
                for row in [
                    model.objects.filter(shop__in=shops, status=RunStatus.DUE).aggregate(at=Min("run_at"))[
                        "at"
                    ]
                ]
                if row is not None
            ),
            default=None,
        )
        lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        waiting_tasks = (
            TaskRun.objects.filter(shop__in=shops, status=RunStatus.DUE)
            .values("task__name")
            .annotate(n=Count("pk"))
            .order_by("-n")[:5]
        )
        waiting_actions = (
            ActionRun.objects.filter(shop__in=shops, status=RunStatus.DUE)
            .values("action_type")
            .annotate(n=Count("pk"))
            .order_by("-n")[:5]
        )
        waiting_topics = (
            TaskRun.objects.filter(shop__in=shops, status=RunStatus.DUE)
            .values("event__topic")
            .annotate(n=Count("pk", filter=Q(status=RunStatus.DUE)))
            .order_by("-n")[:5]
        )
        return Response(
            {
                **counts,
                "queue_lag_seconds": round(lag, 3),
                "top_waiting_tasks": [
                    {"name": row["task__name"], "count": row["n"]} for row in waiting_tasks
                ],
                "top_waiting_actions": [
                    {"type": row["action_type"], "count": row["n"]} for row in waiting_actions
                ],
                "top_waiting_topics": [
                    {"topic": row["event__topic"], "count": row["n"]} for row in waiting_topics
                ],
            }
        )


class DeprecationsView(ApiView):
    """``GET /api/v1/shop/deprecations``: Hub records no Shopify deprecation notices yet, so the
    list is empty (the shape of §8.2)."""

    @extend_schema(
        parameters=[OpenApiParameter("task_id", str, required=False)],
        responses={200: Json},
        operation_id="shop_deprecations",
    )
    def get(self, request: Request) -> Response:
        return Response({"deprecations": [], "total_count": 0, "limit": 100, "truncated": False})


class TasksView(ApiView):
    """``GET /api/v1/tasks`` (list) and ``POST /api/v1/tasks`` (create, disabled; ``Idempotency-Key``)."""

    write_scope = "api_task_writes"

    @extend_schema(responses={200: Json}, operation_id="tasks_list")
    def get(self, request: Request) -> Response:
        tasks = Task.objects.filter(shop=self.shop).order_by("name", "created_at")
        return Response({"tasks": [task_sync.summary(task) for task in tasks]})

    @extend_schema(
        request=Json,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        responses={200: Json, 201: Json, 400: ERROR, 409: ERROR},
        operation_id="tasks_create",
    )
    def post(self, request: Request) -> Response:
        task, created = task_sync.create(self.shop, request.data, request.headers.get("Idempotency-Key"))
        return Response(
            task_sync.envelope(task), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class TaskView(ApiView):
    """``GET /api/v1/tasks/<id>`` (envelope) and ``PUT`` (guarded content update)."""

    write_scope = "api_task_writes"

    @extend_schema(responses={200: Json, 404: ERROR}, operation_id="tasks_get")
    def get(self, request: Request, task_id: str) -> Response:
        return Response(task_sync.envelope(self.task(task_id)))

    @extend_schema(
        request=Json, responses={200: Json, 400: ERROR, 404: ERROR, 409: ERROR}, operation_id="tasks_update"
    )
    def put(self, request: Request, task_id: str) -> Response:
        return Response(task_sync.envelope(task_sync.update(self.task(task_id), request.data)))


class PreviewView(ApiView):
    """``POST /api/v1/tasks/preview``: preview unsaved task content (``{"task": <export>}``), storing
    nothing."""

    write_scope = "api_previews"

    @extend_schema(request=Json, responses={200: Json, 400: ERROR}, operation_id="tasks_preview")
    def post(self, request: Request) -> Response:
        return Response(task_sync.preview(self.shop, task_sync.task_body(request.data)))


class TaskPreviewView(ApiView):
    """``POST /api/v1/tasks/<id>/preview``: draft content (``{"task": {...}}``, any fields) over the
    saved task; an empty body previews the task as saved. Nothing is stored."""

    write_scope = "api_previews"

    @extend_schema(
        request=Json, responses={200: Json, 400: ERROR, 404: ERROR}, operation_id="tasks_preview_saved"
    )
    def post(self, request: Request, task_id: str) -> Response:
        saved = self.task(task_id).export_data()
        draft = request.data.get("task") if isinstance(request.data, dict) else None
        return Response(
            task_sync.preview(self.shop, {**saved, **draft} if isinstance(draft, dict) else saved)
        )


class GlobalsView(ApiView):
    """``GET /api/v1/globals``: every global with its value."""

    @extend_schema(responses={200: Json}, operation_id="globals_list")
    def get(self, request: Request) -> Response:
        rows = Global.objects.filter(shop=self.shop).order_by("key")
        return Response(
            {
                "globals": [
                    {"key": row.key, "value": row.value, "updated_at": row.updated_at.isoformat()}
                    for row in rows
                ]
            }
        )


class GlobalView(ApiView):
    """``PUT /api/v1/globals/<key>`` (``{"global": {"value": <JSON>}}``) and ``DELETE``."""

    write_scope = "api_task_writes"

    @extend_schema(request=Json, responses={200: Json, 400: ERROR}, operation_id="globals_put")
    def put(self, request: Request, key: str) -> Response:
        body = request.data.get("global") if isinstance(request.data, dict) else None
        if not isinstance(body, dict) or "value" not in body:
            raise task_sync.SyncError('$.global.value: required ({"global": {"value": <JSON>}})')
        row = Global(shop=self.shop, key=key, value=body["value"])
        existing = Global.objects.filter(shop=self.shop, key=key).first()
        if existing is not None:
            row = existing
            row.value = body["value"]
        _full_clean(row, "key")
        row.save()
        return Response({"key": row.key, "value": row.value, "updated_at": row.updated_at.isoformat()})

    @extend_schema(responses={204: None, 404: ERROR}, operation_id="globals_delete")
    def delete(self, request: Request, key: str) -> Response:
        return _delete_keyed(Global, self.shop, key, "global")


class SecretsView(ApiView):
    """``GET /api/v1/secrets``: metadata only, never values."""

    @extend_schema(responses={200: Json}, operation_id="secrets_list")
    def get(self, request: Request) -> Response:
        rows = list(Secret.objects.filter(shop=self.shop).order_by("key"))
        counts = secret_reference_counts(self.shop, [row.key for row in rows])
        return Response(
            {
                "secrets": [
                    {
                        "key": row.key,
                        "value_present": bool(row.encrypted_value),
                        "approximate_task_reference_count": counts.get(row.key, 0),
                        "created_at": row.created_at.isoformat(),
                        "updated_at": row.updated_at.isoformat(),
                    }
                    for row in rows
                ]
            }
        )


class SecretView(ApiView):
    """``PUT /api/v1/secrets/<key>`` (``{"secret": {"value": "<string>"}}``) and ``DELETE``."""

    write_scope = "api_task_writes"

    @extend_schema(request=Json, responses={200: Json, 400: ERROR}, operation_id="secrets_put")
    def put(self, request: Request, key: str) -> Response:
        body = request.data.get("secret") if isinstance(request.data, dict) else None
        value = body.get("value") if isinstance(body, dict) else None
        if not isinstance(value, str):
            raise task_sync.SyncError('$.secret.value: expected a string ({"secret": {"value": "<string>"}})')
        row = Secret.objects.filter(shop=self.shop, key=key).first() or Secret(shop=self.shop, key=key)
        _full_clean(row, "key")
        row.set_value(value)
        row.save()
        return Response({"key": row.key, "value_present": True, "updated_at": row.updated_at.isoformat()})

    @extend_schema(responses={204: None, 404: ERROR}, operation_id="secrets_delete")
    def delete(self, request: Request, key: str) -> Response:
        return _delete_keyed(Secret, self.shop, key, "secret")


def _delete_keyed(model: Any, shop: Shop, key: str, noun: str) -> Response:
    """``204`` once the shop's row of ``model`` with ``key`` is deleted; a 404 ``SyncError`` when
    there is none."""
    deleted, _ = model.objects.filter(shop=shop, key=key).delete()
    if not deleted:
        raise task_sync.SyncError(f"No {noun} {key!r} in this shop", status=404)
    return Response(status=status.HTTP_204_NO_CONTENT)


def _full_clean(row: Any, field: str) -> None:
    try:
        row.full_clean(exclude=[f.name for f in row._meta.fields if f.name != field], validate_unique=False)
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        raise task_sync.SyncError(
            "; ".join(f"{key}: {' '.join(text)}" for key, text in messages.items())
        ) from None
