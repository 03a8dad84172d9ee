"""``{% echo expr | filters %}``: prints like ``{{ }}`` (spec/liquid.md §2.7)."""

from __future__ import annotations

from liquid.builtin.expressions import Nil
from liquid.builtin.tags.echo_tag import EchoTag
from liquid.stream import TokenStream
from liquid.token import TOKEN_EOF, TOKEN_TAG

from ..expressions import parse_output_expression
from .output_tag import HubOutputNode


class HubEchoNode(HubOutputNode):
    """An ``echo`` tag."""

    def __str__(self) -> str:
        return f"{{% echo {self.expression} %}}"


class HubEchoTag(EchoTag):
    """``echo``, parsed with Hub's expression rules."""

    node_class = HubEchoNode

    def parse(self, stream: TokenStream) -> HubEchoNode:
        """Parse ``{% echo value | filters %}``."""
        token = stream.eat(TOKEN_TAG)
        if stream.current.kind == TOKEN_EOF:
            return self.node_class(token, Nil(stream.current))
        return self.node_class(
            token, parse_output_expression(self.env, stream.into_inner(tag=token, eat=False))
        )
