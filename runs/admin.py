"""Admin for events with their runs, task runs, action runs and event filters.

Runs are records to read, never to edit. Events are shown here rather than in ``events`` because
their page is the top of a run tree. The actions call the verbs of ``runs.verbs``: replay and
cancel events, retry runs (spec/runtime.md §9.2, §12); every run page lists its attempts.
Shopify's privacy requests are listed here too, with what was done about each (their handling
deletes and exports events with their runs).
"""

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from events.models import Event, EventFilter, PrivacyRequest
from integrations.admin_scope import ShopScopedAdmin, visible_shops
from runs import privacy, verbs
from runs.activity import DEFAULT_WINDOW, WINDOWS, activity
from runs.models import ActionRun, EventRun, Run, RunAttempt, TaskRun
from runs.tree import OUTCOMES, run_tree, with_outcome
from tasks_app.admin.helpers import pretty_json
from tasks_app.liquid import LiquidError
from tasks_app.liquid import parse as parse_liquid
from tasks_app.models import Task


def run_link(run: Model) -> str:
    """A link to ``run``'s admin page, labelled with the start of its id."""
    url = reverse(f"admin:{run._meta.app_label}_{run._meta.model_name}_change", args=[run.pk])
    return format_html('<a href="{}">{}</a>', url, str(run.pk)[:8])


class ReadOnlyInline(admin.TabularInline):
    """Inline rows that can be neither added nor deleted."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ActionRunInline(ReadOnlyInline):
    """A task run's action runs, each linked to its own page."""

    model = ActionRun
    fields = ("link", "action_type", "status", "error", "elapsed_time_ms")
    readonly_fields = fields

    @admin.display(description="action run")
    def link(self, run: ActionRun) -> str:
        return run_link(run)


def attempts_table(run: Run) -> str:
    """The run's attempts as an HTML table (number, when, outcome, error, permanent, worker)."""
    rows = RunAttempt.objects.filter(run_kind=run.kind, run_id=run.pk).order_by("number")
    cells = [
        format_html(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            attempt.number,
            attempt.started_at,
            "ok" if attempt.ok else "failed",
            attempt.error or "",
            {True: "yes", False: "no", None: ""}[attempt.permanent],
            attempt.worker,
        )
        for attempt in rows
    ]
    if not cells:
        return "-"
    header = (
        "<tr><th>#</th><th>started</th><th>outcome</th><th>error</th><th>permanent</th><th>worker</th></tr>"
    )
    return format_html("<table>{}{}</table>", format_html(header), format_html("".join(cells)))


def apply_verb(
    admin_view: admin.ModelAdmin,
    request: HttpRequest,
    items: Iterable[Any],
    verb: Callable[[Any], object],
    refused: type[Exception],
    describe: Callable[[Any, Exception | None], str],
) -> None:
    """Call ``verb`` on each selected item and say how it went: ``describe(item, exc)`` (a warning)
    for those it refused with ``refused``, ``describe(item, None)`` (a success) for the others."""
    for item in items:
        try:
            verb(item)
        except refused as exc:
            admin_view.message_user(request, describe(item, exc), messages.WARNING)
        else:
            admin_view.message_user(request, describe(item, None), messages.SUCCESS)


def retry_runs(admin_view: admin.ModelAdmin, request: HttpRequest, queryset: Iterable[Run]) -> None:
    """Retry each selected run by hand, saying which could not be retried and why."""
    apply_verb(
        admin_view,
        request,
        queryset,
        verbs.retry,
        verbs.NotRetryable,
        lambda run, exc: (
            f"{run.kind} run {run.pk}: {exc}" if exc else f"{run.kind} run {run.pk} will be retried."
        ),
    )


class ReadOnlyAdmin(ShopScopedAdmin):
    """Records: staff read them, nobody adds or edits them by hand; failed ones can be retried."""

    actions = ("retry",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description="Retry selected runs")
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        retry_runs(self, request, queryset)

    @admin.display(description="attempts")
    def attempts_display(self, run: Run) -> str:
        return attempts_table(run)


class OutcomeFilter(admin.SimpleListFilter):
    """Events by outcome: failed (any run failed), pending, succeeded."""

    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(outcome, outcome) for outcome in OUTCOMES]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(outcome=self.value()) if self.value() in OUTCOMES else queryset


class TaskFilter(admin.SimpleListFilter):
    """Events one of whose task runs ran the given task."""

    title = "task"
    parameter_name = "task"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        tasks = Task.objects.filter(shop__in=visible_shops(request)).order_by(
            "name", "shop__myshopify_domain"
        )
        rows = tasks.values_list("pk", "name", "shop__myshopify_domain")
        return [(str(pk), f"{name} ({domain})") for pk, name, domain in rows]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        task_id = self.value()
        if not task_id:
            return queryset
        return queryset.filter(pk__in=TaskRun.objects.filter(task_id=task_id).values("event_id"))


