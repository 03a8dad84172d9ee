"""The pages behind run links (spec/platform.md §6.7): ``/app/tasks/run`` (resource runs) and
``/app/tasks/<id>/run`` (a task's manual run page). A signed-in console user is required; a GET only
shows the page, the POST that follows creates the events."""

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods

from integrations.admin_scope import visible_shops
from integrations.models import Shop
from integrations.shopify.client import ShopifyError
from tasks_app.admin.options_form import read_options
from tasks_app.admin.tasks import run_form
from tasks_app.models import Task
from tasks_app.run_links import BATCH, INDIVIDUAL, RunLinkError, compatible_tasks, parse_link, start_runs


class ResourceRunForm(forms.Form):
    """The mode and the picked tasks of a resource run."""

    mode = forms.ChoiceField(
        choices=[(INDIVIDUAL, "One run per resource"), (BATCH, "One run for all of them")],
        initial=INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    tasks = forms.ModelMultipleChoiceField(queryset=Task.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, tasks: list[Task], batch: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = Task.objects.filter(pk__in=[task.pk for task in tasks]).order_by(
            "name"
        )
        if not batch:
            self.fields["mode"].choices = [(INDIVIDUAL, "One run per resource")]


def _console_user(request: HttpRequest) -> bool:
    return admin.site.has_permission(request)


def _shop(request: HttpRequest) -> Shop:
    """The shop of the link (``shop`` parameter), or the user's only shop; 404 for one they may not see."""
    shops = visible_shops(request)
    domain = request.GET.get("shop")
    if domain:
        return get_object_or_404(shops, myshopify_domain=domain.strip().lower())
    if shops.count() == 1:
        return shops.get()
    raise RunLinkError("shop: name the shop (shop=<domain>.myshopify.com): you can see several")


def _userform_task(tasks: list[Task]) -> Task | None:
    """The one picked task when it has user form options (their fields are then asked for)."""
    if len(tasks) != 1:
        return None
    form = run_form(tasks[0], "mechanic/user/form")
    return tasks[0] if getattr(form, "userform_keys", []) else None


@require_http_methods(["GET", "POST"])
def resource_run(request: HttpRequest) -> HttpResponse:
    """``/app/tasks/run?resource_type=<type>&ids[]=<id>...[&shop=<domain>]``: the resources, a mode
    choice and the compatible tasks; the POST fetches the resources from Shopify and creates the
    events (after asking for the user form of a single picked task that has one)."""
    if not _console_user(request):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    context: dict[str, Any] = {**admin.site.each_context(request), "title": "Run tasks"}
    try:
        shop = _shop(request)
        kind, ids = parse_link(
            request.GET.get("resource_type"), request.GET.getlist("ids[]") or request.GET.getlist("ids")
        )
    except RunLinkError as exc:
        return TemplateResponse(
            request, "tasks_app/run_link.html", {**context, "error": str(exc)}, status=400
        )
    tasks = compatible_tasks(shop, kind)
    data = request.POST if request.method == "POST" else None
    form = ResourceRunForm(data, tasks=tasks, batch=kind.batch_topic is not None)
    context.update(shop=shop, kind=kind, ids=ids, tasks=tasks, form=form)
    if request.method == "POST" and form.is_valid():
        picked = list(form.cleaned_data["tasks"])
        inputs_task = _userform_task(picked)
        inputs_form = (
            run_form(inputs_task, "mechanic/user/form", data if "inputs" in request.POST else None)
            if inputs_task
            else None
        )
        context.update(inputs_form=inputs_form, inputs_task=inputs_task)
        if inputs_form is None or (inputs_form.is_bound and inputs_form.is_valid()):
            inputs = _inputs(inputs_form)
            try:
                events = start_runs(shop, kind, ids, picked, form.cleaned_data["mode"], inputs)
            except (RunLinkError, ShopifyError) as exc:
                context["error"] = str(exc)
            else:
                return _done(request, events)
    return TemplateResponse(
        request, "tasks_app/run_link.html", context, status=400 if context.get("error") else 200
    )


def _inputs(inputs_form: forms.Form | None) -> dict | None:
    if inputs_form is None:
        return None
    keys = inputs_form.userform_keys  # type: ignore[attr-defined]
    values, _errors = read_options(inputs_form.cleaned_data, keys, enabled=False)
    return {key.split("__", 1)[0]: value for key, value in values.items()}


def _done(request: HttpRequest, events: list) -> HttpResponse:
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("admin:events_event_change", args=[e.pk]), e.topic) for e in events),
    )
    messages.success(request, format_html("Queued {} event(s): {}", len(events), links))
    return HttpResponseRedirect(reverse("admin:events_event_changelist"))


@require_http_methods(["GET"])
def task_run_link(request: HttpRequest, task_id: str) -> HttpResponse:
    """``/app/tasks/<id>/run[?data=<text>]``: the task's manual run page in the console (which asks
    before creating anything)."""
    if not _console_user(request):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    task = Task.objects.filter(pk=_uuid_or_404(task_id), shop__in=visible_shops(request)).first()
    if task is None:
        raise Http404("No such task")
    url = reverse("admin:tasks_app_task_run", args=[task.pk])
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _uuid_or_404(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise Http404("No such task") from None
