"""``comment``: python-liquid's, with the never-closed error every block gives (spec/liquid.md
§1.6 item 1, §2.12)."""

from __future__ import annotations

from liquid.builtin.tags.comment_tag import CommentNode, CommentTag
from liquid.stream import TokenStream
from liquid.token import TOKEN_EOF, TOKEN_TAG

from ..parser import never_closed


class HubCommentTag(CommentTag):
    """``{% comment %}…{% endcomment %}`` and ``{# … #}``."""

    def parse(self, stream: TokenStream) -> CommentNode:
        """Keep the comment text; a comment that reaches the end of the template is an error."""
        if stream.current.kind == "COMMENT":  # `{# … #}` and comments the lexer closed
            return self.node_class(stream.current, text=stream.current.value)
        token = stream.eat(TOKEN_TAG)
        text: list[str] = []
        while not (stream.current.kind == TOKEN_TAG and stream.current.value == self.end):
            if stream.current.kind == TOKEN_EOF:
                raise never_closed(self.name, token)
            text.append(stream.current.value)
            next(stream)
        return self.node_class(token, text="".join(text))
