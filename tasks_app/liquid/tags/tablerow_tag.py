"""``tablerow``: standard Ruby Liquid behaviour with Hub's loop expression (spec/liquid.md §2.13)."""

from __future__ import annotations

from liquid.builtin.tags.tablerow_tag import END_TAGBLOCK, TablerowNode, TablerowTag
from liquid.limits import to_int
from liquid.stream import TokenStream
from liquid.token import TOKEN_TAG

from ..expressions import parse_loop
from ..parser import get_parser


class HubTablerowNode(TablerowNode):
    """A ``tablerow``; ``cols`` that is not a number means one row (Ruby's ``to_i`` gives 0)."""

    def _int_or_zero(self, arg: object) -> int:
        try:
            return to_int(arg)
        except (ValueError, TypeError):
            return 0


class HubTablerowTag(TablerowTag):
    """``tablerow … endtablerow``."""

    node_class = HubTablerowNode

    def parse(self, stream: TokenStream) -> TablerowNode:
        """Parse a ``tablerow`` block."""
        token = stream.eat(TOKEN_TAG)
        expr = parse_loop(self.env, stream.into_inner(tag=token))
        expr.metered = True
        block = get_parser(self.env).parse_block(stream, END_TAGBLOCK)
        block.blank = False  # Ruby renders a cell's whitespace
        stream.expect(TOKEN_TAG, value="endtablerow")
        return self.node_class(token, expression=expr, block=block)
