"""Resource limits of one task run's rendering (spec/runtime.md §13, spec/liquid.md §1.6, §2.11).

python-liquid has no wall-time or memory limit, and its loop limit bounds the product of nested
loop lengths rather than the work done. Hub meters each run itself:

- **time**: a deadline, checked on every loop iteration (``for``, ``tablerow``). Only loops
  repeat work in Liquid (there is no recursion without ``render``/``include``), so any run —
  also a long loop of assigns and filters that writes nothing — stops within one iteration of
  its deadline. One single filter call is not interrupted (a filter over a range is charged to
  the iteration limit first, see below).
- **memory**: an estimate of the bytes the run holds: the input variables once, the text
  written to every open output buffer (the script's output, ``capture`` and result-tag bodies)
  and the values bound by ``assign``/``capture`` (a variable's old value is released when it is
  rebound). Measuring the process instead is unsound here: ``tracemalloc`` slows rendering
  2–3×, ``RLIMIT_AS`` and RSS are per process (a worker thread would be charged for its
  neighbours, and freed memory is not returned to the OS, so one large run would fail every
  later run in the worker). The estimate is deterministic (the same script fails the same way
  in preview and in a run), costs O(1) per write and a bounded sample per assign, and covers
  how scripts grow without bound: loops that append, push, concat or capture. Container sizes
  are extrapolated from a sample of their items, so they are approximate; a worker-level
  process limit remains the backstop for single filter calls that explode.
  The script's own output is a plain ``StringIO`` (a metered write would cost several times
  the write): its length is checked where output can grow without bound — every loop
  iteration, the end of every loop, every assign — and after each top-level tag, so a run
  stops within one iteration (or one top-level tag) of exceeding the memory or output limit.
- **loop iterations**: a safety net far above what the library does (it loops ``(0..30000)``
  and nests pagination loops): 10 million iterations per run, every loop of the run counted,
  plus the length of every range handed to a filter (``(1..n) | join`` iterates n times).
- **output size** and **context depth** (nested loop scopes): configurable per run, as
  python-liquid's ``output_stream_limit``/``context_depth_limit`` are per environment.

Exceeding a limit fails the run with ``RenderLimitError``, whose message names the limit, its
value and the setting that sets it, e.g. ``task run exceeded the time limit of 60 s
(HUB_TASK_RUN_TIMEOUT_S)``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from io import StringIO
from itertools import islice
from sys import getsizeof
from typing import Any

from liquid.token import Token

from .values import HubRenderError

BULK_OPERATION_TOPIC = "mechanic/shopify/bulk_operation"
BULK_TIME_S = 300
"""Wall time of a bulk-operation run (spec/runtime.md §13), independent of the setting."""
BULK_MEMORY_FACTOR = 4
MB = 1024 * 1024
BASE_SCOPE_DEPTH = 3
"""Maps in a fresh render context's scope chain (locals, globals, counters); each loop adds one."""


