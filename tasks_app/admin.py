"""The operator console for tasks and runs (spec/platform.md §9.9).

Staff edit tasks, import and export them as JSON, run and preview them, and
watch task runs and action runs with their results.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from events.models import Event
from tasks_app.models import ActionRun, CacheEntry, EmailTemplate, Global, Secret, Task, TaskRun

RUN_TRIGGER_TOPIC = "mechanic/user/trigger"


def pretty_json(value) -> str:
    """Indented JSON inside a <pre>, for read-only admin fields."""
    return format_html(
        "<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False)
    )


class TaskImportForm(forms.Form):
    shop = forms.ModelChoiceField(queryset=None)
    file = forms.FileField(help_text="A task export: one JSON object or an array of them.")
    replace = forms.BooleanField(
        required=False, help_text="Update a task with the same name instead of adding one."
    )

    def __init__(self, *args, **kwargs):
        from integrations.models import Shop

        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = Shop.objects.all()


class TaskForm(forms.ModelForm):
    """The task editor: a script that does not parse is refused with its Liquid error.

    Spec/platform.md §7.4: Liquid errors block saving a task.
    """

    class Meta:
        model = Task
        # The admin passes the fieldsets' fields; this form only adds validation.
        fields = ["script"]

    def clean_script(self) -> str:
        from tasks_app.liquid import LiquidError
        from tasks_app.liquid import parse as parse_liquid

        script = self.cleaned_data.get("script") or ""
        try:
            parse_liquid(script)
        except LiquidError as exc:
            raise forms.ValidationError(exc.message) from None
        return script


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    form = TaskForm
    list_display = ["name", "shop", "enabled", "subscription_list", "updated_at"]
    list_filter = ["shop", "enabled"]
    search_fields = ["name", "script"]
    readonly_fields = ["id", "subscriptions", "shopify_access_scopes_required", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["id", "shop", "name", "enabled"]}),
        ("Script", {"fields": ["script"]}),
        ("Options and subscriptions", {"fields": ["options", "subscriptions_template", "subscriptions"]}),
        ("Permissions", {"fields": ["shopify_access_scopes_required"]}),
        (
            "Advanced",
            {
                "classes": ["collapse"],
                "fields": [
                    "docs",
                    "tags",
                    "preview_event_definitions",
                    "perform_action_runs_in_sequence",
                    "halt_action_run_sequence_on_error",
                    "online_store_javascript",
                    "order_status_javascript",
                    "shopify_api_version",
                    "liquid_profiling",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    actions = ["enable_tasks", "disable_tasks", "export_tasks", "run_tasks"]
    change_form_template = "admin/tasks_app/task/change_form.html"
    change_list_template = "admin/tasks_app/task/change_list.html"

    @admin.display(description="subscriptions")
    def subscription_list(self, task: Task) -> str:
        return ", ".join(task.subscriptions or [])

    def save_model(self, request, obj, form, change):
        from tasks_app.importer import TaskImportError, refresh_required_scopes, refresh_subscriptions

        try:
            refresh_subscriptions(obj)
        except TaskImportError as exc:
            self.message_user(request, f"Subscriptions not updated: {exc}", messages.ERROR)
        try:
            refresh_required_scopes(obj)
        except TaskImportError as exc:
            self.message_user(request, f"Permissions not updated: {exc}", messages.ERROR)
        super().save_model(request, obj, form, change)

    def get_urls(self):
        extra = [
            path("import/", self.admin_site.admin_view(self.import_view), name="tasks_app_task_import"),
            path(
                "<uuid:task_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="tasks_app_task_preview",
            ),
            path("<uuid:task_id>/run/", self.admin_site.admin_view(self.run_view), name="tasks_app_task_run"),
            path(
                "<uuid:task_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="tasks_app_task_export",
            ),
        ]
        return extra + super().get_urls()

    # --- actions ------------------------------------------------------------------

    @admin.action(description="Enable selected tasks")
    def enable_tasks(self, request, queryset):
        self.message_user(request, f"Enabled {queryset.update(enabled=True)} task(s).", messages.SUCCESS)

    @admin.action(description="Disable selected tasks")
    def disable_tasks(self, request, queryset):
        self.message_user(request, f"Disabled {queryset.update(enabled=False)} task(s).", messages.SUCCESS)

    @admin.action(description="Export selected tasks as JSON")
    def export_tasks(self, request, queryset):
        return json_download([task.export_data() for task in queryset], "tasks.json")

    @admin.action(description="Run selected tasks (mechanic/user/trigger)")
    def run_tasks(self, request, queryset):
        for task in queryset:
            self.trigger(request, task)

    # --- views --------------------------------------------------------------------

    def trigger(self, request: HttpRequest, task: Task) -> None:
        """Create a ``mechanic/user/trigger`` event restricted to ``task`` and say what happens."""
        if not task.subscribes_to(RUN_TRIGGER_TOPIC):
            self.message_user(
                request, f"{task.name}: the task does not subscribe to {RUN_TRIGGER_TOPIC}.", messages.WARNING
            )
            return
        if not task.enabled:
            self.message_user(request, f"{task.name}: enable the task first.", messages.WARNING)
            return
        event = Event.objects.ingest(
            task.shop, RUN_TRIGGER_TOPIC, None, source="user", task_ids=[str(task.id)]
        )
        url = reverse("admin:events_event_change", args=[event.pk])
        self.message_user(
            request,
            format_html('{}: queued <a href="{}">event {}</a>.', task.name, url, event.pk),
            messages.SUCCESS,
        )

    def run_view(self, request: HttpRequest, task_id) -> HttpResponse:
        task = get_object_or_404(Task, pk=task_id)
        if request.method == "POST":
            self.trigger(request, task)
        return HttpResponseRedirect(reverse("admin:tasks_app_task_change", args=[task.pk]))

    def export_view(self, request: HttpRequest, task_id) -> HttpResponse:
        task = get_object_or_404(Task, pk=task_id)
        return json_download(task.export_data(), f"{task.name}.json")

    def preview_view(self, request: HttpRequest, task_id) -> HttpResponse:
        from tasks_app.preview import preview_task_definition

        task = get_object_or_404(Task, pk=task_id)
        results = preview_task_definition(task.export_data(), shop=task.shop)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": task,
            "title": f"Preview: {task.name}",
            "results": [result.as_dict() for result in results],
            "permissions": results[0].permissions if results else [],
        }
        return TemplateResponse(request, "admin/tasks_app/task/preview.html", context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        from tasks_app.importer import TaskImportError, import_tasks

        form = TaskImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                imported = import_tasks(
                    form.cleaned_data["shop"],
                    upload.read(),
                    replace=form.cleaned_data["replace"],
                    source_name=upload.name,
                )
            except TaskImportError as exc:
                form.add_error("file", str(exc))
            else:
                for item in imported:
                    self.message_user(request, str(item), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:tasks_app_task_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import tasks",
            "form": form,
        }
        return TemplateResponse(request, "admin/tasks_app/task/import.html", context)


def json_download(value, filename: str) -> HttpResponse:
    """A JSON attachment response."""
    response = HttpResponse(json.dumps(value, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ActionRunInline(admin.TabularInline):
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


@admin.register(CacheEntry)
class CacheEntryAdmin(admin.ModelAdmin):
    list_display = ["key", "shop", "expires_at", "updated_at"]
    list_filter = ["shop"]
    search_fields = ["key"]


# --- globals and secrets (spec/platform.md §5) -------------------------------------


class GlobalForm(forms.ModelForm):
    """A global's value as text (stored as a JSON string) or as JSON (§5.2)."""

    kind = forms.ChoiceField(
        choices=[("text", "Text"), ("json", "JSON")], initial="text", widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="Value",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Text is stored as a JSON string. JSON may be an object, array, number, boolean or null.",
    )

    class Meta:
        model = Global
        fields = ["shop", "key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            value = self.instance.value
            self.fields["kind"].initial = "text" if isinstance(value, str) else "json"
            self.fields["text"].initial = (
                value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
            )

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("text") or "").replace("\r\n", "\n")
        if cleaned.get("kind") == "json":
            try:
                self.instance.value = json.loads(text)
            except json.JSONDecodeError as exc:
                self.add_error("text", f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).")
        else:
            self.instance.value = text
        return cleaned


