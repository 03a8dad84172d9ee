"""What ``action``, ``log`` and ``error`` share: the inline argument grammar (spec/liquid.md
§2.1) and block bodies rendered as Liquid, then read as JSON (§2.2.2, §2.3)."""

from __future__ import annotations

from typing import Any

from liquid.ast import BlockNode, Node
from liquid.exceptions import LiquidInterrupt, LiquidSyntaxError
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.token import TOKEN_COLON, TOKEN_COMMA, TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG, TOKEN_WORD, Token

from ..expressions import parse_filtered
from ..parser import get_parser
from ..values import HubRenderError, error_text, parse_json_text


class Argument:
    """One tag argument: ``name`` is None for a positional one."""

    __slots__ = ("name", "expression", "token")

    def __init__(self, name: str | None, expression: Expression, token: Token):
        self.name = name
        self.expression = expression
        self.token = token

    def __str__(self) -> str:
        return f"{self.name}: {self.expression}" if self.name else str(self.expression)


def parse_arguments(env: Any, tokens: TokenStream) -> list[Argument]:
    """Parse ``argument ("," argument)*`` up to the end of the tag (§2.1).

    A filter inside an argument takes at most one argument; repeated keyword names are errors.
    """
    args: list[Argument] = []
    seen: set[str] = set()
    while tokens.current.kind != TOKEN_EOF:
        tok = tokens.current
        if tok.kind == TOKEN_WORD and tokens.peek.kind == TOKEN_COLON:
            if tok.value in seen:
                raise LiquidSyntaxError(f"duplicate argument '{tok.value}'", token=tok)
            seen.add(tok.value)
            next(tokens)
            next(tokens)
            args.append(Argument(tok.value, parse_filtered(env, tokens, max_args=1), tok))
        else:
            args.append(Argument(None, parse_filtered(env, tokens, max_args=1), tok))
        if tokens.current.kind == TOKEN_EOF:
            break
        if tokens.current.kind != TOKEN_COMMA:
            raise LiquidSyntaxError(
                f"expected ',' between tag arguments, found {tokens.current.value!r}", token=tokens.current
            )
        next(tokens)
        if tokens.current.kind == TOKEN_EOF:
            raise LiquidSyntaxError("expected an argument after ','", token=tokens.current)
    return args


def parse_body(env: Any, stream: TokenStream, end: str) -> BlockNode:
    """Parse a block body up to its end tag and leave the stream on the end tag."""
    if stream.current.kind == TOKEN_EXPRESSION:
        next(stream)
    block = get_parser(env).parse_block(stream, (end,))
    stream.expect(TOKEN_TAG, value=end)
    return block


def inner_tokens(stream: TokenStream, token: Token) -> TokenStream | None:
    """The tag's expression tokens, or None when the tag has no expression.

    The stream stays on the expression token (an inline tag ends there); a block form
    calls ``parse_body``, which steps past it.
    """
    if stream.current.kind == TOKEN_EXPRESSION:
        return stream.into_inner(tag=token, eat=False)
    return None


class ResultNode(Node):
    """Base for nodes that print one result object (§1.4)."""

    def __init__(self, token: Token):
        super().__init__(token)
        self.blank = False

    def render_body(self, context, block: BlockNode) -> tuple[str, LiquidInterrupt | None]:
        """Render ``block`` to text; a ``break``/``continue`` ends the body but the object is
        still printed (§2.11 decision), so the interrupt is returned for re-raising."""
        buf = context.get_buffer()
        try:
            for node in block.nodes:
                node.render(context, buf)
        except LiquidInterrupt as interrupt:
            return buf.getvalue(), interrupt
        finally:
            buf.release()
        return buf.getvalue(), None

    def parse_body_json(self, text: str, what: str) -> Any:
        """The trimmed body as JSON; empty or invalid bodies are render errors."""
        body = text.strip()
        if not body:
            raise HubRenderError(f"empty {what} body", token=self.token)
        try:
            return parse_json_text(body)
        except ValueError as exc:
            raise HubRenderError(f"invalid JSON in {what} body: {error_text(exc)}", token=self.token) from exc