@dataclass(frozen=True)
class RenderLimits:
    """The limits of one task run.

    ``time_s``: wall seconds from the first render of the run; ``memory_mb``: estimated MiB held
    (see the module docstring); ``loop_iterations``: iterations of all loops of the run;
    ``output_mb``: MiB of script output, counted in characters; ``context_depth``: nested loop
    scopes. The ``*_source`` strings name where a value comes from in error messages.
    """

    time_s: float = 60
    memory_mb: float = 512
    loop_iterations: int = 10_000_000
    output_mb: float = 64
    context_depth: int = 30
    time_source: str = "HUB_TASK_RUN_TIMEOUT_S"
    memory_source: str = "HUB_TASK_RUN_MEMORY_MB"
    loop_iterations_source: str = "HUB_LIQUID_LOOP_ITERATION_LIMIT"
    output_source: str = "HUB_LIQUID_OUTPUT_LIMIT_MB"
    context_depth_source: str = "HUB_LIQUID_CONTEXT_DEPTH_LIMIT"

    @cached_property
    def memory_bytes(self) -> int:
        """``memory_mb`` in bytes."""
        return int(self.memory_mb * MB)

    @cached_property
    def output_chars(self) -> int:
        """``output_mb`` in characters (one per byte)."""
        return int(self.output_mb * MB)

    @classmethod
    def for_topic(cls, topic: str | None = None) -> RenderLimits:
        """The limits from Django settings for a run of ``topic``: bulk-operation runs get 300 s
        and 4× the memory (spec/runtime.md §13). Defaults when Django is not configured.

        Cached per process; a changed setting (``override_settings``) clears the cache.
        """
        bulk = topic == BULK_OPERATION_TOPIC
        limits = _CACHE.get(bulk)
        if limits is None:
            limits = _CACHE[bulk] = cls.from_settings()
            if bulk:
                limits = _CACHE[bulk] = limits.for_bulk_operation()
        return limits

    @classmethod
    def from_settings(cls) -> RenderLimits:
        """The limits the Django settings give (defaults for what they leave out)."""
        values: dict[str, Any] = {}
        try:
            from django.conf import settings

            if settings.configured:
                for name, key in (
                    ("HUB_TASK_RUN_TIMEOUT_S", "time_s"),
                    ("HUB_TASK_RUN_MEMORY_MB", "memory_mb"),
                    ("HUB_LIQUID_LOOP_ITERATION_LIMIT", "loop_iterations"),
                    ("HUB_LIQUID_OUTPUT_LIMIT_MB", "output_mb"),
                    ("HUB_LIQUID_CONTEXT_DEPTH_LIMIT", "context_depth"),
                ):
                    if hasattr(settings, name):
                        values[key] = getattr(settings, name)
        except ImportError:  # pragma: no cover - the dialect used outside Django
            pass
        return cls(**values)

    def for_bulk_operation(self) -> RenderLimits:
        """These limits as a bulk-operation run gets them: 300 s, 4× memory."""
        return RenderLimits(
            time_s=BULK_TIME_S,
            memory_mb=self.memory_mb * BULK_MEMORY_FACTOR,
            loop_iterations=self.loop_iterations,
            output_mb=self.output_mb,
            context_depth=self.context_depth,
            time_source="bulk-operation runs",
            memory_source=f"{BULK_MEMORY_FACTOR} × {self.memory_source}, bulk-operation runs",
            loop_iterations_source=self.loop_iterations_source,
            output_source=self.output_source,
            context_depth_source=self.context_depth_source,
        )


_CACHE: dict[bool, RenderLimits] = {}
SETTINGS = frozenset(
    [
        "HUB_TASK_RUN_TIMEOUT_S",
        "HUB_TASK_RUN_MEMORY_MB",
        "HUB_LIQUID_LOOP_ITERATION_LIMIT",
        "HUB_LIQUID_OUTPUT_LIMIT_MB",
        "HUB_LIQUID_CONTEXT_DEPTH_LIMIT",
    ]
)


def _setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in SETTINGS:
        _CACHE.clear()


try:
    from django.test.signals import setting_changed

    setting_changed.connect(_setting_changed, dispatch_uid="hub-liquid-render-limits")
except ImportError:  # pragma: no cover - the dialect used outside Django
    pass


