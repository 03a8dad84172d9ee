"""Shopify Flow → Hub (spec/platform.md §6.6): the "Hub" Flow action calls ``POST /shopify/flow/action``
with Shopify's action request, signed like a webhook (``X-Shopify-Hmac-Sha256`` with the app secret).

The request: ``{"shopify_domain", "action_run_id", "properties": {"event_topic", "event_data",
"task_id"}, ...}`` (the property keys are the Flow action extension's field keys). The event: the
configured ``user/...`` topic; ``data`` the parsed Event data (empty → ``null``; invalid JSON does
not fail: ``{"__error": {"message", "invalid_event_data_json"}}``); ``flow_action_run_id`` from the
request; a Task ID targets that task only (``task_ids``; it must still subscribe to the topic).
"""

import json
import uuid
from typing import Any

from events.models import Event
from events.topics import WEBHOOK_TOPIC_RE
from integrations.models import Shop

SOURCE = "shopify_flow"
INVALID_JSON_MESSAGE = (
    "Shopify Flow sent this event with Event data that is not valid JSON. Fix the workflow's Hub "
    "action (the json Liquid filter makes Flow's template variables safe in JSON)."
)


class FlowActionError(ValueError):
    """A Flow action request Hub refuses; ``status`` is the answer, the text says what was wrong
    (Flow shows it in the workflow's run log)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def event_data(text: Any) -> Any:
    """The Event data field as event data: parsed JSON, ``None`` when empty, or the ``__error``
    object for text that is not JSON (§6.6)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str):  # Flow sends text; anything else is taken as the JSON it is
        return text
    try:
        return json.loads(text)
    except ValueError:
        return {"__error": {"message": INVALID_JSON_MESSAGE, "invalid_event_data_json": text}}


def _properties(request: Any) -> dict:
    if not isinstance(request, dict):
        raise FlowActionError("$: expected a JSON object (Shopify Flow's action request).")
    properties = request.get("properties")
    if not isinstance(properties, dict):
        raise FlowActionError("$.properties: expected an object with event_topic, event_data and task_id.")
    return properties


def _topic(properties: dict) -> str:
    topic = properties.get("event_topic")
    if not isinstance(topic, str) or not WEBHOOK_TOPIC_RE.fullmatch(topic.strip()):
        raise FlowActionError(
            f"$.properties.event_topic: {topic!r} is not a user topic (user/<subject>/<verb>, lower case)."
        )
    return topic.strip()


def _task_ids(shop: Shop, task_id: Any) -> list[str] | None:
    if task_id is None or (isinstance(task_id, str) and not task_id.strip()):
        return None
    try:
        task_uuid = uuid.UUID(str(task_id).strip())
    except ValueError:
        raise FlowActionError(f"$.properties.task_id: {task_id!r} is not a task id.") from None
    if not shop.tasks.filter(pk=task_uuid).exists():
        raise FlowActionError(f"$.properties.task_id: no task {task_uuid} in {shop.myshopify_domain}.")
    return [str(task_uuid)]


def receive(request: Any) -> Event:
    """The event of one verified Flow action request. Raises ``FlowActionError``: 400 naming the
    wrong part of the request, 404 when the shop is not installed here."""
    properties = _properties(request)
    topic = _topic(properties)
    domain = str(request.get("shopify_domain") or "").strip().lower()
    shop = Shop.objects.filter(myshopify_domain=domain, uninstalled_at__isnull=True).first()
    if shop is None:
        raise FlowActionError(
            f"$.shopify_domain: {domain or 'missing'} is not a shop installed here.", status=404
        )
    run_id = request.get("action_run_id")
    return Event.objects.ingest(
        shop,
        topic,
        event_data(properties.get("event_data")),
        source=SOURCE,
        flow_action_run_id=str(run_id) if run_id else None,
        task_ids=_task_ids(shop, properties.get("task_id")),
    )
