"""Rendering a task for an event: options first, then the script (spec/liquid.md §1.1).

Shared by task runs and previews: ``render_task`` takes plain data, so a
preview needs no database.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from events.topics import subject_variable
from hub.clock import SYSTEM_CLOCK, Clock
from tasks_app.liquid import RenderSettings, TaskRenderError, render_script, render_text
from tasks_app.liquid.drops import (
    RELATIONS,
    action_object,
    bulk_operation_object,
    cache_object,
    event_object,
    legacy_object,
)
from tasks_app.liquid.limits import RenderLimits
from tasks_app.options import runtime_options
from tasks_app.run_records import TaskRunRecord

if TYPE_CHECKING:
    from events.models import Event
    from integrations.models import Shop

logger = logging.getLogger(__name__)


@dataclass
class RenderOutcome:
    """What rendering a task produced.

    ``objects`` is the ordered result list (action/log/error objects);
    ``error`` is the task run's error message when it fails (a Liquid error,
    an invalid output stream, or the error objects' values per spec/runtime.md
    §4.2); ``error_details`` the source line and caret of a Liquid error;
    ``permanent`` false only when a ``shopify`` read failed with a network error or a 5xx
    (spec/runtime.md §4.4 step 6: a retry may succeed).
    """

    objects: list[dict] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    error: str | None = None
    error_details: str | None = None
    permanent: bool = True
    shopify_calls: list = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def actions(self) -> list[dict]:
        """The action objects' bodies (``{"type", "options", "meta"?, ...}``), in order."""
        return [obj["action"] for obj in self.objects if "action" in obj]

    @property
    def logs(self) -> list:
        """The log objects' values, in order."""
        return [obj["log"] for obj in self.objects if "log" in obj]

    @property
    def errors(self) -> list:
        """The error objects' values, in order."""
        return [obj["error"] for obj in self.objects if "error" in obj]


def error_message(values: list) -> str:
    """One run error from error-object values (spec/liquid.md §1.5 decision)."""
    if len(values) == 1:
        value = values[0]
        return value if isinstance(value, str) else compact_json(value)
    return compact_json(values)


