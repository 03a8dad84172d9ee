"""Hub's entry points into the Mechanic Liquid dialect (spec/liquid.md §1): render any
surface to text, or render a task script into its ordered result list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from liquid.exceptions import LiquidError as _EngineError
from liquid.exceptions import LiquidInterrupt, OutputStreamLimitError

from .limits import RenderLimitError, RenderLimits, RenderMeter, metering
from .output_stream import parse_output_stream
from .values import HubRenderError, int_too_long, is_int_text_limit


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


class LimitExceededError(LiquidError):
    """A run exceeded one of its render limits (spec/runtime.md §13); ``limit`` names which:
    ``time``, ``memory``, ``loop_iterations``, ``output`` or ``context_depth``. Permanent: a
    retry would exceed it again."""

    def __init__(self, message: str, details: str | None, line: int | None, column: int | None, limit: str):
        super().__init__(message, details, line, column)
        self.limit = limit


class OutputStreamError(TaskRenderError):
    """The rendered output is not a stream of action/log/error objects (§1.2)."""


@dataclass
class RenderSettings:
    """How to render one run.

    ``timezone``: the store's IANA zone; ``now``: the single instant "now" of the run (aware);
    ``preview``: preview mode (§6); ``shopify``: handler the ``shopify`` filter calls with
    ``(query, variables)`` in live runs; ``shopify_calls``: every ``shopify`` filter call as
    ``{"query", "variables"}``, recorded in preview and live runs alike.
    ``limits``: the run's render limits (default: from Django settings, spec/runtime.md §13);
    ``notices``: what the run asked for that Hub could not provide (legacy REST lookups,
    spec/liquid.md §5.5), one sentence each, for previews and the run log; ``label``: who is
    rendering, for log lines (e.g. ``task run <id>``).
    One ``RenderSettings`` is one run: its meter (time, iterations) spans every render made
    with it.
    """

    timezone: str = "UTC"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    preview: bool = False
    shopify: Callable[[str, dict | None], Any] | None = None
    shopify_calls: list = field(default_factory=list)
    locale: str = "en"
    currency: str = "USD"
    resolve_secret: Callable[[str], str] | None = None  # run-nonce secret references → raw values
    limits: RenderLimits = field(default_factory=RenderLimits.for_topic)
    notices: list[str] = field(default_factory=list)
    label: str | None = None
    # Set when a ``shopify`` read failed in a way a later attempt may not (network error, 5xx):
    # the run's failure is then not permanent (spec/runtime.md §4.4 step 6, §9.1).
    transient_failure: bool = False
    meter: RenderMeter | None = field(default=None, init=False, repr=False, compare=False)

    def run_meter(self) -> RenderMeter:
        """The run's meter, created at the first render with these settings."""
        if self.meter is None:
            self.meter = RenderMeter(self.limits)
        return self.meter

    def notice(self, text: str) -> None:
        """Record ``text`` once in ``notices``."""
        if text not in self.notices:
            self.notices.append(text)


def _environment():
    global _ENV
    if _ENV is None:
        from .environment import HubEnvironment

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
    text = (
        f"Liquid error: {message}"
        if line is None
        else f"Liquid error (line {line}, column {column}): {message}"
    )
    if isinstance(err, RenderLimitError):
        return LimitExceededError(text, details, line, column, err.limit)
    return LiquidError(text, details, line, column)


def _at_node(err: _EngineError, node: Any) -> _EngineError:
    # The top-level node being rendered: the nearest position known for a failure that
    # python-liquid did not attach a token to.
    if node is not None:
        err.token = node.token
    return err


def parse(source: str):
    """Parse ``source`` (cached by source text). Raises ``LiquidError`` for syntax errors."""
    try:
        return _environment().parse_cached(source)
    except _EngineError as err:
        raise _convert(err) from err


def render_text(source: str, variables: dict, settings: RenderSettings, assigned: dict | None = None) -> str:
    """Render any Liquid surface to text (option values, subscription templates, scripts).

    A top-level ``break``/``continue`` ends the render with the text so far (§2.11).
    ``assigned``, when given, receives the variables the template assigned (the Liquid console
    shows them). Raises ``LiquidError`` for parse and render errors, ``LimitExceededError`` (a
    ``LiquidError``) when the run exceeds a render limit (``settings.limits``).
    """
    if "{" not in source:
        return source  # no markup (most option values): nothing to parse or render
    template = parse(source)
    meter = settings.run_meter()
    with metering(meter):
        return _render(template, variables, meter, settings, assigned)


def _render(
    template: Any, variables: dict, meter: RenderMeter, settings: RenderSettings, assigned: dict | None
) -> str:
    node = None
    try:
        meter.begin_render(variables)
        context = template.context_class(
            template, globals=template.make_globals(variables), settings=settings
        )
        buffer = meter.output_buffer()
        output_chars = meter.output_chars
        try:
            for node in template.nodes:
                node.render_to_output(context, buffer)
                size = buffer.tell()
                if size > output_chars or meter.live + size > meter.memory_bytes:
                    meter.check_output()
        except LiquidInterrupt:
            meter.check_output()
        finally:
            if assigned is not None:
                assigned.update(context.locals)
    except OutputStreamLimitError as err:
        raise _convert(err) from err
    except _EngineError as err:
        if err.token is None and node is not None:
            err.token = node.token
        raise _convert(err) from err
    except RecursionError as err:
        raise _convert(_at_node(HubRenderError("nesting too deep"), node)) from err
    except ValueError as err:
        if not is_int_text_limit(err):
            raise
        # Python refuses to print integers this long; a tag that printed one names it here.
        message = f"integer too large to print ({int_too_long()})"
        raise _convert(_at_node(HubRenderError(message), node)) from err
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
