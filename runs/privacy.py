"""Shopify's privacy requests: what Hub does with ``shop/redact``, ``customers/redact`` and
``customers/data_request`` (spec/platform.md §2.2, §10.1 decision).

The ingress records each verified delivery as a ``PrivacyRequest`` (for installed, uninstalled
and unknown shops alike) and the engine handles it after commit, on the queue (``handle``);
requests whose handling failed or whose message was lost are taken again by an hourly
schedule (``handle_waiting``).

- ``shop/redact`` (Shopify sends it 48 hours after an uninstall): the shop and everything Hub
  holds for it are deleted. A shop that has the app installed again is left alone.
- ``customers/redact``: the shop's events that name the customer are deleted with their runs.
- ``customers/data_request``: the same events, with their runs, are sent as a JSON attachment to
  the shop's contact email (the Shop resource's ``email``), who answers the customer.

An event names the customer (best effort across its JSON, ``Customer.named_in``) when its data,
or the result or options of one of its runs, holds the customer's id under ``customer`` or
``customer_id``, one of the listed orders under ``order_id``, the customer's GraphQL id, their
email (any case) or phone number (digits), or when it is a ``shopify/customers/*`` event about
them or a ``shopify/orders/*`` event about one of the orders Shopify listed.

Once handled, a request keeps only ids (shop, customer, orders, data request), never the
customer's email or phone.
"""

from __future__ import annotations

import json
import logging
import re
import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Prefetch
from django.utils import timezone

from events.models import Event, PrivacyRequest, PrivacyTopic
from integrations.models import Shop
from runs.models import ActionRun, TaskRun
from runs.retention import BATCH, delete_events

logger = logging.getLogger("runs.privacy")

# A request not handled this long after it arrived is taken by the hourly schedule.
WAITING = timedelta(minutes=10)
# Phone numbers compare on their digits, when a string has at least this many.
PHONE_DIGITS = 7
PHONE_TEXT = re.compile(r"^\+?[\d\s().-]+$")


class PrivacyError(Exception):
    """A privacy request cannot be handled now (recorded on the request, tried again hourly)."""


@dataclass(frozen=True)
class Customer:
    """Who a customer privacy request is about: Shopify's numeric id (as text), email (lower
    case), phone digits and the ids of the orders Shopify listed (as text)."""

    id: str
    email: str
    phone: str
    orders: frozenset[str]

    @classmethod
    def of(cls, payload: dict[str, Any]) -> Customer:
        """The customer a ``customers/*`` request payload names."""
        named = payload.get("customer")
        customer: dict[str, Any] = named if isinstance(named, dict) else {}
        orders = payload.get("orders_to_redact") or payload.get("orders_requested") or []
        return cls(
            id=str(customer.get("id") or ""),
            email=str(customer.get("email") or "").strip().lower(),
            phone=re.sub(r"\D", "", str(customer.get("phone") or "")),
            orders=frozenset(str(order) for order in orders if isinstance(order, int | str)),
        )

    def is_customer(self, value: Any) -> bool:
        """``value`` is this customer's id or GraphQL id."""
        text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        return bool(self.id) and text in (self.id, f"gid://shopify/Customer/{self.id}")

    def is_order(self, value: Any) -> bool:
        """``value`` is the id or GraphQL id of one of the listed orders."""
        text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        return text in self.orders or text.removeprefix("gid://shopify/Order/") in self.orders

    def is_contact(self, text: str) -> bool:
        """``text`` is this customer's email, phone number or GraphQL id."""
        text = text.strip()
        if self.email and text.lower() == self.email:
            return True
        if self.phone and len(self.phone) >= PHONE_DIGITS and PHONE_TEXT.match(text):
            return re.sub(r"\D", "", text) == self.phone
        return self.is_customer(text)

    def named_in(self, data: Any, topic: str = "") -> bool:
        """Whether JSON ``data`` (of an event of ``topic``, or a run's result or options) names
        this customer (see the module docstring)."""
        subject_id = data.get("id") if isinstance(data, dict) else None
        if topic.startswith("shopify/customers/") and self.is_customer(subject_id):
            return True
        if topic.startswith("shopify/orders/") and self.is_order(subject_id):
            return True
        return any(self._names(key, value) for key, value in walk(data))

    def _names(self, key: str | None, value: Any) -> bool:
        if key == "customer" and isinstance(value, dict) and self.is_customer(value.get("id")):
            return True
        if key == "customer_id" and self.is_customer(value):
            return True
        if key == "order_id" and self.is_order(value):
            return True
        return isinstance(value, str) and self.is_contact(value)