def compact_json(value: Any) -> str:
    """Compact JSON with non-ASCII kept (spec/liquid.md §1.7)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def task_variables(
    *,
    shop: dict,
    event: dict,
    task: dict,
    cache: dict | None = None,
    input_values: dict | None = None,
    scope: dict | None = None,
) -> dict:
    """The variables a script sees, except ``options`` (spec/liquid.md §5.1, §5.2).

    The subject variable (``order`` for ``shopify/orders/*``...) holds the event data; the
    event's ``shopify_topic`` names it for events that came from Shopify under another topic.
    Objects behave as in Mechanic (tasks_app/liquid/drops.py): ``event.parent`` to 5
    generations, ``cache`` in key order, ``bulkOperation.objects[i].__parent``, and the legacy
    REST lookups of ``shop`` and Shopify subjects reading as nil (spec/liquid.md §5.5).
    ``scope`` is the shop's ``{"globals": {key: value}, "secrets": {key: reference}}``
    (``tasks_app.globals.liquid_scope``, spec/platform.md §5).
    """
    scope = scope or {}
    variables = {
        "shop": legacy_object(shop, "shop"),
        "event": event_object(event),
        "task": task,
        "cache": cache_object(cache),
        "globals": scope.get("globals") or {},
        "secrets": scope.get("secrets") or {},
    }
    name = subject_variable(event.get("topic", ""), event.get("shopify_topic"))
    if name == "input":
        variables["input"] = input_values if input_values is not None else event.get("data")
    elif name == "review":
        data = event.get("data")
        variables["review"] = data.get("review") if isinstance(data, dict) else None
    elif name == "bulkOperation":
        variables[name] = bulk_operation_object(event.get("data"))
    elif name == "action":
        variables[name] = action_object(event.get("data"))
    elif name in RELATIONS or (name and name.endswith("s") and name[:-1] in RELATIONS):
        variables[name] = legacy_object(event.get("data"), name if name in RELATIONS else name[:-1], name)
    elif name:
        variables[name] = event.get("data")
    if input_values is not None:
        variables["input"] = input_values
    return variables


def render_task(
    *,
    script: str,
    option_values: dict,
    variables: dict,
    settings: RenderSettings,
    on_options: Callable[[dict], None] | None = None,
) -> RenderOutcome:
    """Render option values, then the script, and evaluate the result list.

    Never raises for Liquid problems: they become ``outcome.error``.
    """
    outcome = RenderOutcome(shopify_calls=settings.shopify_calls)
    try:
        outcome.options = runtime_options(
            option_values,
            lambda text: render_text(text, variables, settings),
            global_values=variables.get("globals") or {},
            secret_references=variables.get("secrets") or {},
        )
        task = dict(variables.get("task") or {}, options=outcome.options)
        outcome.objects = render_script(
            script, {**variables, "task": task, "options": outcome.options}, settings
        )
    except TaskRenderError as exc:
        outcome.error = exc.message
        outcome.error_details = exc.details
        outcome.permanent = not settings.transient_failure
    else:
        if outcome.errors:
            outcome.error = error_message(outcome.errors)
    outcome.notices = list(settings.notices)
    if settings.notices:
        logger.info("%s: %s", settings.label or "render", "; ".join(settings.notices))
    return outcome


def render_task_run(task_run: TaskRunRecord, *, clock: Clock = SYSTEM_CLOCK) -> RenderOutcome:
    """Render the task of a task run against its event, with the shop's cache, globals and
    secrets (spec/runtime.md §4.4).

    ``task_run`` is the run engine's row: this reads its ``task``, ``event``, ``shop``,
    ``secret_nonce`` (which secret references carry; the engine makes it before the first
    render), ``shopify_api_version`` and ``result_meta`` (the Shopify usage counters, updated in
    place). The signing filters resolve secrets through ``settings.resolve_secret``; the
    ``shopify`` filter's client waits out throttling on ``clock``."""
    from integrations.shopify import ShopifyClient
    from tasks_app.bulk_results import BULK_OPERATION_TOPIC, BulkResultError, bulk_operation_data
    from tasks_app.globals import run_scope
    from tasks_app.secrets import secret_resolver

    task, event, shop = task_run.task, task_run.event, task_run.shop
    cache, scope = run_scope(shop, task_run.secret_nonce)
    variables = task_variables(
        shop=shop.liquid_data(),
        event=event.liquid_data(),
        task=task.liquid_data(),
        cache=cache,
        input_values=event.input,
        scope=scope,
    )
    if event.topic == BULK_OPERATION_TOPIC:
        try:  # spec/runtime.md §14.3 item 4: the result file, parsed, as bulkOperation.objects
            variables["bulkOperation"] = bulk_operation_object(bulk_operation_data(event))
        except BulkResultError as exc:
            return RenderOutcome(error=str(exc))
    settings = RenderSettings(
        timezone=shop.timezone_name,
        now=timezone.now(),
        preview=False,
        shopify=ShopifyClient(
            shop, task_run.shopify_api_version or None, usage=task_run.result_meta, clock=clock
        ).graphql,
        resolve_secret=secret_resolver(shop, task_run.secret_nonce),
        limits=RenderLimits.for_topic(event.topic),
        label=f"task run {task_run.pk} (task {task.pk}, event {event.pk})",
    )
    return render_task(
        script=task.script, option_values=task.options or {}, variables=variables, settings=settings
    )


def render_event_filter(template: str, event: "Event", shop: "Shop") -> str:
    """Render an event filter's template (spec/runtime.md §2.7) and return its output, stripped.

    The template sees ``event`` (``Event.liquid_data``), ``shop`` and ``cache``; the Shopify API is
    not available. Raises ``TaskRenderError`` (a ``LiquidError`` names line and column).
    """
    from tasks_app.models import CacheEntry

    variables = {"event": event.liquid_data(), "shop": shop.liquid_data(), "cache": CacheEntry.snapshot(shop)}
    settings = RenderSettings(
        timezone=shop.timezone_name,
        now=timezone.now(),
        preview=False,
        limits=RenderLimits.for_topic(event.topic),
        label=f"event filter for event {event.pk}",
    )
    return render_text(template, variables, settings).strip()
