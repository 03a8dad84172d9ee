"""Admin for tasks: edit, import and export JSON, run, preview."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from events.models import Event
from integrations.admin_scope import ShopScopedAdmin, visible_shops
from tasks_app import library
from tasks_app.admin.helpers import json_download
from tasks_app.admin.options_form import PREFIX, option_fields, option_keys, read_options
from tasks_app.models import Task, TaskVersion
from tasks_app.models.versions import RESTORED
from tasks_app.options import parse_option_key
from tasks_app.rendering import error_message

RUN_TRIGGER_TOPIC = "mechanic/user/trigger"
# What a duplicate copies besides the shop (it gets its own name and starts disabled).
COPIED = ("subscriptions", *RESTORED)


class TaskImportForm(forms.Form):
    """The task import form: the shop, a task export file and whether to replace same-named tasks."""

    shop = forms.ModelChoiceField(queryset=None)
    file = forms.FileField(help_text="A task export: one JSON object or an array of them.")
    replace = forms.BooleanField(
        required=False, help_text="Update a task with the same name instead of adding one."
    )

    def __init__(self, *args, shops=None, **kwargs):
        from integrations.models import Shop

        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shops if shops is not None else Shop.objects.all()


# Topics a person can run a task with from its page (spec/platform.md §9.3).
MANUAL_TOPICS = (RUN_TRIGGER_TOPIC, "mechanic/user/text", "mechanic/user/form")


def runnable_topic(task: Task) -> str | None:
    """The first manual-run topic the task subscribes to, or None (no Run task button)."""
    return next((topic for topic in MANUAL_TOPICS if task.subscribes_to(topic)), None)


def run_form(task: Task, topic: str, data=None) -> forms.Form:
    """The Run task form: a text for ``mechanic/user/text``; the ``userform`` options (prefilled
    with their stored values, typed like the option) for ``mechanic/user/form``."""
    form = forms.Form(data)
    if topic == "mechanic/user/text":
        form.fields["text"] = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), label="Text", strip=False
        )
        return form
    keys = [key for key in option_keys(task.options) if "userform" in parse_option_key(key).modifiers]
    form.fields.update(option_fields(keys, task.options))
    form.userform_keys = keys  # type: ignore[attr-defined]
    for key in keys:
        form.fields[PREFIX + key].required = parse_option_key(key).required
    return form


def queue_manual_run(task: Task, topic: str, form: forms.Form) -> Event:
    """Create the event of a manual run restricted to ``task``: the text as data, or the typed
    form values as ``input`` (and, as Mechanic does, as data)."""
    if topic == "mechanic/user/text":
        data = form.cleaned_data["text"].replace("\r\n", "\n")
        return Event.objects.ingest(task.shop, topic, data, source="user", task_ids=[str(task.id)])
    values, _errors = read_options(form.cleaned_data, form.userform_keys, enabled=False)  # type: ignore[attr-defined]
    inputs = {key.split("__", 1)[0]: value for key, value in values.items()}
    return Event.objects.ingest(
        task.shop, topic, inputs, source="user", task_ids=[str(task.id)], input=inputs
    )


class LFTextField(forms.CharField):
    """A text area whose line endings are stored as LF, whatever the browser sends (CRLF); an
    unchanged text therefore counts as unchanged."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", AdminTextareaWidget)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("\r\n", "\n") if isinstance(text, str) else text


