"""``unless`` (with ``elsif``/``else``) and Mechanic conditions (spec/liquid.md §2.9)."""

from __future__ import annotations

from liquid.builtin.tags.unless_tag import (
    ENDELSIFBLOCK,
    ENDUNLESSBLOCK,
    ENDUNLESSELSEBLOCK,
    UnlessNode,
    UnlessTag,
)
from liquid.stream import TokenStream

from .if_tag import parse_conditional


class HubUnlessTag(UnlessTag):
    """``unless``."""

    def parse(self, stream: TokenStream) -> UnlessNode:
        """Parse an ``unless`` block."""
        token, condition, consequence, alternatives, default = parse_conditional(
            self, stream, ENDUNLESSBLOCK, ENDELSIFBLOCK, ENDUNLESSELSEBLOCK, "endunless"
        )
        return self.node_class(
            token=token,
            condition=condition,
            consequence=consequence,
            alternatives=alternatives,
            default=default,
        )
