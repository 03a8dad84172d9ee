"""``{% liquid %}``: one tag per line, Mechanic tags included (spec/liquid.md §2.7)."""

from __future__ import annotations

from liquid.ast import Node
from liquid.builtin.tags.liquid_tag import LiquidTag
from liquid.stream import TokenStream
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG

from ..expressions import HubTokenStream
from ..parser import HubBlockNode, get_parser


class HubLiquidTag(LiquidTag):
    """``liquid``, whose lines are parsed with Hub's expression rules."""

    def parse(self, stream: TokenStream) -> Node:
        """Parse the lines of a ``liquid`` tag as a block."""
        token = stream.eat(TOKEN_TAG)
        if stream.current.kind == TOKEN_EOF:
            return self.node_class(token, None, block=HubBlockNode(token, []))
        if stream.current.kind == TOKEN_TAG:
            return self.node_class(token, None, block=get_parser(self.env).parse_block(stream, end=()))
        expr_token = stream.expect(TOKEN_EXPRESSION)
        inner = HubTokenStream(
            self._tokenize(expr_token.value, token=expr_token), block_depth_carry=stream.block_depth
        )
        return self.node_class(token, expr_token, block=get_parser(self.env).parse_block(inner, end=()))
