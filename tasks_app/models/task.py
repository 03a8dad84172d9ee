"""Tasks: a Liquid script, its options and its subscriptions (spec/platform.md §7.1)."""

import uuid
from datetime import UTC

from django.conf import settings
from django.db import models

from events.topics import parse_subscription
from hub.fields import JSONField


def default_api_version() -> str:
    """Newest stable Shopify Admin API version Hub knows (``HUB_SHOPIFY_API_VERSION``)."""
    return settings.HUB_SHOPIFY_API_VERSION


class Task(models.Model):
    """A task: every field of the Mechanic export plus ``enabled``.

    ``options`` holds the stored (coerced) option values keyed by the full
    option key; ``subscriptions`` is the rendered, parsed list of lines derived
    from ``subscriptions_template`` (spec/runtime.md §3.2).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(max_length=255)
    enabled = models.BooleanField(default=False)
    script = models.TextField(blank=True, default="")
    options = JSONField(default=dict, blank=True)
    subscriptions_template = models.TextField(blank=True, default="")
    subscriptions = JSONField(default=list, blank=True)
    docs = models.TextField(blank=True, default="")
    tags = JSONField(default=list, blank=True)
    preview_event_definitions = JSONField(default=list, blank=True)
    perform_action_runs_in_sequence = models.BooleanField(default=False)
    halt_action_run_sequence_on_error = models.BooleanField(default=False)
    online_store_javascript = models.TextField(null=True, blank=True)
    order_status_javascript = models.TextField(null=True, blank=True)
    shopify_api_version = models.CharField(max_length=20, default=default_api_version)
    liquid_profiling = models.BooleanField(default=False)
    # Declared ∪ detected Shopify scopes, sorted; computed at import/save, never exported (§7.9).
    shopify_access_scopes_required = JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def subscription_objects(self):
        """The parsed ``subscriptions`` lines (``events.topics.Subscription``)."""
        return [parse_subscription(line) for line in self.subscriptions or []]

    def subscribes_to(self, topic: str) -> bool:
        """Whether any subscription line (offset or not) is for ``topic``."""
        return any(sub.topic == topic for sub in self.subscription_objects())

    def export_data(self) -> dict:
        """The task as a Mechanic export object (app mode, spec/platform.md §7.1)."""
        return {
            "name": self.name,
            "options": dict(self.options or {}),
            "subscriptions": list(self.subscriptions or []),
            "subscriptions_template": self.subscriptions_template,
            "script": self.script,
            "docs": self.docs,
            "tags": list(self.tags or []),
            "preview_event_definitions": list(self.preview_event_definitions or []),
            "perform_action_runs_in_sequence": self.perform_action_runs_in_sequence,
            "halt_action_run_sequence_on_error": self.halt_action_run_sequence_on_error,
            "online_store_javascript": self.online_store_javascript,
            "order_status_javascript": self.order_status_javascript,
            "shopify_api_version": self.shopify_api_version,
            "liquid_profiling": self.liquid_profiling,
        }

    def error_data(self) -> dict:
        """The task as error events describe it (spec/runtime.md §11.3), without its ``run``."""
        # ISO 8601 in UTC with milliseconds, as every time in an event's data (spec/runtime.md).
        stamp = lambda value: (  # noqa: E731
            value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z") if value else None
        )
        return {
            "id": str(self.id),
            "name": self.name,
            "event_topics": sorted({sub.topic for sub in self.subscription_objects()}),
            "options": dict(self.options or {}),
            "script": self.script,
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.updated_at),
            "subscriptions": list(self.subscriptions or []),
            "enabled": self.enabled,
            "online_store_javascript": self.online_store_javascript,
            "order_status_javascript": self.order_status_javascript,
            "docs": self.docs,
            "shopify_access_scopes_required": list(self.shopify_access_scopes_required or []),
            "subscriptions_template": self.subscriptions_template,
            "shopify_api_version": self.shopify_api_version,
            "liquid_profiling": self.liquid_profiling,
            "perform_action_runs_in_sequence": self.perform_action_runs_in_sequence,
            "halt_action_run_sequence_on_error": self.halt_action_run_sequence_on_error,
        }

    def liquid_data(self, options: dict | None = None) -> dict:
        """The ``task`` object a script sees (spec/liquid.md §5.1)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z") if self.created_at else None,
            "options": options if options is not None else dict(self.options or {}),
        }
