"""The Mechanic Liquid environment: python-liquid with Hub's tags, filters and rules
(spec/liquid.md §2–§4, §8; STYLE.md "Extending python-liquid")."""

from __future__ import annotations

import sys
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache, partial
from typing import Any, TypedDict, Unpack

import liquid
from liquid import BoundTemplate, RenderContext
from liquid.exceptions import LiquidSyntaxError
from liquid.token import Token
from liquid.utils import ReadOnlyChainMap

from .drops import HubDict, HubList
from .expressions import HubTokenStream
from .filters import register_filters
from .lexer import lex
from .limits import (
    BASE_SCOPE_DEPTH,
    SCALAR_SIZE,
    MeteredBuffer,
    RenderLimits,
    RenderMeter,
    estimate_size,
)
from .parser import get_parser
from .tags import register_tags

_UNDEFINED_DEFAULT = object()


class _TagNamespace(dict):
    """python-liquid's per-render state of stateful tags (``cycle``, ``ifchanged``, ``offset:
    continue``), made on first use: most renders use none of it."""

    __slots__ = ()

    def __missing__(self, key: str) -> Any:
        factory = _TAG_NAMESPACE_DEFAULTS.get(key)
        if factory is None:
            raise KeyError(key)
        value = self[key] = factory()
        return value


_TAG_NAMESPACE_DEFAULTS: dict[str, Callable[[], Any]] = {
    "cycles": dict,
    "ifchanged": str,
    "stopindex": dict,
    "extends": partial(defaultdict, list),
    "macros": dict,
}


class CopyState(TypedDict, total=False):
    """What ``RenderContext.copy`` hands the context of a nested block (python-liquid's keywords)."""

    copy_depth: int
    parent_context: RenderContext | None
    loop_iteration_carry: int
    local_namespace_size_carry: int


class HubRenderContext(RenderContext):
    """Render context: undefined names are plain nil, no ``now``/``today`` built-ins, and the
    run's ``RenderSettings`` travel with it (filters read them through ``context.settings``).

    ``meter`` is the run's ``RenderMeter`` (limits.py): ``assign`` charges the estimated size of
    each bound value (releasing the value it replaces) and ``get_buffer`` hands out metered
    buffers.
    """

    __slots__ = ("settings", "meter", "sizes")

    def __init__(
        self,
        template: BoundTemplate,
        *,
        settings: Any = None,
        globals: Mapping[str, object] | None = None,  # noqa: A002  (python-liquid's keyword)
        disabled_tags: list[str] | None = None,
        **copied: Unpack[CopyState],
    ):
        # RenderContext.__init__'s work, without the scope chain Hub replaces (no `now`/`today`
        # built-ins): one of these is made per render, often for a template of a few nodes.
        env = template.env
        self.env = env
        self.template = template
        self.locals: dict[str, object] = {}
        self.globals = globals or {}
        self.counters: dict[str, int] = {}
        # A chain map without the cost of its Python __init__.
        self.scope = scope = ReadOnlyChainMap.__new__(ReadOnlyChainMap)
        scope._maps = deque((self.locals, self.globals, self.counters))
        self.tag_namespace = _TagNamespace()
        self.loops: list[Any] = []
        self.disabled_tags = disabled_tags or []
        self.autoescape = env.autoescape
        self._copy_depth = copied.get("copy_depth", 0)
        self.parent_context = copied.get("parent_context")
        self.loop_iteration_carry = copied.get("loop_iteration_carry", 1)
        self.local_namespace_size_carry = copied.get("local_namespace_size_carry", 0)
        self.settings = settings
        if settings is None:
            self.meter: RenderMeter = RenderMeter(RenderLimits())
        else:
            self.meter = settings.meter or settings.run_meter()
        self.sizes: dict[str, int] = {}

    def copy(self, *args: Any, **kwargs: Any) -> RenderContext:
        """Copy the context, keeping the settings and the meter."""
        ctx = super().copy(*args, **kwargs)
        ctx.settings = self.settings
        ctx.meter = self.meter
        return ctx

    def assign(self, key: str, val: Any) -> None:
        """Bind ``key`` in the local namespace and charge its estimated size to the meter."""
        self.locals[key] = val
        kind = type(val)
        if kind is str:
            size = sys.getsizeof(val)
        elif kind is int or kind is float or kind is bool or val is None:
            size = SCALAR_SIZE
        else:
            size = estimate_size(val)
        sizes = self.sizes
        self.meter.charge(size - sizes.get(key, 0))
        sizes[key] = size

    def get_buffer(self, buf: Any = None) -> MeteredBuffer:
        """A buffer for ``capture`` and result-tag bodies whose text counts against memory."""
        return MeteredBuffer(self.meter)

    @contextmanager
    def extend(self, namespace: Mapping[str, object], template: BoundTemplate | None = None) -> Iterator[Any]:
        """Push ``namespace`` for a block (``tablerow``), within the context depth limit."""
        self.meter.check_depth(len(self.scope._maps) + 1 - BASE_SCOPE_DEPTH)
        self.scope.push(namespace)
        try:
            yield self
        finally:
            self.scope.pop()

    def get(self, path: list[object], *, token: Token | None, default: object = _UNDEFINED_DEFAULT) -> object:
        """Resolve ``path``; missing names and keys are nil (§1.6)."""
        if default is _UNDEFINED_DEFAULT:
            default = None
        root = path[0]
        if type(root) is not str:
            return default
        # Membership tests instead of python-liquid's try/except per scope map: a name found
        # in the globals of a nested loop would otherwise raise and catch once per map.
        for namespace in self.scope._maps:
            if root in namespace:
                obj = namespace[root]
                break
        else:
            return default
        if len(path) == 1:
            return obj
        get_item = self.get_item
        try:
            for segment in path[1:]:
                obj = get_item(obj, segment)
        except (KeyError, TypeError, IndexError):
            return default
        return obj

    def get_item(self, obj: Any, key: Any) -> Any:
        """One lookup step with Ruby Liquid's ``size``/``first``/``last`` and string-keyed hashes."""
        if isinstance(obj, dict):
            if key in obj:
                return obj[key]
            return _hash_property(obj, key, self)
        if isinstance(obj, (list, tuple)):
            if isinstance(key, int) and not isinstance(key, bool):
                return obj[key]
            return _array_property(obj, key, self)
        if isinstance(obj, str):
            if key == "size":
                return len(obj)
            raise KeyError(key)
        if isinstance(obj, range) and key in ("size", "first", "last"):
            if key == "size":
                return len(obj)
            return (obj[0] if key == "first" else obj[-1]) if len(obj) else None
        return super().get_item(obj, key)


