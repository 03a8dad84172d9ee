"""The Mechanic Liquid environment: python-liquid with Hub's tags, filters and rules
(spec/liquid.md §2–§4, §8; STYLE.md "Extending python-liquid")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from typing import Any

import liquid
from liquid import BoundTemplate, RenderContext
from liquid.lex import _tokenize_template, compile_liquid_rules
from liquid.parser import get_parser
from liquid.token import TOKEN_CONTENT, TOKEN_TAG, Token
from liquid.utils import ReadOnlyChainMap

from .expressions import HubTokenStream
from .filters import register_filters
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
    run's ``RenderSettings`` travel with it (filters read them through ``context.settings``)."""

    __slots__ = ("settings",)

    def __init__(self, template: BoundTemplate, *, settings: Any = None, **kwargs: Any):
        super().__init__(template, **kwargs)
        self.settings = settings
        self.scope = ReadOnlyChainMap(self.locals, self.globals, self.counters)

    def copy(self, *args: Any, **kwargs: Any) -> RenderContext:
        """Copy the context, keeping the settings."""
        ctx = super().copy(*args, **kwargs)
        ctx.settings = self.settings
        return ctx

    def get(self, path: list[object], *, token: Token | None, default: object = _UNDEFINED_DEFAULT) -> object:
        """Resolve ``path``; missing names and keys are nil (§1.6)."""
        return super().get(path, token=token, default=None if default is _UNDEFINED_DEFAULT else default)

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


class HubEnvironment(liquid.Environment):
    """python-liquid environment for the Mechanic dialect.

    Parsed templates are cached by source (``parse_cached``), so rendering the same script
    many times parses it once.
    """

    template_class = HubTemplate
    # Mechanic bounds runs by time and memory (runtime.md §13); these keep one render sane.
    output_stream_limit = 64 * 1024 * 1024
    context_depth_limit = 30

    def __init__(self, *, cache_size: int = 512):
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
