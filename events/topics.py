"""Topics and subscription lines (spec/runtime.md §2.2, §2.3, §2.5, §3.1)."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from dateutil.relativedelta import relativedelta

TOPIC_RE = re.compile(r"[a-z0-9_]+/[a-z0-9_]+/[a-z0-9_]+")
WEBHOOK_TOPIC_RE = re.compile(r"user/[a-z0-9_]+/[a-z0-9_]+")
SUBSCRIPTION_RE = re.compile(
    r"(?P<topic>[a-z0-9_]+/[a-z0-9_]+/[a-z0-9_]+)"
    r"(?:\+(?P<amount>\d+)\.(?P<unit>seconds?|minutes?|hours?|days?|weeks?|months?|years?))?"
)

SCHEDULER_TOPICS = (
    "mechanic/scheduler/10min",
    "mechanic/scheduler/15min",
    "mechanic/scheduler/20min",
    "mechanic/scheduler/30min",
    "mechanic/scheduler/hourly",
    "mechanic/scheduler/daily",
    "mechanic/scheduler/monday",
    "mechanic/scheduler/tuesday",
    "mechanic/scheduler/wednesday",
    "mechanic/scheduler/thursday",
    "mechanic/scheduler/friday",
    "mechanic/scheduler/saturday",
    "mechanic/scheduler/sunday",
    "mechanic/scheduler/monthly",
)

# Irregular singulars of Shopify subjects (spec/runtime.md §2.5); others drop a trailing "s".
_SINGULARS = {
    "orders": "order",
    "customers": "customer",
    "products": "product",
    "draft_orders": "draft_order",
    "collections": "collection",
    "fulfillments": "fulfillment",
    "fulfillment_events": "fulfillment_event",
    "inventory_levels": "inventory_level",
    "inventory_items": "inventory_item",
    "refunds": "refund",
    "disputes": "dispute",
    "themes": "theme",
    "locations": "location",
    "discounts": "discount",
    "returns": "return",
    "variants": "variant",
    "checkouts": "checkout",
    "carts": "cart",
    "customers_email_marketing_consent": "customer",
    "customers_marketing_consent": "customer",
    "order_transactions": "order_transaction",
    "tender_transactions": "tender_transaction",
    "fulfillment_orders": "fulfillment_order",
    "shop": "shop",
}

_MECHANIC_USER_RESOURCES = {
    "order",
    "orders",
    "customer",
    "customers",
    "draft_order",
    "draft_orders",
    "product",
    "products",
    "variant",
    "variants",
    "collection",
}


class SubscriptionError(ValueError):
    """A subscription line that does not follow the grammar of spec/runtime.md §3.1."""


@dataclass(frozen=True)
class Subscription:
    """One parsed subscription line: a topic and an optional delay."""

    topic: str
    amount: int = 0
    unit: str = ""

    @property
    def line(self) -> str:
        """The line as written back: ``topic`` or ``topic+N.unit``."""
        return f"{self.topic}+{self.amount}.{self.unit}" if self.unit else self.topic

    def run_at(self, start: datetime, tzinfo: tzinfo | None = None) -> datetime:
        """The instant a task run for this subscription is due, ``start`` plus the offset.

        Months and years step on the calendar in ``tzinfo`` (the shop's zone),
        clamping to month ends; other units are fixed durations (spec/runtime.md §3.3).
        """
        if not self.unit or self.amount == 0:
            return start
        unit = self.unit.rstrip("s")
        if unit in ("month", "year"):
            local = start.astimezone(tzinfo) if tzinfo else start
            step = relativedelta(months=self.amount) if unit == "month" else relativedelta(years=self.amount)
            return local + step
        return start + timedelta(**{f"{unit}s": self.amount})


def parse_subscription(line: str) -> Subscription:
    """Parse one subscription line; raises ``SubscriptionError`` naming the line."""
    text = line.strip()
    match = SUBSCRIPTION_RE.fullmatch(text)
    if not match:
        raise SubscriptionError(f"invalid subscription {text!r}: expected domain/subject/verb[+N.unit]")
    topic = match["topic"]
    domain = topic.split("/", 1)[0]
    if domain == "mechanic" and topic.startswith("mechanic/scheduler/") and topic not in SCHEDULER_TOPICS:
        raise SubscriptionError(f"invalid subscription {text!r}: unknown scheduler topic")
    amount = int(match["amount"]) if match["amount"] else 0
    return Subscription(topic=topic, amount=amount, unit=match["unit"] or "")


def parse_subscriptions(text: str) -> list[Subscription]:
    """Parse rendered subscription text: one line each, blanks dropped, duplicates removed."""
    seen: dict[str, Subscription] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            sub = parse_subscription(line)
        except SubscriptionError as exc:
            raise SubscriptionError(f"line {number}: {exc}") from None
        seen.setdefault(sub.line, sub)
    return list(seen.values())


def strip_offset(line: str) -> str:
    """The topic of a subscription line, without its ``+N.unit`` offset."""
    return line.split("+", 1)[0].strip()


def subject_variable(topic: str, shopify_topic: str | None = None) -> str | None:
    """The name of the extra Liquid variable a topic brings (spec/runtime.md §2.5), or None."""
    parts = topic.split("/")
    if len(parts) != 3:
        return None
    domain, subject, _verb = parts
    if domain == "shopify":
        return _SINGULARS.get(subject) or (subject[:-1] if subject.endswith("s") else subject)
    if domain == "user" and shopify_topic:
        return subject_variable(shopify_topic)
    if domain == "mechanic":
        if subject == "user" and _verb in _MECHANIC_USER_RESOURCES:
            return _verb
        if subject == "user" and _verb == "form":
            return "input"
        if subject == "actions" and _verb == "perform":
            return "action"
        if subject == "shopify" and _verb == "bulk_operation":
            return "bulkOperation"
        if subject == "emails" and _verb == "received":
            return "email"
        if subject == "errors":
            return "error"
    if domain == "judgeme" and subject == "review":
        return "review"
    return None