def walk(data: Any) -> Iterator[tuple[str | None, Any]]:
    """Every ``(key, value)`` in JSON ``data``, depth first (``key`` None for list items and the
    top), without recursion (event data may nest deeply)."""
    stack: list[tuple[str | None, Any]] = [(None, data)]
    while stack:
        key, value = stack.pop()
        yield key, value
        if isinstance(value, dict):
            stack.extend((str(name), item) for name, item in value.items())
        elif isinstance(value, list):
            stack.extend((None, item) for item in value)


def events_naming(shop: Shop, customer: Customer) -> list[UUID]:
    """Ids of ``shop``'s events that name ``customer`` in their data or in a run's result or
    options, oldest first."""
    found: dict[UUID, None] = {}
    events = Event.objects.filter(shop=shop).order_by("created_at").values_list("pk", "topic", "data")
    for pk, topic, data in events.iterator(chunk_size=BATCH):
        if customer.named_in(data, topic):
            found[pk] = None
    task_runs = TaskRun.objects.filter(shop=shop).values_list("event_id", "result")
    for event_id, result in task_runs.iterator(chunk_size=BATCH):
        if event_id not in found and customer.named_in(result):
            found[event_id] = None
    action_runs = ActionRun.objects.filter(shop=shop).values_list("task_run__event_id", "options", "result")
    for event_id, options, result in action_runs.iterator(chunk_size=BATCH):
        if event_id not in found and (customer.named_in(options) or customer.named_in(result)):
            found[event_id] = None
    return list(found)


def delete_in_batches(event_ids: list[UUID]) -> int:
    """Delete these events with their runs, ``BATCH`` at a time; returns how many."""
    return sum(delete_events(event_ids[start : start + BATCH]) for start in range(0, len(event_ids), BATCH))


# --- the three requests ---------------------------------------------------------------------


def redact_shop(request: PrivacyRequest) -> str:
    """``shop/redact``: delete the shop and all it holds, unless it has the app installed."""
    shop = request.shop
    if shop is None:
        return "Nothing held: Hub has no shop of this domain."
    if shop.uninstalled_at is None:
        return "Nothing deleted: the shop has the app installed again."
    events = list(Event.objects.filter(shop=shop).values_list("pk", flat=True))
    deleted = delete_in_batches(events)
    tasks = shop.tasks.count()
    shop.delete()  # the request's own link goes empty with it (SET_NULL)
    request.shop = None
    return f"Deleted the shop and everything Hub held for it: {deleted} event(s), {tasks} task(s)."


def redact_customer(request: PrivacyRequest) -> str:
    """``customers/redact``: delete the shop's events that name the customer, with their runs."""
    if request.shop is None:
        return "Nothing held: Hub has no shop of this domain."
    customer = Customer.of(request.payload)
    deleted = delete_in_batches(events_naming(request.shop, customer))
    return f"Deleted {deleted} event(s) naming customer {customer.id}, with their runs."


def export_customer(request: PrivacyRequest) -> str:
    """``customers/data_request``: email the shop's contact a JSON export of the events that name
    the customer, with their runs. Raises ``PrivacyError`` when the shop has no contact email."""
    shop = request.shop
    if shop is None:
        return "Nothing held: Hub has no shop of this domain; no export sent."
    contact = str((shop.data or {}).get("email") or "").strip()
    if not contact:
        raise PrivacyError(f"shop {shop.myshopify_domain} has no contact email (Shop resource 'email')")
    customer = Customer.of(request.payload)
    task_runs = Prefetch("task_runs", TaskRun.objects.select_related("task").order_by("created_at"))
    events = (
        Event.objects.filter(pk__in=events_naming(shop, customer))
        .order_by("created_at")
        .prefetch_related(task_runs, "task_runs__action_runs")
    )
    exported = [event_export(event) for event in events]
    export = {
        "shop": shop.myshopify_domain,
        "customer_id": customer.id,
        "data_request_id": (request.payload.get("data_request") or {}).get("id"),
        "generated_at": timezone.now().isoformat(),
        "events": exported,
    }
    send_export(request, contact, export)
    return f"Sent {len(exported)} event(s) naming customer {customer.id} to {contact}."


