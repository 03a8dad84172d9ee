"""Unregistered tags: a syntax error naming the tag and the closest known tag (spec/liquid.md
§1.6 item 1, §2.13)."""

from __future__ import annotations

from liquid.ast import IllegalNode
from liquid.builtin.illegal import Illegal
from liquid.exceptions import LiquidSyntaxError
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from ..expressions import did_you_mean
from ..parser import never_closed

# Keys of env.tags that are token kinds, not tag names.
INTERNAL_TAGS = frozenset(["#", "content", "illegal", "output", "comment_text", "doc"])
# Tags that only make sense inside a block: out of place rather than unknown.
INNER_TAGS = frozenset(["else", "elsif", "when", "endraw"])
NO_TEMPLATE_FILES = frozenset(["render", "include"])  # spec/liquid.md §2.13


class HubIllegal(Illegal):
    """A tag no registered tag claims: an out-of-place ``else``/``end…`` or an unknown tag."""

    def parse(self, stream: TokenStream) -> IllegalNode:
        """Raise a syntax error: ``unknown tag 'iff'; did you mean 'if'?``."""
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
        name = token.value
        if not name:
            raise LiquidSyntaxError("missing tag name", token=token)
        if name == "raw":  # the lexer only makes a raw block of a closed one
            raise never_closed("raw", token)
        tags = [tag for tag in self.env.tags if tag not in INTERNAL_TAGS] + ["raw"]
        if name in INNER_TAGS or (name.startswith("end") and name[3:] in tags):
            raise LiquidSyntaxError(f"unexpected tag '{name}'", token=token)
        if name in NO_TEMPLATE_FILES:
            raise LiquidSyntaxError(f"unknown tag '{name}': Mechanic has no template files", token=token)
        raise LiquidSyntaxError(f"unknown tag '{name}'{did_you_mean(name, tags)}", token=token)
