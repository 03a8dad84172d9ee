"""``for`` with ``limit``/``offset``/``reversed``; ``limit``/``offset`` stay usable as names
(spec/liquid.md §2.11, §8.3)."""

from __future__ import annotations

from liquid.ast import BlockNode
from liquid.builtin.tags.for_tag import ENDFORBLOCK, ENDFORELSEBLOCK, ForNode, ForTag
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.token import TOKEN_TAG

from ..expressions import parse_loop


class HubForTag(ForTag):
    """``for … else … endfor``."""

    def parse(self, stream: TokenStream) -> ForNode:
        """Parse a ``for`` block."""
        token = stream.eat(TOKEN_TAG)
        expr = parse_loop(self.env, stream.into_inner(tag=token))
        parse_block = get_parser(self.env).parse_block
        block = parse_block(stream, ENDFORBLOCK)
        default: BlockNode | None = None
        if stream.current.is_tag("else"):
            next(stream)
            default = parse_block(stream, ENDFORELSEBLOCK)
        stream.expect(TOKEN_TAG, value="endfor")
        return self.node_class(token, expression=expr, block=block, default=default)
