"""Events and the inbound configuration that creates them.

Event fields follow spec/runtime.md §2.1; Mechanic webhooks spec/platform.md §1.1.
"""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from events.signals import event_ingested
from events.standard_webhooks import validate_secrets
from hub.fields import JSONField
from hub.jsontypes import JSON, JSONObject
from integrations.sealed import SealedCharField

if TYPE_CHECKING:
    from integrations.models import Shop


class EventManager(models.Manager["Event"]):
    """Creates events; the run engine reacts to each through ``events.signals.event_ingested``."""

    def ingest(
        self,
        shop: "Shop",
        topic: str,
        data: JSON = None,
        *,
        source: str = "user",
        run_at: datetime | None = None,
        enqueue: bool = True,
        **fields: Any,
    ) -> "Event":
        """Create an event and announce it, in one transaction (spec/runtime.md §16).

        ``run_at`` (aware datetime, default now) is when its processing may begin: the engine
        makes its event run ``scheduled`` when it lies in the future. ``enqueue`` false asks
        the engine to leave due runs for an in-process caller (``emit_event --sync`` and
        tests). Other keyword arguments are Event fields (``shopify_topic``,
        ``webhook_request_id``, ``parent``, ``task_ids``, ``input``, ``origin_task_id``...).
        """
        # No savepoint inside a caller's transaction: an error here ends that one too.
        with transaction.atomic(savepoint=False):
            event = self.create(shop=shop, topic=topic, data=data, source=source, **fields)
            event_ingested.send(sender=Event, event=event, run_at=run_at, enqueue=enqueue)
        return event


class Event(models.Model):
    """Something that happened: one topic and its data (spec/runtime.md §2.1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="events")
    topic = models.CharField(max_length=255, db_index=True)
    data = JSONField(null=True, blank=True)
    source = models.CharField(max_length=255, default="user")
    shopify_topic = models.CharField(max_length=255, null=True, blank=True)
    webhook_request_id = models.UUIDField(null=True, blank=True, db_index=True)
    flow_action_run_id = models.CharField(max_length=255, null=True, blank=True)
    # SET_NULL: an ancestor expires on its own schedule (spec/platform.md §10.1) without taking the
    # descendants that are still pending with it.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    task_ids = JSONField(null=True, blank=True, help_text="Only these tasks may respond.")
    input = JSONField(null=True, blank=True, help_text="User-form values (Liquid `input`).")
    origin_task_id = models.UUIDField(
        null=True,
        blank=True,
        help_text="The task whose run led to this event (follow-up, bulk, error events).",
    )
    origin_action_run_id = models.UUIDField(
        null=True,
        blank=True,
        help_text="The action run whose outcome this event reports (follow-up and action error events).",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When none of its runs, nor its descendants' runs, was pending any more (retention).",
    )

    objects = EventManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.id})"

    def liquid_data(self, *, preview: bool = False, depth: int = 0) -> JSONObject:
        """The ``event`` object a script sees (spec/liquid.md §5.1).

        ``parent`` resolves recursively up to 5 generations; ``preview`` is
        present only in previews.
        """
        parent = None
        if depth < 5 and self.parent is not None:
            parent = self.parent.liquid_data(depth=depth + 1)
        data = {
            "id": str(self.id),
            "topic": self.topic,
            "data": self.data,
            "source": self.source,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "shopify_topic": self.shopify_topic,
            "webhook_request_id": str(self.webhook_request_id) if self.webhook_request_id else None,
            "flow_action_run_id": self.flow_action_run_id,
            "parent": parent,
        }
        if preview:
            data["preview"] = True
        return data


class EventFilter(models.Model):
    """A shop's event filter: a Liquid template every event run renders first (spec/runtime.md §2.7).

    The output, stripped of surrounding whitespace, equal to ``false`` skips the event (its run
    succeeds with no task runs); anything else, empty output included, lets it through. The
    template sees ``event``, ``shop`` and ``cache``.
    """

    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="event_filters")
    name = models.CharField(max_length=255)
    template = models.TextField(help_text="Liquid; rendering `false` skips the event.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["shop", "name"], name="unique_event_filter_name")]

    def __str__(self) -> str:
        return self.name


class Webhook(models.Model):
    """A Mechanic webhook: a URL that turns requests into ``user/...`` events (spec/platform.md §1)."""

    class DataMode(models.TextChoices):
        AUTO = "auto", "Auto"
        FULL_REQUEST = "full_request", "Full request"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=255)
    topic = models.CharField(
        max_length=255, help_text="user/subject/verb: three lower-case words (a-z, 0-9, _) after user/"
    )
    data_mode = models.CharField(max_length=20, choices=DataMode.choices, default=DataMode.AUTO)
    is_active = models.BooleanField(default=True)
    signing_secrets = SealedCharField(
        max_length=4000,
        blank=True,
        default="",
        validators=[validate_secrets],
        help_text=(
            "Standard Webhooks signing secrets (whsec_ followed by a base64 key), one per line. When set, "
            "only requests signed with one of them (webhook-id, webhook-timestamp, webhook-signature) "
            "are accepted."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} → {self.topic}"

    @classmethod
    def rotate_signing_secrets(cls) -> int:
        """Re-encrypt every webhook's signing secrets with the newest key of ``HUB_SECRET_KEYS``;
        returns how many webhooks. Raises ``TokenDecryptionError`` naming the first webhook whose
        secrets no configured key decrypts."""
        from integrations.oauth.tokens import TokenDecryptionError
        from integrations.sealed import is_sealed

        count = 0
        with transaction.atomic():
            for pk, name, text in (
                cls.objects.select_for_update()
                .exclude(signing_secrets="")
                .values_list("pk", "name", "signing_secrets")
            ):
                if is_sealed(text):  # loaded still sealed: no key opened it
                    raise TokenDecryptionError(f"the signing secrets of webhook {name!r}")
                cls.objects.filter(pk=pk).update(signing_secrets=text)
                count += 1
        return count

    @property
    def url(self) -> str:
        """The public URL callers POST to."""
        from django.conf import settings

        return f"{settings.HUB_WEBHOOK_BASE_URL.rstrip('/')}/{self.id}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from events.topics import WEBHOOK_TOPIC_RE

        if not WEBHOOK_TOPIC_RE.fullmatch(self.topic or ""):
            raise ValidationError({"topic": "must be user/<subject>/<verb> in [a-z0-9_]"})


class ShopifyDelivery(models.Model):
    """A Shopify webhook delivery already ingested, for dropping repeats (spec/platform.md §2.3)."""

    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255, help_text="event id + topic, or webhook id")
    event = models.ForeignKey(Event, null=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name_plural = "Shopify deliveries"
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="unique_shopify_delivery")]

    def __str__(self) -> str:
        return self.key


class SchedulerTick(models.Model):
    """The last scheduler tick fired per shop and topic, so no tick fires twice."""

    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=64)
    last_tick_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "topic"], name="unique_scheduler_tick")]

    def __str__(self) -> str:
        return f"{self.topic} at {self.last_tick_at}"


class PrivacyTopic(models.TextChoices):
    """Shopify's mandatory privacy topics (spec/platform.md §2.2, §10.1)."""

    CUSTOMERS_DATA_REQUEST = "shopify/customers/data_request", "customers/data_request"
    CUSTOMERS_REDACT = "shopify/customers/redact", "customers/redact"
    SHOP_REDACT = "shopify/shop/redact", "shop/redact"


