"""``assign`` with subscript targets and by-value semantics (spec/liquid.md §2.6).

``{% assign x["k"][0] = value %}`` copies every container on the path before changing it,
so no other variable that shared one of them observes the change (copy-on-write).
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from liquid.ast import Node
from liquid.builtin.expressions import Path
from liquid.builtin.expressions.primitive import IntegerLiteral, StringLiteral
from liquid.exceptions import LiquidSyntaxError
from liquid.expression import Expression
from liquid.limits import to_int
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import (
    TOKEN_ASSIGN,
    TOKEN_DOT,
    TOKEN_IDENTINDEX,
    TOKEN_IDENTSTRING,
    TOKEN_LBRACKET,
    TOKEN_RBRACKET,
    TOKEN_TAG,
    TOKEN_WORD,
    Token,
)

from ..expressions import KEYWORD_LITERALS, parse_output_expression, parse_primitive
from ..values import BLANK, EMPTY, HubRenderError, ruby_class, to_s


class AssignNode(Node):
    """``assign NAME[sub]… = expression``."""

    __slots__ = ("name", "subscripts", "expression")

    def __init__(self, token: Token, name: str, subscripts: list[Expression], expression: Expression):
        super().__init__(token)
        self.name = name
        self.subscripts = subscripts
        self.expression = expression

    def __str__(self) -> str:
        return f"{{% assign {self.target} = {self.expression} %}}"

    @property
    def target(self) -> str:
        """The target as written, e.g. ``x["k"][0]``."""
        parts = [self.name]
        for sub in self.subscripts:
            parts.append(
                f"[{sub.value!r}]" if isinstance(sub, (StringLiteral, IntegerLiteral)) else f"[{sub}]"
            )
        return "".join(parts).replace("'", '"')

    def render_to_output(self, context, buffer: TextIO) -> int:
        """Evaluate the value, then the subscripts, and (re)bind the root variable."""
        value = self.expression.evaluate(context)
        if value is EMPTY or value is BLANK:
            value = ""  # Ruby binds the value of `empty`/`blank`, an empty string
        if not self.subscripts:
            try:
                context.assign(self.name, value)
            except HubRenderError as err:  # the memory limit (limits.py)
                err.token = err.token or self.token
                raise
            return 0
        keys = [sub.evaluate(context) for sub in self.subscripts]
        root = context.get([self.name], token=self.token)
        new_root = _set_in(root, keys, value, self.target, self.token)
        _rebind(context, self.name, new_root)
        return 0

    def expressions(self):
        """This node's expressions."""
        yield self.expression
        yield from self.subscripts


def _rebind(context, name: str, value: Any) -> None:
    # A loop variable is rebound in its loop's scope (§2.6 item 6); anything else in the
    # outermost scope, as Ruby's assign does.
    for namespace in context.scope._maps:
        if namespace is context.locals:
            break
        if isinstance(namespace, dict) and "forloop" in namespace and name in namespace:
            namespace[name] = value
            return
    context.assign(name, value)


def _set_in(container: Any, keys: list[Any], value: Any, target: str, token: Token) -> Any:
    key = keys[0]
    if isinstance(container, list) and not container and isinstance(key, str):
        container = {}  # `assign x = array` then `x["k"] = v` (docs' by-value example)
    if isinstance(container, dict):
        if isinstance(key, int) and not isinstance(key, bool):
            key = to_s(key)
        if not isinstance(key, str):
            raise HubRenderError(f"cannot assign to {target}: hash keys must be strings", token=token)
        new = dict(container)
        if len(keys) == 1:
            new[key] = value
        else:
            new[key] = _set_in(container.get(key), keys[1:], value, target, token)
        return new
    if isinstance(container, list):
        if isinstance(key, bool) or not isinstance(key, int):
            raise HubRenderError(f"cannot assign to {target}: array index must be an integer", token=token)
        new = list(container)
        size = len(new)
        if key < 0:
            if key < -size:
                raise HubRenderError(f"cannot assign to {target}: index {key} out of range", token=token)
            key += size
        if key >= size:
            if key > sys.maxsize // 16:  # more than memory could hold: Python cannot even try
                raise HubRenderError(f"cannot assign to {target}: index {key} out of range", token=token)
            new.extend([None] * (key - size + 1))
        new[key] = value if len(keys) == 1 else _set_in(new[key], keys[1:], value, target, token)
        return new
    kind = "nil" if container is None else ruby_class(container)
    raise HubRenderError(f"cannot assign to {target}: not an array or hash ({kind})", token=token)


class AssignTag(Tag):
    """``assign``."""

    name = "assign"
    block = False

    def parse(self, stream: TokenStream) -> AssignNode:
        """Parse ``NAME ( "[" subscript "]" )* = expression``."""
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token, eat=False)
        name_token = tokens.current
        if name_token.kind != TOKEN_WORD or name_token.value.endswith("?"):
            raise LiquidSyntaxError("expected a variable name after 'assign'", token=name_token)
        if name_token.value in KEYWORD_LITERALS:
            raise LiquidSyntaxError(
                f"cannot assign to the keyword literal '{name_token.value}'", token=name_token
            )
        next(tokens)
        subscripts: list[Expression] = []
        while True:
            tok = tokens.current
            if tok.kind == TOKEN_IDENTSTRING:
                subscripts.append(StringLiteral(next(tokens), tok.value))
            elif tok.kind == TOKEN_IDENTINDEX:
                subscripts.append(IntegerLiteral(next(tokens), to_int(tok.value)))
            elif tok.kind == TOKEN_LBRACKET:
                next(tokens)
                sub = parse_primitive(self.env, tokens)
                if not isinstance(sub, (Path, StringLiteral, IntegerLiteral)):
                    raise LiquidSyntaxError(
                        "expected a string, integer or variable subscript", token=sub.token
                    )
                subscripts.append(sub)
                tokens.eat(TOKEN_RBRACKET)
            elif tok.kind == TOKEN_DOT:
                raise LiquidSyntaxError("assign targets take [subscripts], not dots", token=tok)
            else:
                break
        tokens.eat(TOKEN_ASSIGN)
        return AssignNode(token, name_token.value, subscripts, parse_output_expression(self.env, tokens))
