"""Keeping a shop's custom Shopify webhooks subscribed while they should be, and their status
(spec/platform.md §2.4, sync lifecycle).

A custom webhook is subscribed (at ``HUB_BASE_URL/shopify/webhooks/custom/<id>``) only while it is
enabled and an enabled task subscribes to its ``event_topic``; otherwise, or when its empty filter
would conflict with a native subscription of the same topic, or when the shop has not granted
the topic's scope, it is not, and its status says why. A subscription whose topic or payload
options no longer match the webhook is replaced. ``webhook_sync.sync_shop`` calls ``sync_custom``
with the list of the shop's subscriptions it has just read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from events.models import CustomWebhook, CustomWebhookStatus
from integrations.models import Shop, ShopConnection
from integrations.shopify import ShopifyClient, ShopifyError
from integrations.shopify.webhooks import (
    Payload,
    WebhookSubscription,
    callback_url,
    create_subscription,
    delete_subscription,
    topic_enum,
)
from tasks_app.models import Task
from tasks_app.permissions import topic_scopes


def custom_address(webhook_id: object) -> str:
    """Where Shopify delivers a custom webhook's events."""
    return f"{callback_url()}/custom/{webhook_id}"


def payload_of(webhook: CustomWebhook) -> Payload:
    """The filter and trimming a webhook asks Shopify for."""
    return Payload(
        filter=webhook.filter.strip() or None,
        include_fields=tuple(webhook.include_fields),
        metafield_namespaces=tuple(webhook.metafield_namespaces),
        metafields=tuple(webhook.metafields),
    )


def subscribed_event_topics(shop: Shop) -> set[str]:
    """The topics the shop's enabled tasks subscribe to (offsets dropped)."""
    tasks = Task.objects.filter(shop=shop, enabled=True)
    return {subscription.topic for task in tasks for subscription in task.subscription_objects()}


def active(webhook: CustomWebhook, event_topics: set[str]) -> bool:
    """Enabled, with an enabled task subscribed to its event topic."""
    return webhook.enabled and webhook.event_topic in event_topics


def scopes_of(webhook: CustomWebhook) -> set[str]:
    """The access scopes a webhook's Shopify topic needs."""
    return set(topic_scopes([webhook.shopify_topic]))


@dataclass
class CustomPlan:
    """What one custom webhook should be: its status, and whether it is subscribed."""

    status: str
    subscribe: bool


def plan_for(webhook: CustomWebhook, shop: Shop, event_topics: set[str], native: set[str]) -> CustomPlan:
    """The status and subscription ``webhook`` should have (§2.4's status table)."""
    if not webhook.enabled:
        return CustomPlan(CustomWebhookStatus.DISABLED, False)
    if webhook.event_topic not in event_topics:
        return CustomPlan(CustomWebhookStatus.NOT_RECEIVING, False)
    if not webhook.filter.strip() and topic_enum(webhook.shopify_topic.removeprefix("shopify/")) in native:
        return CustomPlan(CustomWebhookStatus.NEEDS_FILTER, False)
    probe = Shop(granted_scopes=shop.granted_scopes, required_scopes=sorted(scopes_of(webhook)))
    if shop.connection != ShopConnection.TOKEN and probe.missing_scopes:  # an operator's token: unknown
        return CustomPlan(CustomWebhookStatus.NEEDS_PERMISSIONS, False)
    return CustomPlan(CustomWebhookStatus.RECEIVING, True)


def matches(existing: WebhookSubscription, webhook: CustomWebhook) -> bool:
    """Whether a subscription at the webhook's address is still what it asks for."""
    enum = topic_enum(webhook.shopify_topic.removeprefix("shopify/"))
    return existing.topic == enum and existing.payload == payload_of(webhook)


@dataclass
class CustomSync:
    """One sync of a shop's custom webhooks: the client, the subscriptions listed, ``dry_run``,
    and where to say what changed (``note(line)``)."""

    shop: Shop
    client: ShopifyClient
    existing: list[WebhookSubscription]
    dry_run: bool
    note: Callable[[str], None]

    def run(self, native: set[str]) -> None:
        """Sync every custom webhook of the shop, then drop subscriptions of deleted ones."""
        event_topics = subscribed_event_topics(self.shop)
        webhooks = list(CustomWebhook.objects.filter(shop=self.shop).order_by("created_at"))
        for webhook in webhooks:
            self.sync_one(webhook, plan_for(webhook, self.shop, event_topics, native))
        addresses = {custom_address(webhook.pk) for webhook in webhooks}
        prefix = f"{callback_url()}/custom/"
        for item in self.existing:
            if item.uri.startswith(prefix) and item.uri not in addresses:
                self.delete(item, "a deleted custom webhook")

    def sync_one(self, webhook: CustomWebhook, plan: CustomPlan) -> None:
        """Create, keep or delete ``webhook``'s subscription; record its status unless dry."""
        address = custom_address(webhook.pk)
        mine = [item for item in self.existing if item.uri == address]
        keep = next((item for item in mine if plan.subscribe and matches(item, webhook)), None)
        error, subscription_id = "", keep.id if keep else ""
        try:
            for item in mine:
                if item is not keep:
                    self.delete(item, f"custom webhook {webhook.name!r}")
            if plan.subscribe and keep is None:
                subscription_id = self.create(webhook, address)
        except ShopifyError as exc:
            error = str(exc)
        if self.dry_run:
            return
        webhook.status = CustomWebhookStatus.SYNC_ERROR if error else plan.status
        webhook.sync_error, webhook.synced_at = error, timezone.now()
        webhook.shopify_subscription_id = subscription_id if plan.subscribe and not error else ""
        webhook.save(update_fields=["status", "sync_error", "synced_at", "shopify_subscription_id"])

    def create(self, webhook: CustomWebhook, address: str) -> str:
        enum = topic_enum(webhook.shopify_topic.removeprefix("shopify/"))
        self.note(
            f"{'would create' if self.dry_run else 'created'} {enum} for custom webhook {webhook.name!r}"
        )
        if self.dry_run:
            return ""
        return create_subscription(self.client, enum, address, payload_of(webhook)).id

    def delete(self, item: WebhookSubscription, owner: str) -> None:
        self.note(f"{'would delete' if self.dry_run else 'deleted'} {item.topic} of {owner}")
        if not self.dry_run:
            delete_subscription(self.client, item)