class TaskForm(forms.ModelForm):
    """The task editor: a script that does not parse is refused with its Liquid error; texts are
    stored with LF line endings; the options form's fields (``options_form``), when the admin adds
    them, are checked and stored in ``options``.

    Spec/platform.md §7.4: Liquid errors block saving a task.
    """

    option_keys: list[str] = []
    script = LFTextField(required=False)
    subscriptions_template = LFTextField(required=False)

    class Meta:
        model = Task
        # The admin passes the fieldsets' fields; this form only adds validation.
        fields = ["script"]

    def clean(self):
        cleaned = super().clean()
        if self.option_keys:
            options, errors = read_options(
                self.cleaned_data, self.option_keys, enabled=bool(cleaned.get("enabled"))
            )
            for field, message in errors.items():
                self.add_error(field, message)
            self.instance.options = {**(self.instance.options or {}), **options}
        if self.instance.pk and not self.errors:
            self.check_as_previewed(cleaned)
        return cleaned

    def check_as_previewed(self, cleaned: dict) -> None:
        """Spec/platform.md §7.4–§7.5: the subscriptions template must render to valid lines, and
        no preview event may produce an error object (the task's own ``{% error %}`` checks) or
        a Liquid error; either blocks saving, with the message next to the form."""
        from tasks_app.importer import TaskImportError, refresh_subscriptions
        from tasks_app.preview import preview_task_definition

        probe = Task(shop=self.instance.shop, name=self.instance.name, options=self.instance.options)
        probe.subscriptions_template = cleaned.get(
            "subscriptions_template", self.instance.subscriptions_template
        )
        try:
            refresh_subscriptions(probe)
        except TaskImportError as exc:
            self.add_error(
                "subscriptions_template" if "subscriptions_template" in self.fields else None, exc.reason
            )
            return
        definition = {
            **self.instance.export_data(),
            "script": cleaned.get("script", self.instance.script),
            "subscriptions_template": probe.subscriptions_template,
            "subscriptions": probe.subscriptions,
            "options": self.instance.options,
        }
        for result in preview_task_definition(definition, shop=self.instance.shop):
            problem = result.exception or (error_message(result.errors) if result.errors else None)
            if problem:
                self.add_error(None, f"The preview of {result.topic or 'the task'} refuses this: {problem}")
                return

    def clean_preview_event_definitions(self) -> list[dict]:
        """Spec/platform.md §7.6: the same shape an import requires; the error names the JSON path
        of the first wrong part (``[0].event_attributes.topic: expected a string, got null``)."""
        from tasks_app.importer import preview_definitions

        def fail(where: str, reason: str) -> forms.ValidationError:
            path = where.removeprefix(".preview_event_definitions") or "the value"
            return forms.ValidationError(f"{path}: {reason}")

        return preview_definitions(self.cleaned_data.get("preview_event_definitions"), fail)

    def clean_script(self) -> str:
        from tasks_app.liquid import LiquidError
        from tasks_app.liquid import parse as parse_liquid

        script = self.cleaned_data.get("script") or ""
        try:
            parse_liquid(script)
        except LiquidError as exc:
            raise forms.ValidationError(exc.message) from None
        return script


class TaskVersionInline(admin.TabularInline):
    """A task's versions, newest first, each opening its diff and restore page."""

    model = TaskVersion
    extra = 0
    can_delete = False
    fields = ("number", "created_at", "open")
    readonly_fields = fields
    ordering = ("-number",)

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="")
    def open(self, version: TaskVersion) -> str:
        if version.pk is None:  # the formset's empty form
            return ""
        url = reverse("admin:tasks_app_task_version", args=[version.task_id, version.number])
        return format_html('<a href="{}">Changes since, and restore</a>', url)


