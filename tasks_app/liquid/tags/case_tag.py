"""``case``/``when``/``else``: values compare with Mechanic ``==`` (spec/liquid.md §2.10)."""

from __future__ import annotations

from liquid.ast import BlockNode
from liquid.builtin.tags.case_tag import ENDWHENBLOCK, CaseNode, CaseTag, MultiExpressionBlockNode
from liquid.exceptions import LiquidSyntaxError
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.token import TOKEN_COMMA, TOKEN_EOF, TOKEN_OR, TOKEN_TAG, Token

from ..expressions import expect_end, parse_primitive
from ..parser import get_parser
from ..values import BLANK, EMPTY, liquid_eq


class WhenExpression(Expression):
    """The values of one ``when``; evaluates to one boolean per value."""

    __slots__ = ("left", "expressions")

    def __init__(self, token: Token, left: Expression, expressions: list[Expression]):
        super().__init__(token)
        self.left = left
        self.expressions = expressions

    def __str__(self) -> str:
        return ", ".join(str(expr) for expr in self.expressions)

    def evaluate(self, context) -> list[bool]:
        left = self.left.evaluate(context)
        if left is EMPTY or left is BLANK:
            left = ""  # as the case subject they are values ("" in Ruby); as a `when` value, tests
        return [liquid_eq(left, right.evaluate(context)) for right in self.expressions]

    def children(self) -> list[Expression]:
        return self.expressions


class HubCaseTag(CaseTag):
    """``case``."""

    def parse(self, stream: TokenStream) -> CaseNode:
        """Parse a ``case`` block."""
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token)
        left = parse_primitive(self.env, tokens)
        expect_end(tokens)
        while stream.current.kind not in (TOKEN_TAG, TOKEN_EOF):
            next(stream)  # text between `case` and the first `when` is ignored
        parse_block = get_parser(self.env).parse_block
        blocks: list[MultiExpressionBlockNode | BlockNode] = []
        while not stream.current.is_tag("endcase"):
            if stream.current.is_tag("else"):
                next(stream)
                blocks.append(parse_block(stream, ENDWHENBLOCK))
            elif stream.current.is_tag("when"):
                when_token = next(stream)
                when_tokens = stream.into_inner(tag=when_token)
                values = [parse_primitive(self.env, when_tokens)]
                while when_tokens.current.kind in (TOKEN_COMMA, TOKEN_OR):
                    next(when_tokens)
                    values.append(parse_primitive(self.env, when_tokens))
                expect_end(when_tokens)
                block = parse_block(stream, ENDWHENBLOCK)
                blocks.append(
                    MultiExpressionBlockNode(when_token, block, WhenExpression(when_token, left, values))
                )
            elif stream.current.kind == TOKEN_EOF:
                stream.expect(TOKEN_TAG, "endcase")  # raises: never closed
            else:
                raise LiquidSyntaxError(f"unexpected tag {stream.current.value!r}", token=stream.current)
        stream.expect(TOKEN_TAG, "endcase")
        return self.node_class(token, left, blocks)
