"""The template parser of the Mechanic dialect: python-liquid's, building Hub's block nodes
(spec/liquid.md §8; STYLE.md "Extending python-liquid").

Hub disables no tags and never renders asynchronously, so a block renders its nodes with
``render_to_output`` directly: python-liquid's per-node disabled-tag check and its ``sum``
over a generator are most of the cost of a small block.
"""

from __future__ import annotations

from collections.abc import Container
from functools import lru_cache
from typing import Any, TextIO

from liquid.ast import BlockNode, Node
from liquid.exceptions import BlockNestingError, LiquidError, LiquidSyntaxError
from liquid.output import NullIO
from liquid.parser import Parser
from liquid.stream import TokenStream
from liquid.token import (
    TOKEN_COMMENT,
    TOKEN_CONTENT,
    TOKEN_DOC,
    TOKEN_EOF,
    TOKEN_ILLEGAL,
    TOKEN_OUTPUT,
    TOKEN_TAG,
    Token,
)

NULL_IO = NullIO()
"""Where blank blocks write (python-liquid's rule: a block of whitespace and tags outputs nothing)."""


class HubBlockNode(BlockNode):
    """A sequence of nodes, rendered in order."""

    __slots__ = ()

    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        """Render the nodes; a blank block renders for its effects only (python-liquid's
        ``suppress_blank_control_flow_blocks``)."""
        if self.blank:
            for node in self.nodes:
                node.render_to_output(context, NULL_IO)
            return 0
        count = 0
        for node in self.nodes:
            count += node.render_to_output(context, buffer)
        return count

    render = render_to_output


class HubParser(Parser):
    """python-liquid's parser, building ``HubBlockNode`` blocks."""

    __slots__ = ()

    def parse_block(self, stream: TokenStream, end: Container[str]) -> BlockNode:
        """Parse tokens from ``stream`` until a tag named in ``end``."""
        env = self.env
        tags = env.tags
        illegal = tags[TOKEN_ILLEGAL]
        content = tags[TOKEN_CONTENT]
        output = tags[TOKEN_OUTPUT]
        nodes: list[Node] = []
        stream.block_depth += 1
        if stream.block_depth > env.block_nesting_limit:
            raise BlockNestingError(
                f"blocks nested too deep (more than {env.block_nesting_limit} levels)", token=None
            )
        while True:
            token = stream.current
            kind = token.kind
            if kind == TOKEN_EOF:
                break
            try:
                if kind == TOKEN_TAG:
                    if token.value in end:
                        break
                    nodes.append(tags.get(token.value, illegal).get_node(stream))
                elif kind == TOKEN_CONTENT:
                    nodes.append(content.get_node(stream))
                elif kind == TOKEN_OUTPUT:
                    nodes.append(output.get_node(stream))
                elif kind == TOKEN_DOC:
                    nodes.append(tags.get(TOKEN_DOC, illegal).get_node(stream))
                elif kind == "COMMENT":
                    nodes.append(tags.get(TOKEN_COMMENT, illegal).get_node(stream))
                else:
                    nodes.append(content.get_node(stream))
            except LiquidError as err:
                env.error(err, token=stream.current)
            next(stream)
        stream.block_depth -= 1
        return HubBlockNode(stream.current, nodes)


def tag_start(token: Token) -> Token:
    """``token`` (a tag name) moved back to its tag's opening ``{%``, where a user looks for
    the tag; tags inside ``{% liquid %}`` have no delimiter of their own and stay put."""
    source = token.source
    start = source.rfind("{%", 0, token.start_index)
    if start < 0 or source[start + 2 : token.start_index].strip(" \t\r\n-"):
        return token
    return tuple.__new__(Token, (token.kind, token.value, start, source))


def never_closed(name: str, opener: Token | None) -> LiquidSyntaxError:
    """``'if' tag was never closed (expected {% endif %})`` at the opening tag (§1.6 item 1)."""
    return LiquidSyntaxError(
        f"'{name}' tag was never closed (expected {{% end{name} %}})",
        token=tag_start(opener) if opener is not None else None,
    )


def unclosed_block(tokens: list[Token], end: str) -> LiquidSyntaxError:
    """The error for a template that ends before ``end``: the innermost opening tag of the
    block ``end`` closes, found by walking back from the end of ``tokens``."""
    name = end[3:]
    depth = 0
    for token in reversed(tokens):
        if token.kind != TOKEN_TAG:
            continue
        if token.value == end:
            depth += 1
        elif token.value == name:
            if not depth:
                return never_closed(name, token)
            depth -= 1
    return never_closed(name, None)


@lru_cache(maxsize=128)
def get_parser(env: Any) -> HubParser:
    """The parser of ``env``."""
    return HubParser(env)