@admin.register(Task)
class TaskAdmin(ShopScopedAdmin):
    """Tasks: edit, import and export JSON, preview and run (spec/platform.md §7, §9.3).

    Saving refreshes the task's subscriptions and required Shopify scopes; a failure there is
    reported as a message and the task is saved anyway.
    """

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
    actions = ["enable_tasks", "disable_tasks", "export_tasks", "run_tasks", "duplicate_tasks"]
    inlines = [TaskVersionInline]
    change_form_template = "admin/tasks_app/task/change_form.html"
    change_list_template = "admin/tasks_app/task/change_list.html"

    def option_keys_of(self, obj: Task | None) -> list[str]:
        """The option keys the editor shows fields for (none on the add page: import or save first)."""
        if obj is None:
            return []
        return option_keys(obj.options, obj.script, obj.subscriptions_template)

    def get_fieldsets(self, request, obj=None):
        """The fieldsets, with an "Options" fieldset of one field per option replacing the raw JSON
        options (which stay editable on the add page)."""
        keys = self.option_keys_of(obj)
        if not keys:
            return super().get_fieldsets(request, obj)
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [field for field in options["fields"] if field != "options"]
            title = "Subscriptions" if name == "Options and subscriptions" else name
            fieldsets.append((title, {**options, "fields": fields}))
            if name == "Script":
                fieldsets.append(("Options", {"fields": [PREFIX + key for key in keys]}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The task form with one field per option key (``options_form``)."""
        keys = self.option_keys_of(obj)
        if keys:
            declared = option_fields(keys, obj.options if obj else {})
            kwargs["form"] = type("TaskEditorForm", (self.form,), {**declared, "option_keys": keys})
        return super().get_form(request, obj, change=change, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_run"] = runnable_topic(obj) if obj is not None else None
        return super().render_change_form(request, context, add, change, form_url, obj)

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
            path("console/", self.admin_site.admin_view(self.console_view), name="tasks_app_task_console"),
            path(
                "console/render.json",
                self.admin_site.admin_view(self.console_render_view),
                name="tasks_app_task_console_render",
            ),
            path("library/", self.admin_site.admin_view(self.library_view), name="tasks_app_task_library"),
            path(
                "library/<str:slug>/",
                self.admin_site.admin_view(self.library_entry_view),
                name="tasks_app_task_library_entry",
            ),
            path(
                "library/<str:slug>/install/",
                self.admin_site.admin_view(self.library_install_view),
                name="tasks_app_task_library_install",
            ),
            path(
                "<uuid:task_id>/versions/<int:number>/",
                self.admin_site.admin_view(self.version_view),
                name="tasks_app_task_version",
            ),
            path(
                "<uuid:task_id>/versions/<int:number>/restore/",
                self.admin_site.admin_view(self.restore_version_view),
                name="tasks_app_task_restore_version",
            ),
            path(
                "<uuid:task_id>/preview.json",
                self.admin_site.admin_view(self.live_preview_view),
                name="tasks_app_task_live_preview",
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

    @admin.action(description="Duplicate selected tasks (the copies are disabled)")
    def duplicate_tasks(self, request, queryset):
        for task in queryset:
            copy = Task(shop=task.shop, **{name: getattr(task, name) for name in COPIED})
            copy.name, copy.enabled = f"{task.name} (copy)", False
            copy.save()
            self.message_user(request, f"Duplicated {task.name} as {copy.name}.", messages.SUCCESS)

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
        """Run the task by hand: ``mechanic/user/trigger`` at once; ``mechanic/user/text`` and
        ``mechanic/user/form`` through a form (a text, or the task's ``userform`` options prefilled
        with their stored values; spec/platform.md §7.11, §9.3)."""
        task = get_object_or_404(self.get_queryset(request), pk=task_id)
        topic = request.POST.get("topic") or request.GET.get("topic") or runnable_topic(task)
        if topic == RUN_TRIGGER_TOPIC or topic is None:
            if request.method == "POST":
                self.trigger(request, task)
            return HttpResponseRedirect(reverse("admin:tasks_app_task_change", args=[task.pk]))
        if not task.subscribes_to(topic) or topic not in MANUAL_TOPICS:
            raise Http404(f"{task.name} cannot be run as {topic}")
        form = run_form(task, topic, request.POST if request.method == "POST" else None)
        if topic == "mechanic/user/text" and request.method == "GET" and "data" in request.GET:
            form.fields["text"].initial = request.GET["data"]  # a run link's ?data= prefill (§6.7)
        if request.method == "POST" and form.is_valid():
            event = queue_manual_run(task, topic, form)
            url = reverse("admin:events_event_change", args=[event.pk])
            self.message_user(
                request,
                format_html('{}: queued <a href="{}">event {}</a>.', task.name, url, event.pk),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:tasks_app_task_change", args=[task.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Run {task.name}",
            "task": task,
            "topic": topic,
            "form": form,
        }
        return TemplateResponse(request, "admin/tasks_app/task/run.html", context)

    def export_view(self, request: HttpRequest, task_id) -> HttpResponse:
        task = get_object_or_404(self.get_queryset(request), pk=task_id)
        return json_download(task.export_data(), f"{task.name}.json")

    def preview_view(self, request: HttpRequest, task_id) -> HttpResponse:
        from tasks_app.preview import preview_task_definition

        task = get_object_or_404(self.get_queryset(request), pk=task_id)
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

    # --- the Liquid console ---------------------------------------------------------

    def console_event(self, request: HttpRequest, event_id: str | None) -> Event | None:
        """The event named by ``event_id`` among the user's shops' events; 404 for another's."""
        if not event_id:
            return None
        event = Event.objects.filter(pk=event_id, shop__in=visible_shops(request)).first()
        if event is None:
            raise Http404(f"no event {event_id} of your shops")
        return event

    def console_view(self, request: HttpRequest) -> HttpResponse:
        """The Liquid console (``?event=<id>`` renders in that event's context)."""
        event = self.console_event(request, request.GET.get("event"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Liquid console",
            "shops": visible_shops(request),
            "event": event,
            "source": "{{ shop.name }}" if event is None else "{{ event.topic }}",
        }
        return TemplateResponse(request, "admin/tasks_app/task/console.html", context)

    def console_render_view(self, request: HttpRequest) -> HttpResponse:
        """``POST`` the console's form: JSON ``{output, assigned, shopify_calls, error}``."""
        from tasks_app.console import render_console

        if request.method != "POST":
            return JsonResponse({"error": "POST the console's form"}, status=405)
        event = self.console_event(request, request.POST.get("event"))
        shop = (
            event.shop
            if event
            else visible_shops(request).filter(pk=request.POST.get("shop") or None).first()
        )
        if shop is None:
            return JsonResponse({"error": "choose one of your shops"}, status=404)
        return JsonResponse(render_console(request.POST.get("source", ""), shop, event).as_dict())

    # --- the task library ---------------------------------------------------------

    def library_view(self, request: HttpRequest) -> HttpResponse:
        """The task library (``HUB_TASK_LIBRARY_DIR``), searched by name, tag and topic (``?q=``)."""
        query = request.GET.get("q", "")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Task library",
            "configured": library.library_dir() is not None,
            "query": query,
            "found": library.entries(query),
        }
        return TemplateResponse(request, "admin/tasks_app/task/library.html", context)

    def library_entry_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        """One library task: its docs, a preview against the built-in preview shop, and Install."""
        from tasks_app.preview import preview_task_definition

        item = library.entry(slug)
        if item is None:
            raise Http404(f"no library task {slug!r}")
        results = preview_task_definition(item.data, fill_required=True)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": item.name,
            "item": item,
            "shops": visible_shops(request),
            "results": [result.as_dict() for result in results],
            "permissions": results[0].permissions if results else [],
        }
        return TemplateResponse(request, "admin/tasks_app/task/library_entry.html", context)

    def library_install_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        """``POST``: install the library task into the chosen shop, disabled, and open its editor."""
        from tasks_app.importer import TaskImportError, import_tasks

        item = library.entry(slug)
        if item is None or request.method != "POST":
            raise Http404(f"no library task {slug!r}")
        shop = visible_shops(request).filter(pk=request.POST.get("shop") or None).first()
        if shop is None:
            raise Http404("no such shop of yours")
        try:
            (imported,) = import_tasks(shop, item.data, source_name=f"{slug}.json")
        except TaskImportError as exc:
            self.message_user(request, f"{item.name} could not be installed: {exc}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:tasks_app_task_library_entry", args=[slug]))
        self.message_user(
            request,
            f"Installed {item.name} into {shop.myshopify_domain}, disabled: fill its options, then "
            "enable it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:tasks_app_task_change", args=[imported.task.pk]))

    def version_view(self, request: HttpRequest, task_id, number: int) -> HttpResponse:
        """One version of the task: what changed since, and a Restore button."""
        task = get_object_or_404(self.get_queryset(request), pk=task_id)
        version = get_object_or_404(TaskVersion, task=task, number=number)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{task.name}: version {number}",
            "task": task,
            "version": version,
            "diff": version.diff(task.export_data()),
        }
        return TemplateResponse(request, "admin/tasks_app/task/version.html", context)

    def restore_version_view(self, request: HttpRequest, task_id, number: int) -> HttpResponse:
        """``POST``: put the version's definition back (a new version records the restore)."""
        task = get_object_or_404(self.get_queryset(request), pk=task_id)
        version = get_object_or_404(TaskVersion, task=task, number=number)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:tasks_app_task_version", args=[task.pk, number]))
        version.restore_into(task)
        self.save_model(request, task, None, True)
        self.message_user(request, f"Restored version {number} of {task.name}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:tasks_app_task_change", args=[task.pk]))

    def live_preview_view(self, request: HttpRequest, task_id) -> HttpResponse:
        """``POST <task>/preview.json`` with the editor's form: preview the task as edited (script,
        subscriptions template, options), unsaved, against its preview events; JSON with the
        results (``preview_task`` ``--json`` records), option errors and the Shopify scopes."""
        from tasks_app.preview import preview_task_definition

        task = get_object_or_404(self.get_queryset(request), pk=task_id)
        if request.method != "POST":
            return JsonResponse({"error": "POST the editor's form"}, status=405)
        script = request.POST.get("script", task.script).replace("\r\n", "\n")
        template = request.POST.get("subscriptions_template", task.subscriptions_template).replace(
            "\r\n", "\n"
        )
        keys = option_keys(task.options, script, template)
        data = {
            PREFIX + key: request.POST.getlist(PREFIX + key)
            if parse_option_key(key).type == "multiselect"
            else request.POST.get(PREFIX + key)
            for key in keys
        }
        options, errors = read_options(data, keys, enabled=False)
        definition = {
            **task.export_data(),
            "script": script,
            "subscriptions_template": template,
            "options": {**(task.options or {}), **options},
        }
        results = preview_task_definition(definition, shop=task.shop)
        return JsonResponse(
            {
                "results": [result.json_record() for result in results],
                "option_errors": errors,
                "permissions": results[0].permissions if results else [],
            }
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        from tasks_app.importer import TaskImportError, import_tasks

        form = TaskImportForm(request.POST or None, request.FILES or None, shops=visible_shops(request))
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
