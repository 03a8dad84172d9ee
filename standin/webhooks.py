"""Signed Shopify webhook deliveries from the stand-in to Hub (spec/platform.md §2.3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import requests


def sign(body: bytes, secret: str) -> str:
    """``X-Shopify-Hmac-Sha256``: base64(HMAC-SHA256(secret, body))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def delivery_headers(
    topic: str,
    body: bytes,
    *,
    shop_domain: str,
    secret: str,
    api_version: str = "2026-07",
    webhook_id: str | None = None,
    event_id: str | None = None,
) -> dict[str, str]:
    """The headers Shopify sends with a delivery of ``topic`` (``orders/create``) carrying ``body``."""
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
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
    """POST ``payload`` (JSON) to Hub's ``url`` as Shopify would deliver ``topic``; returns the response."""
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