def event_export(event: Event) -> dict[str, Any]:
    """One event as the data-request export shows it: its data and its task and action runs
    (prefetched by ``export_customer``)."""
    task_runs = event.task_runs.all()
    return {
        "id": str(event.pk),
        "topic": event.topic,
        "created_at": event.created_at.isoformat(),
        "data": event.data,
        "task_runs": [
            {
                "id": str(task_run.pk),
                "task": task_run.task.name if task_run.task else None,
                "status": task_run.status,
                "result": task_run.result,
                "action_runs": [
                    {
                        "id": str(run.pk),
                        "type": run.action_type,
                        "status": run.status,
                        "options": run.options,
                        "result": run.result,
                    }
                    for run in sorted(task_run.action_runs.all(), key=lambda run: run.position)
                ],  # fmt: skip
            }
            for task_run in task_runs
        ],
    }


def send_export(request: PrivacyRequest, contact: str, export: dict[str, Any]) -> None:
    """Email ``export`` to ``contact`` as ``customer-<id>-data.json``."""
    customer_id, count = export["customer_id"], len(export["events"])
    message = EmailMessage(
        subject=f"Customer data request for {request.shop_domain} (customer {customer_id})",
        body=(
            f"Shopify asked, for customer {customer_id}, what this store's Hub holds about them "
            f"(data request {export['data_request_id']}). The attached JSON holds the {count} "
            "event(s) that name the customer, with their task and action runs. Hub holds nothing "
            "else about customers. Answer the customer as your privacy policy says.\n"
        ),
        from_email=f"hub@{settings.HUB_MAIL_DOMAIN}",
        to=[contact],
    )
    body = json.dumps(export, indent=2, default=str)
    message.attach(f"customer-{customer_id}-data.json", body, "application/json")
    message.send()


HANDLERS: dict[str, Callable[[PrivacyRequest], str]] = {
    PrivacyTopic.SHOP_REDACT: redact_shop,
    PrivacyTopic.CUSTOMERS_REDACT: redact_customer,
    PrivacyTopic.CUSTOMERS_DATA_REQUEST: export_customer,
}


def minimal(payload: dict[str, Any]) -> dict[str, Any]:
    """The ids of a request payload, what a handled request keeps."""
    kept = {key: payload[key] for key in ("shop_id", "shop_domain", "orders_to_redact", "orders_requested")
            if key in payload}  # fmt: skip
    customer = payload.get("customer")
    if isinstance(customer, dict):
        kept["customer"] = {"id": customer.get("id")}
    data_request = payload.get("data_request")
    if isinstance(data_request, dict):
        kept["data_request"] = {"id": data_request.get("id")}
    return kept


def handle(request_id: str | UUID) -> str:
    """Handle one privacy request unless it was handled already (Django-Q2 entry point too);
    returns its outcome. A failure is recorded in ``error`` and the request tried again hourly."""
    request = PrivacyRequest.objects.select_related("shop").filter(pk=request_id, handled_at=None).first()
    if request is None:
        return "already handled"
    try:
        outcome = HANDLERS[request.topic](request)
    except (PrivacyError, smtplib.SMTPException, OSError) as exc:
        request.error = str(exc)
        request.save(update_fields=["error"])
        logger.warning("%s for %s not handled: %s", request.topic, request.shop_domain, exc)
        return f"not handled: {exc}"
    request.outcome, request.error, request.handled_at = outcome, None, timezone.now()
    request.payload = minimal(request.payload)
    request.save(update_fields=["outcome", "error", "handled_at", "payload"])
    logger.info("%s for %s: %s", request.topic, request.shop_domain, outcome)
    return outcome


def handle_waiting(now: datetime | None = None) -> int:
    """Handle the requests still waiting ``WAITING`` after they arrived (a failure, a lost
    message); a Django-Q2 schedule calls it hourly. Returns how many it tried."""
    cutoff = (now or timezone.now()) - WAITING
    waiting = PrivacyRequest.objects.filter(handled_at=None, received_at__lt=cutoff).order_by("received_at")
    return sum(handle(pk) != "already handled" for pk in list(waiting.values_list("pk", flat=True)))
