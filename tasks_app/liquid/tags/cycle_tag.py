"""``cycle``: standard, printing its values with Mechanic's rules (spec/liquid.md §1.8, §2.13)."""

from __future__ import annotations

from typing import TextIO

from liquid.builtin.tags.cycle_tag import CycleNode, CycleTag
from liquid.undefined import is_undefined

from ..values import to_s


class HubCycleNode(CycleNode):
    """python-liquid's node, which prints a hash as a Python ``repr``; Hub prints ``to_s``."""

    __slots__ = ()

    def render_to_output(self, context, buffer: TextIO) -> int:
        """Write the group's next value."""
        if self.group:
            group = self.group.evaluate(context)
            group_name = "__UNDEFINED" if is_undefined(group) else str(group)
        else:
            group_name = ""
        args = [arg.evaluate(context) for arg in self.args]
        # The cycle's key, as python-liquid makes it.
        key: object = (group_name, tuple(args)) if self.group_by_args else group_name or str(args)
        index = context.cycle(key, len(args))
        if index >= len(args):
            return 0
        return buffer.write(to_s(args[index]))


class HubCycleTag(CycleTag):
    """``cycle``."""

    node_class = HubCycleNode
