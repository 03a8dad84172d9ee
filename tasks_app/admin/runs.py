"""Admin for task runs and action runs: records to read, never to edit."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from tasks_app.admin.helpers import pretty_json
from tasks_app.models import ActionRun, TaskRun


class ActionRunInline(admin.TabularInline):
    """A task run's action runs, read-only, each linked to its own page."""

    model = ActionRun
    extra = 0
    can_delete = False
    fields = ["link", "action_type", "status", "error", "elapsed_time_ms"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="action run")
    def link(self, run: ActionRun) -> str:
        url = reverse("admin:tasks_app_actionrun_change", args=[run.pk])
        return format_html('<a href="{}">{}</a>', url, str(run.pk)[:8])


class ReadOnlyRunAdmin(admin.ModelAdmin):
    """Runs are records: staff read them, nobody edits them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyRunAdmin):
    """Task runs, read-only, with their logs, result, error location and action runs."""

    list_display = ["id", "task", "event_topic", "status", "error", "run_at", "elapsed_time_ms"]
    list_filter = ["status", "shop"]
    search_fields = ["id", "task__name", "event__topic"]
    readonly_fields = [
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
        "run_at",
        "started_at",
        "stopped_at",
        "elapsed_time_ms",
        "shopify_api_version",
    ]
    fields = readonly_fields
    inlines = [ActionRunInline]

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
class ActionRunAdmin(ReadOnlyRunAdmin):
    """Action runs, read-only, with their options, meta and result."""

    list_display = ["id", "action_type", "task_name", "status", "error", "run_at", "elapsed_time_ms"]
    list_filter = ["status", "action_type", "shop"]
    search_fields = ["id", "action_type"]
    readonly_fields = [
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
        "run_at",
        "started_at",
        "stopped_at",
        "elapsed_time_ms",
        "result_meta",
    ]
    fields = readonly_fields

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
