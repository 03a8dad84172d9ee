"""The Mechanic Liquid dialect (spec/liquid.md).

Public interface used by the rest of Hub:

- ``RenderSettings``: time zone, "now", preview flag and the ``shopify`` filter handler.
- ``render_text(source, variables, settings) -> str``: render any Liquid surface to text
  (option values, subscriptions templates).
- ``render_script(source, variables, settings) -> list[dict]``: render a task script and
  parse its output into the ordered result list (spec/liquid.md §1).
- ``LiquidError``: parse or render failure, message ``Liquid error (line N, column M): ...``;
  ``OutputStreamError``: the output is not a stream of action/log/error objects.
- ``parse(source)``: parse only (cached by source); raises ``LiquidError`` for syntax errors.
"""

from tasks_app.liquid.api import (
    LiquidError,
    OutputStreamError,
    RenderSettings,
    TaskRenderError,
    parse,
    render_script,
    render_text,
)

__all__ = [
    "LiquidError",
    "OutputStreamError",
    "RenderSettings",
    "TaskRenderError",
    "parse",
    "render_script",
    "render_text",
]
