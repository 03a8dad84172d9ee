"""``{{ expression }}``: printed with Mechanic's rules (spec/liquid.md §1.8)."""

from __future__ import annotations

from typing import TextIO

from liquid.builtin.expressions import FilteredExpression
from liquid.builtin.output import Output, OutputNode
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, TOKEN_OUTPUT, Token

from ..expressions import expression_stream, parse_output_expression
from ..values import HubRenderError, to_s


class HubOutputNode(OutputNode):
    """Prints its expression's value: hashes in Ruby inspect form, arrays flattened, nil empty."""

    __slots__ = ("value",)

    def __init__(self, token: Token, expression: Expression):
        super().__init__(token, expression)
        # Without filters, the value is evaluated directly rather than through the filtered
        # expression's empty filter chain.
        unfiltered = isinstance(expression, FilteredExpression) and not expression.filters
        self.value = expression.left if unfiltered else expression

    def render_to_output(self, context, buffer: TextIO) -> int:
        """Render the node to the output buffer."""
        value = self.value.evaluate(context)
        try:
            return buffer.write(value if type(value) is str else to_s(value))
        except HubRenderError as err:  # a value that cannot be printed (an over-long integer)
            if err.token is None:
                err.token = self.token
            raise


class HubOutput(Output):
    """Output statements, parsed with Hub's expression rules."""

    node_class = HubOutputNode

    def parse(self, stream: TokenStream) -> HubOutputNode:
        """Parse ``{{ value | filters }}``."""
        token = stream.eat(TOKEN_OUTPUT)
        expr_token = stream.expect(TOKEN_EXPRESSION)
        return self.node_class(token, parse_output_expression(self.env, expression_stream(expr_token)))