class PrivacyRequest(models.Model):
    """A privacy request Shopify delivered, and what Hub did about it (spec/platform.md §10.1).

    ``payload`` is the delivery's JSON while the request waits; once handled it keeps only the
    ids (customer, orders, data request), never the customer's email or phone. ``outcome`` says
    what was deleted or sent; ``error`` why handling failed (it is tried again hourly). ``shop``
    goes empty when ``shop/redact`` deleted the shop; ``shop_domain`` stays.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey(
        "integrations.Shop", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shop_domain = models.CharField(max_length=255)
    topic = models.CharField(max_length=64, choices=PrivacyTopic.choices)
    delivery_key = models.CharField(max_length=255, blank=True, default="", help_text="Drops repeats.")
    customer_id = models.CharField(max_length=64, blank=True, default="")
    payload = JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, default="")
    error = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop_domain", "delivery_key"],
                condition=~models.Q(delivery_key=""),
                name="unique_privacy_delivery",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} for {self.shop_domain} ({self.received_at:%Y-%m-%d %H:%M})"


class CustomWebhookStatus(models.TextChoices):
    """Where a custom Shopify webhook stands (spec/platform.md §2.4)."""

    RECEIVING = "receiving", "Receiving"
    NOT_RECEIVING = "not_receiving", "Not receiving (no enabled task subscribes)"
    NEEDS_PERMISSIONS = "needs_permissions", "Needs permissions"
    NEEDS_FILTER = "needs_filter", "Needs filter (conflicts with a native subscription)"
    SYNC_ERROR = "sync_error", "Sync error"
    DISABLED = "disabled", "Disabled"


class CustomWebhook(models.Model):
    """A custom Shopify webhook (spec/platform.md §2.4): Shopify filters or trims deliveries of
    ``shopify_topic`` (``filter``, ``include_fields``, metafields) and Hub turns each into an event
    of ``event_topic`` (``user/...``) with ``source`` ``custom_shopify_webhook_subscription:<id>``.

    A Shopify subscription exists only while the webhook is ``enabled`` and an enabled task
    subscribes to ``event_topic``; ``status``, ``sync_error`` and ``shopify_subscription_id`` say
    what the last sync found (``tasks_app.webhook_sync``). Validation: ``events.custom_webhooks``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="custom_webhooks")
    name = models.CharField(max_length=255)
    shopify_topic = models.CharField(max_length=128, help_text="e.g. shopify/products/update")
    event_topic = models.CharField(
        max_length=128, help_text="user/subject/verb: three lower-case words (a-z, 0-9, _) after user/"
    )
    filter = models.TextField(blank=True, default="", help_text="Shopify's webhook filter syntax.")
    include_fields = JSONField(default=list, blank=True, help_text="Payload field paths to keep.")
    metafield_namespaces = JSONField(default=list, blank=True)
    metafields = JSONField(default=list, blank=True, help_text="namespace.key entries.")
    enabled = models.BooleanField(default=False)
    status = models.CharField(
        max_length=24,
        choices=CustomWebhookStatus.choices,
        default=CustomWebhookStatus.DISABLED,
        editable=False,
    )
    sync_error = models.TextField(blank=True, default="", editable=False)
    shopify_subscription_id = models.CharField(max_length=255, blank=True, default="", editable=False)
    synced_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    EXPORTED = (
        "name",
        "shopify_topic",
        "event_topic",
        "filter",
        "include_fields",
        "metafield_namespaces",
        "metafields",
    )

    class Meta:
        ordering = ["shop", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.shopify_topic} → {self.event_topic})"

    @property
    def source(self) -> str:
        """The ``source`` of the events it produces."""
        return f"custom_shopify_webhook_subscription:{self.id}"

    def clean(self) -> None:
        """Save-time validation (spec/platform.md §2.4); raises ``ValidationError`` per field."""
        from events.custom_webhooks import check

        check(self)

    def export_data(self) -> dict:
        """The webhook's configuration as exported (never its enabled state or sync status)."""
        return {name: getattr(self, name) for name in self.EXPORTED}
