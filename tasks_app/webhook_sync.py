"""Keeping each shop's Shopify webhook subscriptions in line with its enabled tasks
(spec/platform.md §2.2, registration lifecycle).

Exactly one subscription per (shop, topic) exists, delivering to ``HUB_BASE_URL/shopify/webhooks``,
while an enabled task's subscriptions name ``shopify/<topic>`` (with or without an offset), plus
the platform's own ``app/uninstalled`` and ``shop/update``; every other subscription to that
address is removed, and so are repeats. Custom webhooks, at their own addresses under
``/shopify/webhooks/custom/``, are synced by ``custom_webhook_sync``; subscriptions to other
addresses are left alone. ``sync_shop`` compares with Shopify's list and creates and deletes what
differs; it runs after a task is saved or deleted (on the queue), after an install, hourly for
every connected shop, and from ``python manage.py sync_webhooks``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from integrations.models import Shop
from integrations.shopify import ShopifyClient, ShopifyError
from integrations.shopify.webhooks import (
    WebhookSubscription,
    callback_url,
    create_subscription,
    delete_subscription,
    list_subscriptions,
    shopify_topic,
    topic_enum,
)
from tasks_app.custom_webhook_sync import CustomSync
from tasks_app.models import Task

logger = logging.getLogger("tasks_app.webhook_sync")

# Subscribed for every connected shop, whatever its tasks (spec/platform.md §2.2, decision).
PLATFORM_TOPICS = ("app/uninstalled", "shop/update")


@dataclass
class SyncReport:
    """What one sync of a shop did (or, dry, would do): topic enums created, deleted (repeats
    included) and kept; subscription lines that name no Shopify topic Hub can subscribe to; the
    error that stopped it."""

    shop: str
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    custom: list[str] = field(default_factory=list)
    error: str | None = None

    def lines(self, *, dry_run: bool = False) -> list[str]:
        """Human lines for the command's output: ``<shop>: created ORDERS_CREATE`` and so on."""
        if self.error is not None:
            return [f"{self.shop}: not synced: {self.error}"]
        create, delete = ("would create", "would delete") if dry_run else ("created", "deleted")
        parts = [
            f"{verb} {', '.join(topics)}"
            for verb, topics in ((create, self.created), (delete, self.deleted), ("kept", self.kept))
            if topics
        ]
        lines = [f"{self.shop}: {'; '.join(parts) or 'nothing subscribed'}"]
        lines += [f"{self.shop}: {line}" for line in self.custom]
        unknown = "not a Shopify webhook topic, not subscribed"
        lines += [f"{self.shop}: {unknown}: {line}" for line in self.unknown]
        return lines


def wanted_topics(shop: Shop) -> tuple[set[str], list[str]]:
    """The topic enums ``shop`` needs (its enabled tasks' ``shopify/...`` subscriptions and the
    platform topics), and the ``shopify/...`` lines that name no topic Hub can subscribe to
    (``"<topic> (task <name>)"``)."""
    wanted = {topic_enum(topic) for topic in PLATFORM_TOPICS}
    unknown: list[str] = []
    for task in Task.objects.filter(shop=shop, enabled=True).order_by("created_at"):
        for subscription in task.subscription_objects():
            if not subscription.topic.startswith("shopify/"):
                continue
            topic = shopify_topic(subscription.topic)
            if topic is None:
                unknown.append(f"{subscription.topic} (task {task.name!r})")
            else:
                wanted.add(topic_enum(topic))
    return wanted, unknown


def ours(subscriptions: Iterable[WebhookSubscription]) -> list[WebhookSubscription]:
    """The subscriptions that deliver to this Hub's callback address (with or without a final /)."""
    address = callback_url()
    return [item for item in subscriptions if item.uri.rstrip("/") == address and not item.filter]


def plan(
    wanted: set[str], existing: list[WebhookSubscription]
) -> tuple[list[str], list[WebhookSubscription], list[str]]:
    """``(topics to create, subscriptions to delete, topics kept)``: one subscription per wanted
    topic, the oldest kept; the rest deleted."""
    kept: dict[str, WebhookSubscription] = {}
    to_delete = []
    for item in existing:
        if item.topic in wanted and item.topic not in kept:
            kept[item.topic] = item
        else:
            to_delete.append(item)
    return sorted(wanted - set(kept)), to_delete, sorted(kept)


def sync_shop(shop: Shop, *, dry_run: bool = False) -> SyncReport:
    """Bring ``shop``'s subscriptions in line (see the module docstring); with ``dry_run`` only
    say what would change. Never raises for Shopify's refusals or a shop that is not connected:
    the report's ``error`` says why it stopped (what was done before stays done)."""
    report = SyncReport(shop=shop.myshopify_domain)
    if shop.uninstalled_at is not None or not shop.access_token:
        report.error = "the shop is not connected (uninstalled, or no access token)"
        return report
    wanted, report.unknown = wanted_topics(shop)
    client = ShopifyClient(shop)
    try:
        existing = list_subscriptions(client)
        to_create, to_delete, report.kept = plan(wanted, ours(existing))
        for topic in to_create:
            if not dry_run:
                create_subscription(client, topic, callback_url())
            report.created.append(topic)
        for item in to_delete:
            if not dry_run:
                delete_subscription(client, item)
            report.deleted.append(item.topic)
        CustomSync(shop, client, existing, dry_run, report.custom.append).run(native=wanted)
    except ShopifyError as exc:
        report.error = str(exc)
        logger.warning("webhook subscriptions of %s not synced: %s", shop, exc)
    if (report.created or report.deleted) and not dry_run:
        logger.info("webhook subscriptions: %s", "; ".join(report.lines()))
    return report


def connected_shops() -> list[Shop]:
    """Shops with the app installed and an access token."""
    shops = Shop.objects.filter(uninstalled_at__isnull=True).exclude(access_token="")
    return list(shops.order_by("myshopify_domain"))


def sync_all(*, dry_run: bool = False) -> list[SyncReport]:
    """Sync every connected shop (Django-Q2 runs it hourly); the reports."""
    return [sync_shop(shop, dry_run=dry_run) for shop in connected_shops()]


def sync_shop_by_id(shop_id: str) -> str:
    """Django-Q2 entry point after a task changed or a shop was installed: sync that shop; a
    short line for the log."""
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:
        return f"shop {shop_id} is gone"
    return "; ".join(sync_shop(shop).lines())
