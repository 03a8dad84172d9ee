"""``for`` with ``limit``/``offset``/``reversed``; ``limit``/``offset`` stay usable as names
(spec/liquid.md §2.11, §8.3). Every iteration is metered (limits.py: time, iteration count)."""

from __future__ import annotations

from typing import TextIO

from liquid.ast import BlockNode
from liquid.builtin.tags.for_tag import ENDFORBLOCK, ENDFORELSEBLOCK, ForLoop, ForNode, ForTag
from liquid.exceptions import BreakLoop, ContinueLoop, LiquidError
from liquid.output import NullIO
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.token import TOKEN_TAG

from ..expressions import parse_loop
from ..limits import BASE_SCOPE_DEPTH


class HubForNode(ForNode):
    """A ``for`` loop whose iterations count against the run's limits."""

    __slots__ = ("loop_name",)

    def render_to_output(self, context, buffer: TextIO) -> int:
        """Render the block once per item (or the ``else`` block for an empty collection).

        Raises ``RenderLimitError`` past the deadline, the iteration limit or the context depth.
        """
        it, length = self.expression.evaluate(context)
        if not length:
            return self.default.render(context, buffer) if self.default else 0
        meter = context.meter
        scope = context.scope
        token = self.token
        meter.check_depth(len(scope._maps) + 1 - BASE_SCOPE_DEPTH, token)
        name = self.expression.identifier
        loop_name = getattr(self, "loop_name", None)
        if loop_name is None:
            loop_name = self.loop_name = f"{name}-{self.expression.iterable}"
        forloop = ForLoop(name=loop_name, it=it, length=length, parentloop=context.parentloop())
        namespace = {"forloop": forloop, name: None}
        block = self.block
        if block.blank and context.env.suppress_blank_control_flow_blocks:
            buffer = NullIO()  # a blank body's whitespace is not output (BlockNode's rule)
        # The body's nodes are rendered directly: Hub disables no tags, so Node.render's
        # disabled-tag check and BlockNode's per-iteration generator are pure overhead here.
        renderers = [node.render_to_output for node in block.nodes]
        tick = meter.tick
        count = 0
        context.loops.append(forloop)
        scope.push(namespace)
        try:
            for item in forloop:
                tick(token)
                namespace[name] = item
                try:
                    for render in renderers:
                        count += render(context, buffer)
                except ContinueLoop:
                    continue
                except BreakLoop:
                    break
        except LiquidError as err:
            if err.token is None:  # e.g. a limit hit by an output write: point at the loop
                err.token = token
            raise
        finally:
            scope.pop()
            context.loops.pop()
        return count


class HubForTag(ForTag):
    """``for … else … endfor``."""

    node_class = HubForNode

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
