"""``if``/``elsif``/``else`` with Mechanic conditions (spec/liquid.md §2.9, §3.4)."""

from __future__ import annotations

from liquid.ast import BlockNode, ConditionalBlockNode
from liquid.builtin.tags.if_tag import ENDELSIFBLOCK, ENDIFBLOCK, ENDIFELSEBLOCK, IfNode, IfTag
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from ..expressions import parse_condition
from ..parser import get_parser


def parse_conditional(tag, stream: TokenStream, first_end, elsif_end, else_end, end_name: str):
    """Shared by ``if`` and ``unless``: condition, consequence, ``elsif`` alternatives, ``else``."""
    token = stream.eat(TOKEN_TAG)
    condition = parse_condition(tag.env, stream.into_inner(tag=token))
    parse_block = get_parser(tag.env).parse_block
    consequence = parse_block(stream, first_end)
    alternatives: list[ConditionalBlockNode] = []
    while stream.current.is_tag("elsif"):
        expr = parse_condition(tag.env, stream.into_inner(tag=next(stream)))
        alt_token = stream.current
        alternatives.append(
            ConditionalBlockNode(alt_token, expression=expr, block=parse_block(stream, elsif_end))
        )
    default: BlockNode | None = None
    if stream.current.is_tag("else"):
        next(stream)
        if stream.current.kind == TOKEN_EXPRESSION:
            next(stream)  # Ruby ignores text after `else`
        default = parse_block(stream, else_end)
    stream.expect(TOKEN_TAG, value=end_name)
    return token, condition, consequence, alternatives, default


class HubIfTag(IfTag):
    """``if``."""

    def parse(self, stream: TokenStream) -> IfNode:
        """Parse an ``if`` block."""
        token, condition, consequence, alternatives, default = parse_conditional(
            self, stream, ENDIFBLOCK, ENDELSIFBLOCK, ENDIFELSEBLOCK, "endif"
        )
        return self.node_class(
            token=token,
            condition=condition,
            consequence=consequence,
            alternatives=alternatives,
            default=default,
        )
