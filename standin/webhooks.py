"""Signed Shopify webhook deliveries from the stand-in to Hub (spec/platform.md §2.3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests


def sign(body: bytes, secret: str) -> str:
    """``X-Shopify-Hmac-Sha256``: base64(HMAC-SHA256(secret, body))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class DeliveryIds:
    """``X-Shopify-Webhook-Id`` and ``X-Shopify-Event-Id`` of one delivery; fresh UUIDs unless given.

    A receiver knows a retried delivery by its webhook id, and one event delivered to several
    subscriptions by its event id: pass the same ids again to replay a delivery.
    """

    webhook_id: str = field(default_factory=_new_id)
    event_id: str = field(default_factory=_new_id)


def delivery_headers(
    topic: str,
    body: bytes,
    *,
    shop_domain: str,
    secret: str,
    api_version: str = "2026-07",
    ids: DeliveryIds | None = None,
) -> dict[str, str]:
    """The headers Shopify sends with a delivery of ``topic`` (``orders/create``) carrying ``body``.

    ``body`` is signed with ``secret`` (``sign``); ``ids`` default to fresh ``DeliveryIds``.
    """
    ids = ids or DeliveryIds()
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Webhook-Id": ids.webhook_id,
        "X-Shopify-Event-Id": ids.event_id,
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }


def deliver_webhook(
    url: str,
    topic: str,
    payload: Any,
    *,
    shop_domain: str,
    secret: str,
    timeout: float = 10.0,
    **header_options: Any,
) -> requests.Response:
    """POST ``payload`` (JSON) to Hub's ``url`` as Shopify would deliver ``topic``; returns the response.

    ``header_options`` (``api_version``, ``ids``) go to ``delivery_headers``; ``timeout`` is in
    seconds; ``requests`` exceptions propagate.
    """
    body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    headers = delivery_headers(topic, body, shop_domain=shop_domain, secret=secret, **header_options)
    return requests.post(url, data=body, headers=headers, timeout=timeout)


def bulk_finish_payload(operation: dict) -> dict:
    """The ``bulk_operations/finish`` webhook body for a stand-in bulk operation record."""
    return {
        "admin_graphql_api_id": operation["id"],
        "completed_at": operation.get("completedAt"),
        "created_at": operation.get("createdAt"),
        "error_code": operation["errorCode"].lower() if operation.get("errorCode") else None,
        "status": operation["status"].lower(),
        "type": operation["type"].lower(),
    }
