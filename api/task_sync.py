"""Tasks through the sync API (spec/platform.md §8.2): envelopes with a content hash, idempotent
creation, guarded updates and previews that change nothing."""

import hashlib
import json
import uuid
from typing import Any

from django.db import transaction

from integrations.models import Shop
from tasks_app.importer import TaskImportError, prepare_task
from tasks_app.models import Task
from tasks_app.preview import preview_task_definition


class SyncError(Exception):
    """A request the API refuses: ``status`` and the message to answer with (``extra`` fields too)."""

    def __init__(self, message: str, status: int = 400, **extra: Any):
        super().__init__(message)
        self.status = status
        self.extra = extra


def content_hash(export: dict) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of an app-mode export (§8.2)."""
    canonical = json.dumps(export, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def summary(task: Task) -> dict:
    """``{"id", "name", "enabled", "shopify_api_version", "content_hash", "updated_at"}``."""
    return {
        "id": str(task.pk),
        "name": task.name,
        "enabled": task.enabled,
        "shopify_api_version": task.shopify_api_version,
        "content_hash": content_hash(task.export_data()),
        "updated_at": task.updated_at.isoformat(),
    }


def envelope(task: Task) -> dict:
    """The task sync envelope: the summary and ``task``, the app-mode export (§7.1)."""
    return {**summary(task), "task": task.export_data()}


def task_body(body: Any) -> dict:
    """The ``task`` object of a request body; raises ``SyncError`` naming what is missing."""
    if not isinstance(body, dict) or not isinstance(body.get("task"), dict):
        raise SyncError("$.task: expected the task export object")
    return body["task"]


def prepared_fields(shop: Shop, export: dict) -> dict:
    """The fields Hub stores for ``export``, checked as an import checks them (``SyncError`` 400
    naming the JSON path under ``$.task``)."""
    try:
        return prepare_task(
            export,
            path="$.task",
            shop_data=shop.liquid_data(),
            timezone=shop.timezone_name,
            source_name="request",
        ).fields
    except TaskImportError as exc:
        raise SyncError(f"{exc.path}: {exc.reason}") from None


def create(shop: Shop, body: Any, idempotency_key: str | None) -> tuple[Task, bool]:
    """A new, disabled task from ``body["task"]``; ``(task, created)``. An ``Idempotency-Key`` (a
    UUID) becomes the task's id, and repeating it returns the task it made (never matched by name)."""
    task_id = None
    if idempotency_key:
        try:
            task_id = uuid.UUID(idempotency_key.strip())
        except ValueError:
            raise SyncError("Idempotency-Key: expected a UUID") from None
        existing = Task.objects.filter(pk=task_id).first()
        if existing is not None:
            if existing.shop_id != shop.pk:
                raise SyncError("Idempotency-Key: already used", status=409)
            return existing, False
    fields = prepared_fields(shop, task_body(body))
    task = Task(shop=shop, **fields, enabled=False)
    if task_id is not None:
        task.pk = task_id
    task.save(force_insert=True)
    return task, True


def update(task: Task, body: Any) -> Task:
    """Replace the task's content (never its enabled state) with ``body["task"]``, guarded by
    ``previous_content_hash`` or ``force`` (§8.2): neither → 400, a stale hash → 409."""
    export = task_body(body)
    previous, force = body.get("previous_content_hash"), body.get("force") is True
    if not previous and not force:
        raise SyncError("$.previous_content_hash: required (the content_hash last read), or force: true")
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        current = content_hash(locked.export_data())
        if not force and previous != current:
            raise SyncError(
                "The task changed since that content_hash was read: pull it again, or publish with force",
                status=409,
                content_hash=current,
            )
        for name, value in prepared_fields(locked.shop, export).items():
            setattr(locked, name, value)
        locked.save()
    return locked


def preview(shop: Shop, export: dict) -> dict:
    """Preview an export without storing anything: ``{"ok", "results", "permissions"}``, or a
    ``SyncError`` for an export that does not validate."""
    prepared_fields(shop, export)  # the same checks as a save
    results = preview_task_definition(export, shop=shop)
    records = [
        {key: value for key, value in result.json_record().items() if key != "file"} for result in results
    ]
    return {
        "ok": all(record["ok"] for record in records),
        "results": records,
        "permissions": results[0].permissions if results else [],
    }
