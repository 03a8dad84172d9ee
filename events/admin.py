"""Admin for events and Mechanic webhooks: watch runs, replay events."""

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from events.models import Event, ShopifyDelivery, Webhook
from tasks_app.models import EventRun, TaskRun


class EventRunInline(admin.StackedInline):
    """An event's run, read-only."""

    model = EventRun
    extra = 0
    can_delete = False
    # A tuple, so one value types as both ``fields`` and ``readonly_fields``.
    fields = ("status", "ok", "error", "run_at", "started_at", "stopped_at", "elapsed_time_ms")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class TaskRunInline(admin.TabularInline):
    """An event's task runs, read-only, each linked to its own page."""

    model = TaskRun
    extra = 0
    can_delete = False
    fields = ("link", "task", "subscription", "status", "error", "run_at", "elapsed_time_ms")
    readonly_fields = fields
    ordering = ["created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="task run")
    def link(self, run: TaskRun) -> str:
        return format_html('<a href="../../../tasks_app/taskrun/{}/change/">{}</a>', run.pk, str(run.pk)[:8])


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Events, read-only, with a replay action that ingests a new event with the same topic and data."""

    list_display = ["topic", "shop", "source", "run_status", "created_at"]
    list_filter = ["shop", "source", "topic"]
    search_fields = ["topic", "id", "webhook_request_id"]
    readonly_fields = [
        "id",
        "shop",
        "topic",
        "data",
        "source",
        "shopify_topic",
        "webhook_request_id",
        "flow_action_run_id",
        "parent",
        "task_ids",
        "input",
        "origin_task",
        "created_at",
    ]
    inlines = [EventRunInline, TaskRunInline]
    actions = ["replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="event run")
    def run_status(self, event: Event) -> str:
        run = getattr(event, "run", None)
        return run.status if run else "-"

    @admin.action(description="Replay event (new event, same topic and data)")
    def replay(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            replayed = Event.objects.ingest(
                event.shop,
                event.topic,
                event.data,
                source=event.source,
                shopify_topic=event.shopify_topic,
                task_ids=event.task_ids,
                input=event.input,
            )
            self.message_user(request, f"Replayed {event.topic} as event {replayed.id}.", messages.SUCCESS)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Mechanic webhooks (spec/platform.md §1), with each webhook's URL."""

    list_display = ["name", "topic", "data_mode", "is_active", "webhook_url", "shop"]
    list_filter = ["shop", "is_active", "data_mode"]
    readonly_fields = ["id", "webhook_url", "created_at"]
    fields = ["id", "shop", "name", "topic", "data_mode", "is_active", "webhook_url", "created_at"]

    @admin.display(description="URL")
    def webhook_url(self, webhook: Webhook) -> str:
        return webhook.url if webhook.pk else "-"


@admin.register(ShopifyDelivery)
class ShopifyDeliveryAdmin(admin.ModelAdmin):
    """Ingested Shopify webhook deliveries kept to drop repeats (spec/platform.md §2.3), read-only."""

    list_display = ["key", "shop", "event", "received_at"]
    readonly_fields = ["shop", "key", "event", "received_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
