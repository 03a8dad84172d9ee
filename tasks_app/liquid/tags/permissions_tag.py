"""``{% permissions %}…{% endpermissions %}``: a raw list of Shopify scopes, read statically;
it prints nothing at render time (spec/liquid.md §2.5)."""

from __future__ import annotations

import re
from typing import TextIO

from liquid.ast import Node
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_CONTENT, TOKEN_EOF, TOKEN_TAG, Token


class PermissionsNode(Node):
    """A ``permissions`` block. ``scopes`` lists the declared names in order."""

    __slots__ = ("body",)

    def __init__(self, token: Token, body: str):
        super().__init__(token)
        self.body = body

    def __str__(self) -> str:
        return f"{{% permissions %}}{self.body}{{% endpermissions %}}"

    @property
    def scopes(self) -> list[str]:
        """The scope names, split on newlines and commas, surrounding whitespace removed."""
        return [name.strip() for name in re.split(r"[,\n]", self.body) if name.strip()]

    def render_to_output(self, context, buffer: TextIO) -> int:
        """Print nothing."""
        return 0


class PermissionsTag(Tag):
    """``permissions``. The lexer hands its body over as one raw text token."""

    name = "permissions"
    end = "endpermissions"
    block = True

    def parse(self, stream: TokenStream) -> PermissionsNode:
        """Consume the raw body up to ``endpermissions``."""
        token = stream.eat(TOKEN_TAG)
        parts: list[str] = []
        # Inside `{% liquid %}` the body arrives as line tokens rather than raw text.
        while stream.current.kind != TOKEN_EOF and not stream.current.is_tag(self.end):
            if stream.current.kind == TOKEN_CONTENT or stream.current.kind == TOKEN_TAG:
                parts.append(stream.current.value)
            next(stream)
        stream.expect(TOKEN_TAG, value=self.end)
        return PermissionsNode(token, "\n".join(parts))