@admin.register(Global)
class GlobalAdmin(admin.ModelAdmin):
    form = GlobalForm
    list_display = ["key", "shop", "value_preview", "updated_at"]
    list_filter = ["shop"]
    search_fields = ["key"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["shop", "key", "kind", "text", "created_at", "updated_at"]

    @admin.display(description="value")
    def value_preview(self, entry: Global) -> str:
        text = json.dumps(entry.value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:79] + "…"


class SecretForm(forms.ModelForm):
    """Write-only value (§5.3): never rendered back; blank on change keeps the stored value."""

    value = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: the saved value is never shown again. Leave blank to keep the current value.",
    )

    class Meta:
        model = Secret
        fields = ["shop", "key"]

    def clean_value(self) -> str:
        value = self.cleaned_data.get("value") or ""
        if not value and not self.instance.pk:
            raise forms.ValidationError("Enter the secret's value.")
        return value

    def save(self, commit=True):
        if self.cleaned_data.get("value"):
            self.instance.set_value(self.cleaned_data["value"])
        return super().save(commit)


@admin.register(Secret)
@method_decorator(sensitive_post_parameters("value"), name="changeform_view")
class SecretAdmin(admin.ModelAdmin):
    """Secrets show metadata only: no value column, search, export or display (§5.3)."""

    form = SecretForm
    list_display = ["key", "shop", "value_present", "reference_count", "created_at", "updated_at"]
    list_filter = ["shop"]
    search_fields = ["key"]
    readonly_fields = ["reference_count", "created_at", "updated_at"]

    def get_fields(self, request, obj=None):
        return ["shop", "key", "value", *(self.readonly_fields if obj else [])]

    @admin.display(description="value present", boolean=True)
    def value_present(self, secret: Secret) -> bool:
        return secret.has_value

    @admin.display(description="tasks (approx.)")
    def reference_count(self, secret: Secret) -> int:
        return secret.reference_count()


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    """Settings → Email templates: named Liquid layouts per shop (spec/platform.md §3.5)."""

    list_display = ["name", "shop", "updated_at"]
    list_filter = ["shop"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["shop", "name", "body", "created_at", "updated_at"]
