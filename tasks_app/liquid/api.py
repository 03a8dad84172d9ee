"""Hub's entry points into the Mechanic Liquid dialect (spec/liquid.md §1): render any
surface to text, or render a task script into its ordered result list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import StringIO
from typing import Any

from liquid.exceptions import LiquidError as _EngineError
from liquid.exceptions import LiquidInterrupt, OutputStreamLimitError

from .output_stream import parse_output_stream


class TaskRenderError(Exception):
    """A render that cannot yield a result list.

    ``message`` is what the user sees; ``details`` (may be None) holds the source line with a
    caret under the failing column.
    """

    def __init__(self, message: str, details: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details


class LiquidError(TaskRenderError):
    """A Liquid syntax or render error: ``Liquid error (line N, column M): message`` (§1.6).

    ``line`` and ``column`` are 1-based, or None when the error has no position.
    """

    def __init__(
        self, message: str, details: str | None = None, line: int | None = None, column: int | None = None
    ):
        super().__init__(message, details)
        self.line = line
        self.column = column


class OutputStreamError(TaskRenderError):
    """The rendered output is not a stream of action/log/error objects (§1.2)."""


@dataclass
class RenderSettings:
    """How to render one run.

    ``timezone``: the store's IANA zone; ``now``: the single instant "now" of the run (aware);
    ``preview``: preview mode (§6); ``shopify``: handler the ``shopify`` filter calls with
    ``(query, variables)`` in live runs; ``shopify_calls``: every ``shopify`` filter call as
    ``{"query", "variables"}``, recorded in preview and live runs alike.
    """

    timezone: str = "UTC"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    preview: bool = False
    shopify: Callable[[str, dict | None], Any] | None = None
    shopify_calls: list = field(default_factory=list)
    locale: str = "en"
    currency: str = "USD"


def _environment():
    from .environment import HubEnvironment

    global _ENV
    if _ENV is None:
        _ENV = HubEnvironment()
    return _ENV


_ENV = None


def _position(err: _EngineError) -> tuple[int | None, int | None, str | None]:
    token = err.token
    if token is None or token.start_index < 0 or not token.source:
        return None, None, None
    source = token.source
    index = min(token.start_index, len(source))
    line_start = source.rfind("\n", 0, index) + 1
    line_end = source.find("\n", index)
    line_end = len(source) if line_end < 0 else line_end
    line = source.count("\n", 0, index) + 1
    column = index - line_start + 1
    text = source[line_start:line_end].rstrip("\r")
    details = f"{text}\n{' ' * (column - 1)}^"
    return line, column, details


def _convert(err: _EngineError) -> LiquidError:
    message = str(err.message) if err.message is not None else err.__class__.__name__
    line, column, details = _position(err)
    if line is None:
        return LiquidError(f"Liquid error: {message}")
    return LiquidError(f"Liquid error (line {line}, column {column}): {message}", details, line, column)


def parse(source: str):
    """Parse ``source`` (cached by source text). Raises ``LiquidError`` for syntax errors."""
    try:
        return _environment().parse_cached(source)
    except _EngineError as err:
        raise _convert(err) from err


def render_text(source: str, variables: dict, settings: RenderSettings) -> str:
    """Render any Liquid surface to text (option values, subscription templates, scripts).

    A top-level ``break``/``continue`` ends the render with the text so far (§2.11).
    Raises ``LiquidError`` for parse and render errors.
    """
    template = parse(source)
    context = template.context_class(template, globals=template.make_globals(variables), settings=settings)
    buffer = StringIO()
    node = None
    try:
        for node in template.nodes:
            node.render(context, buffer)
    except LiquidInterrupt:
        pass
    except OutputStreamLimitError as err:
        raise _convert(err) from err
    except _EngineError as err:
        if err.token is None and node is not None:
            err.token = node.token
        raise _convert(err) from err
    except RecursionError as err:
        raise LiquidError("Liquid error: nesting too deep") from err
    return buffer.getvalue()


def render_script(source: str, variables: dict, settings: RenderSettings) -> list[dict]:
    """Render a task script and parse its output into the ordered result list (§1.2).

    Returns a list of ``{"action": {...}}``, ``{"log": value}`` and ``{"error": value}``.
    Raises ``LiquidError`` for parse/render errors and ``OutputStreamError`` for an invalid stream.
    """
    text = render_text(source, variables, settings)
    objects, failure = parse_output_stream(text)
    if failure is not None:
        offset, excerpt, reason = failure
        raise OutputStreamError(
            f"Task output is not a valid stream of action/log/error objects "
            f"(at character {offset}: {reason}): {excerpt}",
            details=excerpt,
        )
    return objects
