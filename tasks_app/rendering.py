"""Rendering a task for an event: options first, then the script (spec/liquid.md §1.1).

Shared by task runs and previews: ``render_task`` takes plain data, so a
preview needs no database.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from events.topics import subject_variable
from tasks_app.liquid import RenderSettings, TaskRenderError, render_script, render_text
from tasks_app.options import runtime_options


@dataclass
class RenderOutcome:
    """What rendering a task produced.

    ``objects`` is the ordered result list (action/log/error objects);
    ``error`` is the task run's error message when it fails (a Liquid error,
    an invalid output stream, or the error objects' values per spec/runtime.md
    §4.2); ``error_details`` the source line and caret of a Liquid error.
    """

    objects: list[dict] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    error: str | None = None
    error_details: str | None = None
    shopify_calls: list = field(default_factory=list)

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
    shopify_topic: str | None = None,
    input_values: dict | None = None,
) -> dict:
    """The variables a script sees, except ``options`` (spec/liquid.md §5.1, §5.2).

    The subject variable (``order`` for ``shopify/orders/*``...) holds the event data.
    """
    variables = {
        "shop": shop,
        "event": event,
        "task": task,
        "cache": cache or {},
        "globals": {},
        "secrets": {},
    }
    name = subject_variable(event.get("topic", ""), shopify_topic)
    if name == "input":
        variables["input"] = input_values if input_values is not None else event.get("data")
    elif name == "review":
        data = event.get("data")
        variables["review"] = data.get("review") if isinstance(data, dict) else None
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
        outcome.options = runtime_options(option_values, lambda text: render_text(text, variables, settings))
        task = dict(variables.get("task") or {}, options=outcome.options)
        outcome.objects = render_script(
            script, {**variables, "task": task, "options": outcome.options}, settings
        )
    except TaskRenderError as exc:
        outcome.error = exc.message
        outcome.error_details = exc.details
        return outcome
    if outcome.errors:
        outcome.error = error_message(outcome.errors)
    return outcome


def render_task_run(task_run) -> RenderOutcome:
    """Render the task of a stored task run against its event, with the shop's cache."""
    from tasks_app.models import CacheEntry

    task, event, shop = task_run.task, task_run.event, task_run.shop
    variables = task_variables(
        shop=shop.liquid_data(),
        event=event.liquid_data(),
        task=task.liquid_data(),
        cache=CacheEntry.snapshot(shop),
        shopify_topic=event.shopify_topic,
        input_values=event.input,
    )
    settings = RenderSettings(timezone=shop.timezone_name, now=timezone.now(), preview=False)
    return render_task(
        script=task.script, option_values=task.options or {}, variables=variables, settings=settings
    )
