"""``capture``: standard, but a ``break`` inside keeps what was captured (spec/liquid.md §2.8, §2.11)."""

from __future__ import annotations

from typing import TextIO

from liquid.builtin.tags.capture_tag import CaptureNode, CaptureTag
from liquid.exceptions import LiquidInterrupt


class HubCaptureNode(CaptureNode):
    """Captures its body; on ``break``/``continue`` the text so far is assigned first."""

    def render_to_output(self, context, buffer: TextIO) -> int:
        """Render the block into the captured variable."""
        buf = context.get_buffer(buffer)
        try:
            self.block.render(context, buf)
        except LiquidInterrupt:
            self._assign(context, buf)
            raise
        self._assign(context, buf)
        return 0


class HubCaptureTag(CaptureTag):
    """``capture``."""

    node_class = HubCaptureNode