@admin.register(Event)
class EventAdmin(ShopScopedAdmin):
    """Events, read-only: the list shows each one's outcome (one query however many rows); the page
    shows its run tree with Retry (failed runs), Cancel (queued) and Replay buttons that call the
    verbs of ``runs.verbs`` (spec/platform.md §9.4, §9.6)."""

    list_display = ("topic", "shop", "source", "outcome_display", "created_at")
    list_filter = (OutcomeFilter, TaskFilter, "shop", "source", "topic", "created_at")
    date_hierarchy = "created_at"
    search_fields = ("topic", "id", "webhook_request_id")
    readonly_fields = (
        "id",
        "shop",
        "topic",
        "run_tree_display",
        "data",
        "source",
        "shopify_topic",
        "webhook_request_id",
        "flow_action_run_id",
        "parent",
        "task_ids",
        "input",
        "origin_task_id",
        "origin_action_run_id",
        "created_at",
        "completed_at",
    )
    # What happened first (topic, runs, data); where the event came from below, folded.
    fieldsets = (
        (None, {"fields": ("topic", "shop", "source", "created_at", "completed_at")}),
        ("Runs", {"fields": ("run_tree_display",)}),
        ("Data", {"fields": ("data", "input")}),
        (
            "Origin",
            {
                "classes": ("collapse",),
                "fields": (
                    "id",
                    "shopify_topic",
                    "webhook_request_id",
                    "flow_action_run_id",
                    "parent",
                    "task_ids",
                    "origin_task_id",
                    "origin_action_run_id",
                ),
            },
        ),
    )
    actions = ("replay", "cancel", "retry_event_runs")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """Events are records: their page is view-only (its buttons call the verbs)."""
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return with_outcome(super().get_queryset(request).select_related("shop"))

    @admin.display(description="outcome", ordering="outcome")
    def outcome_display(self, event: Event) -> str:
        outcome = getattr(event, "outcome", None) or "-"
        return format_html('<span class="outcome outcome-{}">{}</span>', outcome, outcome)

    @admin.display(description="runs")
    def run_tree_display(self, event: Event) -> str:
        tree = run_tree(event)
        return render_to_string(
            "admin/runs/run_tree.html",
            {
                "outcome": getattr(event, "outcome", ""),
                "event_id": event.pk,
                "event_run": tree.event_run,
                "task_runs": tree.task_runs,
                "children": tree.children,
                "base": reverse("admin:events_event_change", args=[event.pk]).removesuffix("change/"),
            },
        )

    def get_urls(self) -> list:
        urls = [
            path("activity/", self.admin_site.admin_view(self.activity_view), name="events_event_activity"),
            path("<uuid:event_id>/retry/<uuid:run_id>/", self.admin_site.admin_view(self.retry_view),
                 name="runs_event_retry_run"),
            path("<uuid:event_id>/cancel/", self.admin_site.admin_view(self.cancel_view),
                 name="runs_event_cancel"),
            path("<uuid:event_id>/replay/", self.admin_site.admin_view(self.replay_view),
                 name="runs_event_replay"),
        ]  # fmt: skip
        return urls + super().get_urls()

    def activity_view(self, request: HttpRequest) -> HttpResponse:
        """The activity page (spec/platform.md §9.5): ``?window=`` 1h, 6h, 24h, 7d or 15d."""
        found = activity(visible_shops(request), request.GET.get("window", DEFAULT_WINDOW))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Activity",
            "activity": found,
            "windows": list(WINDOWS),
            "since_param": found.since.isoformat(),
        }
        return TemplateResponse(request, "admin/runs/activity.html", context)

    def _event_or_404(self, request: HttpRequest, event_id: UUID) -> Event:
        if request.method != "POST":
            raise Http404("POST only")
        event = self.get_queryset(request).filter(pk=event_id).first()
        if event is None or not self.has_view_permission(request, event):
            raise Http404(f"no event {event_id}")
        return event

    def _back(self, event: Event) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))

    def retry_view(self, request: HttpRequest, event_id: UUID, run_id: UUID) -> HttpResponse:
        """Retry one failed run of this event's tree (spec/runtime.md §9.2)."""
        event = self._event_or_404(request, event_id)
        run = verbs.find_run(run_id)
        if run is None or verbs.event_of(run).pk != event.pk:
            raise Http404(f"no run {run_id} of event {event_id}")
        retry_runs(self, request, [run])
        return self._back(event)

    def cancel_view(self, request: HttpRequest, event_id: UUID) -> HttpResponse:
        """Cancel this event while it is queued (spec/runtime.md §12)."""
        event = self._event_or_404(request, event_id)
        self.cancel(request, [event])
        return self._back(event)

    def replay_view(self, request: HttpRequest, event_id: UUID) -> HttpResponse:
        """Replay this event: a new event of the same topic and data, whose page opens."""
        event = self._event_or_404(request, event_id)
        replayed = verbs.replay(event)
        self.message_user(request, f"Replayed {event.topic} as event {replayed.id}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:events_event_change", args=[replayed.pk]))

    @admin.action(description="Replay event (new event, same topic and data)")
    def replay(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            replayed = verbs.replay(event)
            self.message_user(request, f"Replayed {event.topic} as event {replayed.id}.", messages.SUCCESS)

    @admin.action(description="Cancel queued events")
    def cancel(self, request: HttpRequest, queryset: Iterable[Event]) -> None:
        apply_verb(
            self,
            request,
            queryset,
            verbs.cancel,
            verbs.NotCancellable,
            lambda event, exc: f"Event {event.id}: {exc}" if exc else f"Cancelled event {event.id}.",
        )

    @admin.action(description="Retry the event runs of selected events")
    def retry_event_runs(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        retry_runs(self, request, EventRun.objects.filter(event__in=queryset))


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyAdmin):
    """Task runs, with their logs, result, error location and action runs."""

    list_display = ("id", "task", "event_topic", "status", "error", "run_at", "elapsed_time_ms")
    list_filter = ("status", "shop")
    search_fields = ("id", "task__name", "event__topic")
    readonly_fields = (
        "id",
        "task",
        "event",
        "subscription",
        "status",
        "ok",
        "error",
        "error_source",
        "logs_display",
        "result_display",
        "attempts",
        "attempts_display",
        "run_at",
        "started_at",
        "stopped_at",
        "elapsed_time_ms",
        "shopify_api_version",
    )
    fields = readonly_fields
    inlines = (ActionRunInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[TaskRun]:
        return super().get_queryset(request).select_related("task", "event")

    @admin.display(description="event")
    def event_topic(self, run: TaskRun) -> str:
        return run.event.topic

    @admin.display(description="error location")
    def error_source(self, run: TaskRun) -> str:
        return format_html("<pre>{}</pre>", run.error_details) if run.error_details else "-"

    @admin.display(description="logs")
    def logs_display(self, run: TaskRun) -> str:
        return pretty_json(run.logs)

    @admin.display(description="result")
    def result_display(self, run: TaskRun) -> str:
        return pretty_json(run.result)


@admin.register(ActionRun)
class ActionRunAdmin(ReadOnlyAdmin):
    """Action runs, with their options, meta and result."""

    list_display = ("id", "action_type", "task_name", "status", "error", "run_at", "elapsed_time_ms")
    list_filter = ("status", "action_type", "shop")
    search_fields = ("id", "action_type")
    readonly_fields = (
        "id",
        "task_run",
        "action_type",
        "status",
        "ok",
        "error",
        "options_display",
        "meta_display",
        "result_display",
        "perform_event",
        "attempts",
        "attempts_display",
        "run_at",
        "started_at",
        "stopped_at",
        "elapsed_time_ms",
        "result_meta",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ActionRun]:
        return super().get_queryset(request).select_related("task_run__task")

    @admin.display(description="task")
    def task_name(self, run: ActionRun) -> str:
        return run.task_run.task.name if run.task_run.task else "-"

    @admin.display(description="options")
    def options_display(self, run: ActionRun) -> str:
        return pretty_json(run.options)

    @admin.display(description="meta")
    def meta_display(self, run: ActionRun) -> str:
        return pretty_json(run.meta)

    @admin.display(description="result")
    def result_display(self, run: ActionRun) -> str:
        return pretty_json(run.result)


class EventFilterForm(forms.ModelForm):
    """An event filter whose template must parse."""

    class Meta:
        model = EventFilter
        fields = ("shop", "name", "template")

    def clean_template(self) -> str:
        template = self.cleaned_data.get("template") or ""
        try:
            parse_liquid(template)
        except LiquidError as exc:
            raise forms.ValidationError(exc.message) from None
        return template


@admin.register(EventFilter)
class EventFilterAdmin(ShopScopedAdmin):
    """Event filters (spec/runtime.md §2.7): a template rendering ``false`` skips an event."""

    form = EventFilterForm
    list_display = ("name", "shop", "created_at")
    list_filter = ("shop",)
    search_fields = ("name", "template")


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(ShopScopedAdmin):
    """Shopify's privacy requests and what Hub did about each (spec/platform.md §10.1), read-only;
    a request whose handling failed can be handled again at once."""

    list_display = ["received_at", "topic", "shop_domain", "customer_id", "handled_at", "outcome", "error"]
    list_filter = ["topic", ("handled_at", admin.EmptyFieldListFilter)]
    search_fields = ["shop_domain", "customer_id"]
    readonly_fields = [
        "shop", "shop_domain", "topic", "delivery_key", "customer_id", "shown_payload", "received_at",
        "handled_at", "outcome", "error",
    ]  # fmt: skip
    exclude = ["payload"]
    actions = ["handle_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="payload")
    def shown_payload(self, obj: PrivacyRequest) -> str:
        return pretty_json(obj.payload)

    @admin.action(description="Handle the selected requests now (those not handled yet)")
    def handle_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        for item in queryset.filter(handled_at=None):
            outcome = privacy.handle(item.pk)
            self.message_user(request, f"{item}: {outcome}")
