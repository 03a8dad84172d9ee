"""``capture``: standard, but a ``break`` inside keeps what was captured (spec/liquid.md §2.8, §2.11)."""

from __future__ import annotations

from typing import TextIO

from liquid.builtin.expressions import parse_identifier
from liquid.builtin.tags.capture_tag import ENDCAPTUREBLOCK, TAG_ENDCAPTURE, CaptureNode, CaptureTag
from liquid.exceptions import LiquidInterrupt
from liquid.stream import TokenStream
from liquid.token import TOKEN_TAG

from ..parser import get_parser


class HubCaptureNode(CaptureNode):
    """Captures its body; on ``break``/``continue`` the text so far is assigned first.

    The body is written to a metered buffer (limits.py); once captured, its text is charged
    as the variable's value instead.
    """

    def render_to_output(self, context, buffer: TextIO) -> int:
        """Render the block into the captured variable."""
        buf = context.get_buffer(buffer)
        try:
            self.block.render(context, buf)
        except LiquidInterrupt:
            self._store(context, buf)
            raise
        self._store(context, buf)
        return 0

    def _store(self, context, buf) -> None:
        text = buf.getvalue()
        buf.release()
        context.assign(self.name, text)


class HubCaptureTag(CaptureTag):
    """``capture``."""

    node_class = HubCaptureNode

    def parse(self, stream: TokenStream) -> HubCaptureNode:
        """Parse ``capture NAME … endcapture`` (python-liquid's parse, with Hub's blocks)."""
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token)
        name = parse_identifier(self.env, tokens)
        tokens.expect_eos()
        block = get_parser(self.env).parse_block(stream, ENDCAPTUREBLOCK)
        block.blank = False  # Ruby captures a body's whitespace too; the tag itself stays blank
        stream.expect(TOKEN_TAG, value=TAG_ENDCAPTURE)
        return self.node_class(token, name, block)
