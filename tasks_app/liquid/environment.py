"""The Mechanic Liquid environment: python-liquid with Hub's tags, filters and rules
(spec/liquid.md §2–§4, §8; STYLE.md "Extending python-liquid")."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache, partial
from typing import Any

import liquid
from liquid import BoundTemplate, RenderContext
from liquid.lex import _tokenize_template, compile_liquid_rules
from liquid.parser import get_parser
from liquid.token import TOKEN_CONTENT, TOKEN_TAG, Token
from liquid.utils import ReadOnlyChainMap

from .drops import HubDict, HubList
from .expressions import HubTokenStream
from .filters import register_filters
from .limits import (
    BASE_SCOPE_DEPTH,
    SCALAR_SIZE,
    MeteredBuffer,
    RenderLimits,
    RenderMeter,
    estimate_size,
)
from .tags import register_tags

_UNDEFINED_DEFAULT = object()

# `permissions` has a raw body (§2.5): lex it like `raw` so Liquid inside it is never parsed.
_PERMISSIONS = (
    r"(?P<PERMISSIONS>{%-?\s*permissions\s*(?P<prs>-?)%}(?P<perm>.*?){%-?\s*endpermissions\s*(?P<pre>-?)%})"
)


def _lexer() -> Callable[[str], Iterator[Token]]:
    standard = compile_liquid_rules()
    rules = re.compile(_PERMISSIONS + "|" + standard.pattern, re.DOTALL)
    tokenize = partial(_tokenize_template, rules=rules)

    def lex(source: str) -> Iterator[Token]:
        for token in tokenize(source):
            if token.kind != "PERMISSIONS":
                yield token
                continue
            match = rules.match(source, token.start_index)
            yield Token(TOKEN_TAG, "permissions", token.start_index, source)
            yield Token(TOKEN_CONTENT, match.group("perm"), match.start("perm"), source)
            yield Token(TOKEN_TAG, "endpermissions", match.end("perm"), source)

    return lex


class HubRenderContext(RenderContext):
    """Render context: undefined names are plain nil, no ``now``/``today`` built-ins, and the
    run's ``RenderSettings`` travel with it (filters read them through ``context.settings``).

    ``meter`` is the run's ``RenderMeter`` (limits.py): ``assign`` charges the estimated size of
    each bound value (releasing the value it replaces) and ``get_buffer`` hands out metered
    buffers.
    """

    __slots__ = ("settings", "meter", "sizes")

    def __init__(self, template: BoundTemplate, *, settings: Any = None, **kwargs: Any):
        super().__init__(template, **kwargs)
        self.settings = settings
        self.meter: RenderMeter = (
            settings.run_meter() if settings is not None else RenderMeter(RenderLimits())
        )
        self.sizes: dict[str, int] = {}
        self.scope = ReadOnlyChainMap(self.locals, self.globals, self.counters)

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
            if key == "size":
                return len(obj)
            if key == "first":
                if not obj:
                    return None
                first = next(iter(obj.items()))
                return [first[0], first[1]]
            if isinstance(obj, HubDict):
                return obj.liquid_missing(key, self)
            raise KeyError(key)
        if isinstance(obj, (list, tuple)):
            if isinstance(key, int) and not isinstance(key, bool):
                return obj[key]
            if key == "size":
                return len(obj)
            if key == "first":
                return obj[0] if obj else None
            if key == "last":
                return obj[-1] if obj else None
            if isinstance(obj, HubList):
                return obj.liquid_missing(key, self)
            raise KeyError(key)
        if isinstance(obj, str):
            if key == "size":
                return len(obj)
            raise KeyError(key)
        if isinstance(obj, range) and key in ("size", "first", "last"):
            if key == "size":
                return len(obj)
            return (obj[0] if key == "first" else obj[-1]) if len(obj) else None
        return super().get_item(obj, key)


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

    def tokenizer(self) -> Callable[[str], Iterator[Token]]:
        """The template lexer, with raw ``permissions`` bodies."""
        return _LEXER

    def _parse(self, source: str) -> list:
        parser = get_parser(self)
        return parser.parse(HubTokenStream(self.tokenizer()(source)))


_LEXER = _lexer()
