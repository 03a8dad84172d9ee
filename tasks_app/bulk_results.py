"""Shopify bulk operation results as a task run sees them (spec/runtime.md §14.3 steps 1 and 4).

Which bulk operations a ``shopify`` action result started, and the ``bulkOperation`` variable
of a ``mechanic/shopify/bulk_operation`` task run: the BulkOperation plus its result file parsed.
Monitoring the operations until they end is the run engine's (``runs.bulk``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings

if TYPE_CHECKING:
    from events.models import Event

BULK_OPERATION_TOPIC = "mechanic/shopify/bulk_operation"
START_MUTATIONS = ("bulkOperationRunQuery", "bulkOperationRunMutation")


class BulkResultError(Exception):
    """The result file of a completed operation could not be read; fails the task run that needs it."""


def started_operations(result: Any) -> list[tuple[str, str]]:
    """``(gid, QUERY|MUTATION)`` for each bulk operation a Shopify action result started (§14.3 step 1).

    Only a non-null ``data.<bulkOperationRunQuery|bulkOperationRunMutation>.bulkOperation.id``
    counts; ``userErrors`` (e.g. Shopify's concurrency refusal) start nothing.
    """
    data = result.get("data") if isinstance(result, dict) else None
    if not isinstance(data, dict):
        return []
    started = []
    for name in START_MUTATIONS:
        payload = data.get(name)
        operation = payload.get("bulkOperation") if isinstance(payload, dict) else None
        if isinstance(operation, dict) and operation.get("id"):
            started.append((str(operation["id"]), "QUERY" if name == "bulkOperationRunQuery" else "MUTATION"))
    return started


def download_objects(url: str | None) -> list:
    """The JSONL result file at ``url`` parsed line by line (blank lines skipped); ``[]`` without a URL.

    Raises ``BulkResultError`` when the file cannot be fetched or a line is not JSON.
    """
    if not url:
        return []
    timeout = (settings.HUB_HTTP_CONNECT_TIMEOUT_S, settings.HUB_HTTP_READ_TIMEOUT_S)
    try:
        response = requests.get(url, timeout=timeout)
    except requests.RequestException as exc:
        raise BulkResultError(f"could not download the bulk operation result: {exc}") from exc
    if not response.ok:
        raise BulkResultError(f"could not download the bulk operation result: HTTP {response.status_code}")
    objects = []
    for number, line in enumerate(response.content.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            objects.append(json.loads(line))
        except ValueError as exc:
            raise BulkResultError(f"the bulk operation result line {number} is not JSON: {exc}") from exc
    return objects


def bulk_operation_data(event: Event) -> dict[str, Any]:
    """``bulkOperation`` for a ``mechanic/shopify/bulk_operation`` event: the BulkOperation + ``objects``.

    Failed operations get ``objects: []`` (their ``partialDataUrl`` is not
    loaded, spec/runtime.md §14.3 step 5). Raises ``BulkResultError``.
    """
    data = dict(event.data) if isinstance(event.data, dict) else {}
    url = data.get("url") if data.get("status") == "COMPLETED" else None
    data["objects"] = download_objects(url)
    return data