class RenderLimitError(HubRenderError):
    """A run exceeded one of its ``RenderLimits``; ``limit`` is ``time``, ``memory``,
    ``loop_iterations``, ``output`` or ``context_depth``."""

    def __init__(self, limit: str, message: str, token: Token | None = None):
        super().__init__(message, token=token)
        self.limit = limit


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class RenderMeter:
    """What one task run has used so far, against its ``RenderLimits``.

    One meter serves every render of a run (option values, then the script): the deadline
    starts at the first ``start()`` and iterations accumulate. ``live`` is the current memory
    estimate in bytes (reset by ``begin_render`` for each template, as each render's variables
    die with it). Raises ``RenderLimitError``.
    """

    __slots__ = (
        "limits",
        "deadline",
        "iterations",
        "live",
        "memory_bytes",
        "output_chars",
        "inputs",
        "output",
    )

    def __init__(self, limits: RenderLimits):
        self.limits = limits
        self.deadline: float | None = None
        self.iterations = 0
        self.live = 0
        self.memory_bytes = limits.memory_bytes
        self.output_chars = limits.output_chars
        self.inputs: tuple[Any, int] = (None, 0)
        self.output: StringIO | None = None

    def begin_render(self, variables: Mapping) -> None:
        """Start the clock (first render of the run only) and charge the input variables."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.limits.time_s
        inputs = self.inputs
        if inputs[0] is not variables:  # option values render with the same variables
            inputs = self.inputs = (variables, estimate_size(variables, budget=16))
        self.live = inputs[1]
        self.output = None
        if self.live > self.memory_bytes:
            raise self.error("memory")

    def output_buffer(self) -> StringIO:
        """The buffer of this render's output, measured by ``check_output``."""
        self.output = StringIO()
        return self.output

    def output_size(self) -> int:
        """Characters written to this render's output so far."""
        return self.output.tell() if self.output is not None else 0

    def check_output(self, token: Token | None = None) -> None:
        """Raise when the output written so far exceeds the memory or output size limit."""
        if self.output is not None:
            size = self.output.tell()
            if self.live + size > self.memory_bytes:
                raise self.error("memory", token)
            if size > self.output_chars:
                raise self.error("output", token)

    def tick(self, token: Token | None, count: int = 1) -> None:
        """Count ``count`` loop iterations and check the iteration limit and the deadline."""
        self.iterations += count
        if self.iterations > self.limits.loop_iterations:
            raise self.error("loop_iterations", token)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self.error("time", token)
        self.check_output(token)

    def check_time(self, token: Token | None = None) -> None:
        """Raise when the run is past its deadline."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self.error("time", token)

    def charge(self, nbytes: int, token: Token | None = None) -> None:
        """Add ``nbytes`` (may be negative) to the memory estimate and check the limit."""
        self.live += nbytes
        if nbytes > 0 and self.live + self.output_size() > self.memory_bytes:
            raise self.error("memory", token)

    def check_build(self, chars: int, token: Token | None = None) -> None:
        """Raise before a filter builds a value of about ``chars`` characters (or list slots)
        that would take the run past its memory limit (spec/liquid.md §6)."""
        if self.live + self.output_size() + chars > self.memory_bytes:
            raise self.error("memory", token)

    def seconds_left(self) -> float | None:
        """Wall seconds until the deadline (at least a millisecond), or None before it starts."""
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.error("time")
        return max(left, 0.001)

    def check_depth(self, depth: int, token: Token | None = None) -> None:
        """Raise when ``depth`` nested loop scopes exceed the context depth limit."""
        if depth > self.limits.context_depth:
            raise self.error("context_depth", token)

    def error(self, limit: str, token: Token | None = None) -> RenderLimitError:
        """The error for exceeding ``limit``, naming its value and source."""
        lim = self.limits
        text = {
            "time": f"the time limit of {_number(lim.time_s)} s ({lim.time_source})",
            "memory": f"the memory limit of {_number(lim.memory_mb)} MB ({lim.memory_source})",
            "loop_iterations": (
                f"the loop iteration limit of {lim.loop_iterations} iterations ({lim.loop_iterations_source})"
            ),
            "output": f"the output size limit of {_number(lim.output_mb)} MB ({lim.output_source})",
            "context_depth": (
                f"the context depth limit of {lim.context_depth} nested loops ({lim.context_depth_source})"
            ),
        }[limit]
        return RenderLimitError(limit, f"task run exceeded {text}", token=token)


_CURRENT: ContextVar[RenderMeter | None] = ContextVar("hub_liquid_meter", default=None)


def current_meter() -> RenderMeter | None:
    """The meter of the render running in this thread (``metering``), for filters that guard
    what they build."""
    return _CURRENT.get()


class metering:  # noqa: N801  (used as a context manager, like contextlib's)
    """``with metering(meter):`` makes ``meter`` the thread's current one for the block."""

    def __init__(self, meter: RenderMeter):
        self.meter = meter

    def __enter__(self) -> RenderMeter:
        self.token = _CURRENT.set(self.meter)
        return self.meter

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self.token)


def check_build(chars: int) -> None:
    """Raise the current run's memory error before building about ``chars`` characters that would
    exceed its limit; nothing outside a render. Filters call this before they allocate."""
    meter = _CURRENT.get()
    if meter is not None:
        meter.check_build(chars)


