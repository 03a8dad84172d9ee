"""``{% action %}`` in all its forms A1–A8 with control parameters; prints
``{"action": {"type", "options", "meta"?, "__perform_event"?}}`` (spec/liquid.md §2.2, §1.3)."""

from __future__ import annotations

from typing import Any, TextIO

from liquid.ast import BlockNode
from liquid.exceptions import LiquidSyntaxError
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_COLON, TOKEN_COMMA, TOKEN_EOF, TOKEN_TAG, TOKEN_WORD, Token

from ..expressions import parse_filtered
from ..values import HubRenderError, error_text, parse_json_text, to_json
from .result_tags import Argument, ResultNode, inner_tokens, parse_arguments, parse_body

CONTROL_PARAMETERS = ("__meta", "__perform_event")
_NO_META = object()
_BODY_KEYS = {"type", "options", "meta", "__perform_event"}


class ActionNode(ResultNode):
    """One ``action`` tag, inline or block."""

    __slots__ = ("type_expr", "arguments", "controls", "block")

    def __init__(
        self,
        token: Token,
        type_expr: Expression | None,
        arguments: list[Argument],
        controls: dict[str, Expression],
        block: BlockNode | None,
    ):
        super().__init__(token)
        self.type_expr = type_expr
        self.arguments = arguments
        self.controls = controls
        self.block = block

    def __str__(self) -> str:
        parts = [str(self.type_expr)] if self.type_expr is not None else []
        parts += [str(arg) for arg in self.arguments]
        parts += [f"{name}: {expr}" for name, expr in self.controls.items()]
        head = f"{{% action {', '.join(parts)} %}}"
        return f"{head}{self.block}{{% endaction %}}" if self.block is not None else head

    def render_to_output(self, context, buffer: TextIO) -> int:
        """Evaluate the tag into one action object and print it."""
        action_type = None
        if self.type_expr is not None:
            action_type = self.type_expr.evaluate(context)
            if not isinstance(action_type, str):
                raise HubRenderError("action type must be a string", token=self.token)
        interrupt = None
        meta: Any = _NO_META
        perform_event: Any = None
        if self.block is not None:
            text, interrupt = self.render_body(context, self.block)
            if action_type is None:
                action_type, options, meta, perform_event = self._untyped_body(text)
            else:
                options = self._typed_body(text, action_type)
        else:
            options, meta = self._inline(context)
        if "__meta" in self.controls:
            meta = self.controls["__meta"].evaluate(context)
        if "__perform_event" in self.controls:
            perform_event = self.controls["__perform_event"].evaluate(context)
        action: dict[str, Any] = {"type": action_type, "options": options}
        if meta is not _NO_META:
            action["meta"] = meta
        if perform_event is False:
            action["__perform_event"] = False
        written = buffer.write(to_json({"action": action}))
        if interrupt is not None:
            raise interrupt
        return written

    def _untyped_body(self, text: str) -> tuple[str, Any, Any, Any]:
        body = self.parse_body_json(text, "action")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise HubRenderError('action body must be a JSON object with a string "type"', token=self.token)
        unknown = sorted(set(body) - _BODY_KEYS)
        if unknown:
            raise HubRenderError(f"unexpected member {unknown[0]!r} in action body", token=self.token)
        return body["type"], body.get("options"), body.get("meta", _NO_META), body.get("__perform_event")

    def _typed_body(self, text: str, action_type: str) -> Any:
        body = text.strip()
        if not body:
            raise HubRenderError("empty action body", token=self.token)
        try:
            return parse_json_text(body)
        except ValueError as exc:
            if action_type == "shopify":
                return body  # a GraphQL document
            raise HubRenderError(f"invalid JSON in action body: {error_text(exc)}", token=self.token) from exc

    def _inline(self, context) -> tuple[Any, Any]:
        positional = [arg.expression.evaluate(context) for arg in self.arguments if arg.name is None]
        if positional:
            if len(positional) == 1:
                return positional[0], _NO_META
            if len(positional) == 2 and isinstance(positional[0], dict):
                return positional[0], positional[1]
            return positional, _NO_META
        keywords = {arg.name: arg.expression for arg in self.arguments}
        if set(keywords) in ({"options"}, {"options", "meta"}):
            meta = keywords["meta"].evaluate(context) if "meta" in keywords else _NO_META
            return keywords["options"].evaluate(context), meta
        return {name: expr.evaluate(context) for name, expr in keywords.items()}, _NO_META

    def expressions(self):
        """This node's expressions."""
        if self.type_expr is not None:
            yield self.type_expr
        for arg in self.arguments:
            yield arg.expression
        yield from self.controls.values()


class ActionTag(Tag):
    """``action``: with no argument besides the type and control parameters it is a block."""

    name = "action"
    end = "endaction"
    block = True

    def parse(self, stream: TokenStream) -> ActionNode:
        """Parse the tag's markup (§2.1) and, for block forms, its body."""
        token = stream.eat(TOKEN_TAG)
        tokens = inner_tokens(stream, token)
        type_expr = None
        args: list[Argument] = []
        if tokens is not None:
            if not (tokens.current.kind == TOKEN_WORD and tokens.peek.kind == TOKEN_COLON):
                type_expr = parse_filtered(self.env, tokens, max_args=1)
                if tokens.current.kind == TOKEN_COMMA:
                    next(tokens)
                    if tokens.current.kind == TOKEN_EOF:
                        raise LiquidSyntaxError("expected an argument after ','", token=tokens.current)
            args = parse_arguments(self.env, tokens)
        controls = {arg.name: arg.expression for arg in args if arg.name in CONTROL_PARAMETERS}
        args = [arg for arg in args if arg.name not in CONTROL_PARAMETERS]
        named = [arg for arg in args if arg.name is not None]
        if named and len(named) != len(args):
            raise LiquidSyntaxError("action arguments are either all positional or all keywords", token=token)
        if args and type_expr is None:
            raise LiquidSyntaxError("an inline action needs a type", token=token)
        if not args:
            return ActionNode(token, type_expr, [], controls, parse_body(self.env, stream, self.end))
        return ActionNode(token, type_expr, args, controls, None)
