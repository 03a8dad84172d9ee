"""The Liquid console: render a snippet for a shop, optionally in the context of one of its
events, and show the output, the variables it assigned and the Shopify requests it made
(spec/platform.md §9.8).

The snippet sees what a task run sees (``shop``, ``event`` and its subject variable, ``cache``,
``globals``, ``secrets`` as references), renders under the run limits, and may read Shopify
through the ``shopify`` filter at most ``MAX_SHOPIFY_CALLS`` times. Nothing is performed: actions
it prints are only text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from events.models import Event
from integrations.models import Shop
from integrations.shopify import ShopifyClient
from tasks_app.globals import run_scope
from tasks_app.liquid import RenderSettings, TaskRenderError, render_text
from tasks_app.liquid.api import LiquidError
from tasks_app.rendering import task_variables
from tasks_app.secrets import new_nonce

MAX_SHOPIFY_CALLS = 10


@dataclass
class ConsoleResult:
    """What a console render gave: output text, assigned variables (JSON-safe), the Shopify
    requests (``{"query", "variables"}``), and the error, if any."""

    output: str = ""
    assigned: dict[str, Any] = field(default_factory=dict)
    shopify_calls: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "assigned": self.assigned,
            "shopify_calls": self.shopify_calls,
            "error": self.error,
        }


def json_safe(value: Any) -> Any:
    """``value`` as JSON can carry it (drops and other objects as their text)."""
    return json.loads(json.dumps(value, default=str))


def render_console(source: str, shop: Shop, event: Event | None = None) -> ConsoleResult:
    """Render ``source`` for ``shop`` (and ``event``), as the module docstring says."""
    cache, scope = run_scope(shop, new_nonce())
    event_data = (
        event.liquid_data() if event is not None else {"topic": "mechanic/user/console", "data": None}
    )
    variables = task_variables(
        shop=shop.liquid_data(), event=event_data, task={}, cache=cache, input_values=None, scope=scope
    )
    client = ShopifyClient(shop)
    settings = RenderSettings(timezone=shop.timezone_name, now=timezone.now(), label="Liquid console")

    def shopify(query: str, query_variables: dict | None = None) -> Any:
        if len(settings.shopify_calls) > MAX_SHOPIFY_CALLS:
            raise LiquidError(f"the console makes at most {MAX_SHOPIFY_CALLS} Shopify requests")
        return client.graphql(query, query_variables)

    settings.shopify = shopify
    result = ConsoleResult()
    assigned: dict[str, Any] = {}
    try:
        result.output = render_text(source, variables, settings, assigned)
    except TaskRenderError as exc:
        result.error = exc.message
    result.assigned = json_safe(assigned)
    result.shopify_calls = json_safe(settings.shopify_calls[:MAX_SHOPIFY_CALLS])
    return result
