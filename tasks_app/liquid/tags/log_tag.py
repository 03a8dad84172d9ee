"""``{% log %}``: block, single value or mapped form; prints ``{"log": …}`` (spec/liquid.md §2.3)."""

from __future__ import annotations

from typing import TextIO

from liquid.ast import BlockNode
from liquid.exceptions import LiquidSyntaxError
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG, Token

from ..values import to_json
from .result_tags import Argument, ResultNode, inner_tokens, parse_arguments, parse_body


class LogNode(ResultNode):
    """A ``log``-like tag printing ``{"<key>": value}``."""

    __slots__ = ("key", "arguments", "block")

    def __init__(self, token: Token, key: str, arguments: list[Argument], block: BlockNode | None):
        super().__init__(token)
        self.key = key
        self.arguments = arguments
        self.block = block

    def __str__(self) -> str:
        args = ", ".join(str(arg) for arg in self.arguments)
        if self.block is not None:
            return f"{{% {self.key} %}}{self.block}{{% end{self.key} %}}"
        return f"{{% {self.key} {args} %}}"

    def render_to_output(self, context, buffer: TextIO) -> int:
        """Print the result object."""
        interrupt = None
        if self.block is not None:
            text, interrupt = self.render_body(context, self.block)
            value = self.parse_body_json(text, self.key)
        elif self.arguments[0].name is None:
            value = self.arguments[0].expression.evaluate(context)
        else:
            value = {arg.name: arg.expression.evaluate(context) for arg in self.arguments}
        written = buffer.write(to_json({self.key: value}))
        if interrupt is not None:
            raise interrupt
        return written

    def expressions(self):
        """This node's expressions."""
        for arg in self.arguments:
            yield arg.expression


class LogTag(Tag):
    """``log``: no arguments opens a block; one positional or only keywords is inline."""

    name = "log"
    end = "endlog"
    block = True

    def parse(self, stream: TokenStream) -> LogNode:
        """Parse the tag and, for the block form, its body."""
        token = stream.eat(TOKEN_TAG)
        tokens = inner_tokens(stream, token)
        args = parse_arguments(self.env, tokens) if tokens is not None else []
        if not args:
            return LogNode(token, self.name, [], parse_body(self.env, stream, self.end))
        positional = [arg for arg in args if arg.name is None]
        if positional and (len(args) > 1):
            raise LiquidSyntaxError(
                f"'{self.name}' takes one value or keyword arguments only", token=positional[-1].token
            )
        return LogNode(token, self.name, args, None)
