"""``for`` with ``limit``/``offset``/``reversed``; ``limit``/``offset`` stay usable as names
(spec/liquid.md §2.11, §8.3). Every iteration is metered (limits.py: time, iteration count)."""

from __future__ import annotations

import math
from functools import lru_cache
from time import monotonic
from typing import Any, TextIO

from liquid.ast import BlockNode
from liquid.builtin.tags.for_tag import (
    ENDFORBLOCK,
    ENDFORELSEBLOCK,
    BreakNode,
    BreakTag,
    ContinueNode,
    ContinueTag,
    ForLoop,
    ForNode,
    ForTag,
)
from liquid.exceptions import BreakLoop, ContinueLoop, LiquidError
from liquid.stream import TokenStream
from liquid.token import TOKEN_TAG

from ..expressions import parse_loop
from ..limits import BASE_SCOPE_DEPTH
from ..parser import NULL_IO, get_parser


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
        maps = context.scope._maps
        token = self.token
        forloop = self._forloop(context, it, length)
        name = self.expression.identifier
        loops = context.loops
        namespace = {"forloop": forloop, name: None}
        block = self.block
        if block.blank and context.env.suppress_blank_control_flow_blocks:
            buffer = NULL_IO  # a blank body's whitespace is not output (BlockNode's rule)
        # The body's nodes are rendered directly: Hub disables no tags, so Node.render's
        # disabled-tag check and BlockNode's per-iteration generator are pure overhead here.
        renderers = [node.render_to_output for node in block.nodes]
        # RenderMeter.tick's checks (iterations, time, output), inlined: they run once per item.
        output = meter.output
        max_iterations = meter.limits.loop_iterations
        deadline = meter.deadline if meter.deadline is not None else math.inf
        count = 0
        index = -1
        loops.append(forloop)
        maps.appendleft(namespace)
        try:
            for item in it:
                index += 1
                forloop._index = index
                meter.iterations += 1
                if meter.iterations > max_iterations or monotonic() > deadline:
                    limit = "loop_iterations" if meter.iterations > max_iterations else "time"
                    raise meter.error(limit, token)
                if output is not None:
                    size = output.tell()
                    if meter.live + size > meter.memory_bytes or size > meter.output_chars:
                        limit = "memory" if meter.live + size > meter.memory_bytes else "output"
                        raise meter.error(limit, token)
                namespace[name] = item
                try:
                    for render in renderers:
                        count += render(context, buffer)
                except ContinueLoop:
                    continue
                except BreakLoop:
                    break
            else:
                forloop._index = index + 1  # where ForLoop's own stepping leaves it
            meter.check_output(token)  # what the last iteration wrote
        except LiquidError as err:
            if err.token is None:  # e.g. a limit hit by an output write: point at the loop
                err.token = token
            raise
        finally:
            maps.popleft()
            loops.pop()
        return count

    def _forloop(self, context: Any, it: Any, length: int) -> ForLoop:
        """The ``forloop`` object of a loop about to start, within the context depth limit."""
        meter = context.meter
        if len(context.scope._maps) + 1 - BASE_SCOPE_DEPTH > meter.limits.context_depth:
            raise meter.error("context_depth", self.token)
        loop_name = getattr(self, "loop_name", None)
        if loop_name is None:
            loop_name = self.loop_name = f"{self.expression.identifier}-{self.expression.iterable}"
        return ForLoop(
            name=loop_name,
            it=it,
            length=length,
            parentloop=context.parentloop() if context.loops else _no_parent_loop(context.env),
        )


@lru_cache(maxsize=8)
def _no_parent_loop(env: Any) -> Any:
    # `forloop.parentloop` of an outermost loop (RenderContext.parentloop's undefined), made once.
    return env.undefined("parentloop", token=None)


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
        # Ruby decides blankness over the loop body and its else together: a non-blank else keeps
        # the body's whitespace too.
        blank = block.blank and (default is None or default.blank)
        block.blank = blank
        if default is not None:
            default.blank = blank
        return self.node_class(token, expression=expr, block=block, default=default)


class HubBreakTag(BreakTag):
    """``break``: a body holding it is not blank (Ruby outputs that body's whitespace)."""

    def parse(self, stream: TokenStream) -> BreakNode:
        node = super().parse(stream)
        node.blank = False
        return node


class HubContinueTag(ContinueTag):
    """``continue``: as ``break``, not blank."""

    def parse(self, stream: TokenStream) -> ContinueNode:
        node = super().parse(stream)
        node.blank = False
        return node