def _hash_property(obj: dict, key: Any, context: HubRenderContext) -> Any:
    """``size`` or ``first`` of a hash without that key; else the drop's answer or KeyError."""
    if key == "size":
        return len(obj)
    if key == "first":
        if not obj:
            return None
        first = next(iter(obj.items()))
        return [first[0], first[1]]
    if isinstance(obj, HubDict):
        return obj.liquid_missing(key, context)
    raise KeyError(key)


def _array_property(obj: list | tuple, key: Any, context: HubRenderContext) -> Any:
    """``size``, ``first`` or ``last`` of an array; else the drop's answer or KeyError."""
    if key == "size":
        return len(obj)
    if key == "first":
        return obj[0] if obj else None
    if key == "last":
        return obj[-1] if obj else None
    if isinstance(obj, HubList):
        return obj.liquid_missing(key, context)
    raise KeyError(key)


class HubTemplate(BoundTemplate):
    """A parsed Mechanic template."""

    context_class = HubRenderContext

    def make_globals(self, render_args: Mapping[str, object]) -> Mapping[str, object]:
        """The render arguments themselves when the template adds no globals (Hub's case)."""
        if not self.matter and not self.globals:
            return render_args
        return super().make_globals(render_args)


class HubEnvironment(liquid.Environment):
    """python-liquid environment for the Mechanic dialect.

    Parsed templates are cached by source (``parse_cached``), so rendering the same script
    many times parses it once.
    """

    template_class = HubTemplate
    # Mechanic bounds runs by time and memory (runtime.md §13); these keep one render sane.
    # Hub meters output size and context depth per run (limits.py, RenderSettings.limits).
    output_stream_limit = None
    context_depth_limit = 1000

    def __init__(self, *, cache_size: int = 1024):
        super().__init__(strict_filters=True)
        self.parse_cached = lru_cache(maxsize=cache_size)(self.from_string)

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        """Register the standard tags and filters, then Hub's tags and filters over them."""
        super().setup_tags_and_filters(extra=extra)
        register_tags(self)
        register_filters(self)

    def tokenizer(self) -> Callable[[str], list[Token]]:
        """The template lexer, with raw ``permissions`` bodies (lexer.py)."""
        return lex

    def _parse(self, source: str) -> list:
        parser = get_parser(self)
        stream = HubTokenStream(self.tokenizer()(source))
        try:
            return parser.parse(stream)
        except RecursionError:
            # python-liquid would report "unexpected liquid parsing error" with no position.
            raise LiquidSyntaxError("template nested too deep", token=stream.current) from None