class MeteredBuffer:
    """A buffer for ``capture`` and result-tag bodies that charges what is written to the
    run's meter on every write. ``release`` gives the buffer's charge back when its text is
    handed on (a finished ``capture``).

    Only ``write`` and ``getvalue`` are offered: that is all the nodes use, and collecting
    the parts in a list costs less per write than a ``StringIO`` subclass.
    """

    __slots__ = ("meter", "size", "_parts")

    def __init__(self, meter: RenderMeter):
        self.meter = meter
        self.size = 0
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        """Write ``text``; raises ``RenderLimitError`` for memory."""
        n = len(text)
        if n:
            meter = self.meter
            self.size += n
            meter.live += n
            if meter.live + meter.output_size() > meter.memory_bytes:
                raise meter.error("memory")
            self._parts.append(text)
        return n

    def getvalue(self) -> str:
        """Everything written so far."""
        parts = self._parts
        if len(parts) > 1:
            parts[:] = ["".join(parts)]
        return parts[0] if parts else ""

    def release(self) -> None:
        """Return this buffer's charge to the meter."""
        self.meter.live -= self.size
        self.size = 0


# -- size estimate --------------------------------------------------------------------------

_SAMPLE = 4
SCALAR_SIZE = 32
"""Bytes charged for an int, float, bool or nil (object plus pointer)."""


def estimate_size(value: Any, budget: int = 32) -> int:
    """Approximate bytes held by a Liquid value: exact for strings and scalars; containers are
    extrapolated from up to 4 sampled items each, visiting at most ``budget`` containers.

    Cost is bounded by ``budget`` whatever the value's size.
    """
    return _size(value, [budget])


def _size(value: Any, budget: list[int]) -> int:
    kind = type(value)
    if kind is str:
        return getsizeof(value)
    if value is None or kind is int or kind is float or kind is bool:
        return SCALAR_SIZE
    if kind is list or kind is tuple or (kind is not dict and isinstance(value, (list, tuple))):
        return _sequence_size(value, budget)
    if kind is dict or isinstance(value, Mapping):
        return _mapping_size(value, budget)
    if kind is bytes:
        return getsizeof(value)
    return SCALAR_SIZE


def _sequence_size(value: list | tuple, budget: list[int]) -> int:
    """A list's own size plus its items', extrapolated from up to ``_SAMPLE`` of them."""
    n = len(value)
    shallow = getsizeof(value)
    if not n:
        return shallow
    budget[0] -= 1
    if budget[0] < 0:
        return shallow + n * 64
    if n > _SAMPLE:
        step = (n - 1) / (_SAMPLE - 1)
        value = [value[round(i * step)] for i in range(_SAMPLE)]
    total = 0
    for item in value:
        kind = type(item)
        if kind is str:
            total += getsizeof(item)
        elif kind in _SCALARS:
            total += SCALAR_SIZE
        else:
            total += _size(item, budget)
    return shallow + (total if n <= _SAMPLE else n * total // _SAMPLE)


def _mapping_size(value: Mapping, budget: list[int]) -> int:
    """A hash's own size plus its keys' and values', extrapolated from its first ``_SAMPLE``."""
    n = len(value)
    shallow = getsizeof(value) if isinstance(value, dict) else 64 + 100 * n
    if not n:
        return shallow
    budget[0] -= 1
    if budget[0] < 0:
        return shallow + n * 128
    total = 0
    for key, item in value.items() if n <= _SAMPLE else islice(value.items(), _SAMPLE):
        total += getsizeof(key) if type(key) is str else _size(key, budget)
        kind = type(item)
        if kind is str:
            total += getsizeof(item)
        elif kind in _SCALARS:
            total += SCALAR_SIZE
        else:
            total += _size(item, budget)
    return shallow + (total if n <= _SAMPLE else n * total // _SAMPLE)


# Types charged SCALAR_SIZE; items of these and strings are sized inline, without a call (the
# input variables are sized once per run, and most of their items are such leaves).
_SCALARS = frozenset([type(None), int, float, bool])
