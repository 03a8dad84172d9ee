"""Expression parsing for the Mechanic dialect (spec/liquid.md §2.1, §2.9, §3, §8.3).

python-liquid's expression tokenizer treats ``limit``, ``offset``, ``null``… as keywords and
its primitives know nothing of ``array``/``hash``/``newline``. Hub tokenizes expressions itself
(keywords only where the grammar expects them) and parses primitives, filters, conditions and
loops with its own functions; tags reach them through ``HubTokenStream.into_inner``.
"""

from __future__ import annotations

import difflib
import inspect
import re
import sys
from collections.abc import Iterator, Mapping
from functools import lru_cache, partial
from itertools import islice
from typing import Any

from liquid.builtin.expressions import (
    FilteredExpression,
    KeywordArgument,
    LoopExpression,
    Path,
    PositionalArgument,
)
from liquid.builtin.expressions.filtered import Filter
from liquid.builtin.expressions.primitive import (
    FalseLiteral,
    FloatLiteral,
    IntegerLiteral,
    Literal,
    Nil,
    RangeLiteral,
    StringLiteral,
    TrueLiteral,
)
from liquid.exceptions import LiquidError, LiquidInterrupt, LiquidSyntaxError, LiquidTypeError
from liquid.expression import Expression
from liquid.limits import to_int
from liquid.stream import TokenStream
from liquid.token import (
    TOKEN_AND,
    TOKEN_ASSIGN,
    TOKEN_BLANK,
    TOKEN_COLON,
    TOKEN_COMMA,
    TOKEN_CONTAINS,
    TOKEN_DOT,
    TOKEN_EMPTY,
    TOKEN_EOF,
    TOKEN_EQ,
    TOKEN_EXPRESSION,
    TOKEN_FALSE,
    TOKEN_FLOAT,
    TOKEN_GE,
    TOKEN_GT,
    TOKEN_IDENTINDEX,
    TOKEN_IDENTSTRING,
    TOKEN_ILLEGAL,
    TOKEN_INTEGER,
    TOKEN_LBRACKET,
    TOKEN_LE,
    TOKEN_LG,
    TOKEN_LPAREN,
    TOKEN_LT,
    TOKEN_NE,
    TOKEN_NIL,
    TOKEN_OR,
    TOKEN_PIPE,
    TOKEN_RANGE,
    TOKEN_RANGE_LITERAL,
    TOKEN_RBRACKET,
    TOKEN_RPAREN,
    TOKEN_SKIP,
    TOKEN_STRING,
    TOKEN_TAG,
    TOKEN_TRUE,
    TOKEN_WORD,
    Token,
    operators,
)

from .parser import unclosed_block
from .values import (
    BLANK,
    EMPTY,
    HubRenderError,
    compare,
    contains,
    error_text,
    int_too_long,
    is_truthy,
    liquid_eq,
    ruby_class,
    ruby_inspect,
)

# -- tokenizer ----------------------------------------------------------------------------

_RULES = (
    (TOKEN_RANGE_LITERAL, r"\((?=.+?\.\.)"),
    (TOKEN_IDENTINDEX, r"\[\s*(?P<path_index>\-?\d+)\s*]"),
    (TOKEN_IDENTSTRING, r"\[\s*(?P<identquote>[\"'])(?P<identquoted>.*?)(?P=identquote)\s*]"),
    (TOKEN_STRING, r"(?P<quote>[\"'])(?P<quoted>.*?)(?P=quote)"),
    (TOKEN_RANGE, r"\.\."),
    (TOKEN_FLOAT, r"-?\d+\.(?!\.)\d*"),
    (TOKEN_INTEGER, r"-?\d+\b"),
    (TOKEN_DOT, r"\."),
    (TOKEN_WORD, r"\w[\w\-]*\??"),
    (TOKEN_LPAREN, r"\("),
    (TOKEN_RPAREN, r"\)"),
    (TOKEN_LBRACKET, r"\["),
    (TOKEN_RBRACKET, r"]"),
    (TOKEN_COLON, r":"),
    (TOKEN_COMMA, r","),
    (TOKEN_PIPE, r"\|"),
    ("OP", r"[!=<>]{1,2}"),
    (TOKEN_SKIP, r"[ \n\t\r]+"),
    (TOKEN_ILLEGAL, r"."),
)
_RE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _RULES), re.DOTALL)

# A keyword is only a keyword where the grammar can use it; anywhere else it is a name
# (Ruby accepts `limit`, `offset`, `null`, `and`… as variable names; spec §8.3).
_INFIX_WORDS = {"and": TOKEN_AND, "or": TOKEN_OR, "contains": TOKEN_CONTAINS}
_LITERAL_WORDS = {
    "true": TOKEN_TRUE,
    "false": TOKEN_FALSE,
    "nil": TOKEN_NIL,
    "empty": TOKEN_EMPTY,
    "blank": TOKEN_BLANK,
}
_OPERAND_END = frozenset(
    [
        TOKEN_WORD,
        TOKEN_STRING,
        TOKEN_INTEGER,
        TOKEN_FLOAT,
        TOKEN_RBRACKET,
        TOKEN_RPAREN,
        TOKEN_IDENTINDEX,
        TOKEN_IDENTSTRING,
        TOKEN_TRUE,
        TOKEN_FALSE,
        TOKEN_NIL,
        TOKEN_EMPTY,
        TOKEN_BLANK,
    ]
)

KEYWORD_LITERALS = frozenset(["array", "hash", "newline"])
"""Mechanic keyword literals (§3); reserved, so they cannot be assigned."""


def tokenize(source: str, parent_token: Token) -> list[Token]:
    """Tokenize one tag or output expression; token positions index the template source."""
    offset = parent_token.start_index
    try:
        scanned = _scan(source)
    except _ScanError as err:
        raise LiquidSyntaxError(
            err.message, token=Token(err.kind, err.value, offset + err.position, parent_token.source)
        ) from None
    text = parent_token.source
    new = tuple.__new__
    return [new(Token, (kind, value, offset + position, text)) for kind, value, position in scanned]


class _ScanError(Exception):
    def __init__(self, message: str, kind: str, value: str, position: int):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.value = value
        self.position = position


@lru_cache(maxsize=8192)
def _scan(source: str) -> tuple[tuple[str, str, int], ...]:
    # ``(kind, value, position in source)`` of each token. Cached by text: scripts repeat
    # their expressions (``order.id``, ``shop.name``, ``"…" | json``) within and across tasks.
    tokens = []
    previous = None
    for match in _RE.finditer(source):
        kind = match.lastgroup
        value = match.group()
        if kind == TOKEN_SKIP:
            continue
        if kind == TOKEN_WORD:
            if previous in _OPERAND_END and value in _INFIX_WORDS:
                kind = _INFIX_WORDS[value]
            elif previous != TOKEN_DOT and value in _LITERAL_WORDS:
                kind = _LITERAL_WORDS[value]
        elif kind == TOKEN_IDENTINDEX:
            value = match.group("path_index")
        elif kind == TOKEN_IDENTSTRING:
            value = match.group("identquoted")
        elif kind == TOKEN_STRING:
            value = match.group("quoted")
        elif kind == "OP":
            if value not in operators:
                raise _ScanError(f"unknown operator {value!r}", kind, value, match.start())
            kind = operators[value]
        elif kind == TOKEN_ILLEGAL:
            raise _ScanError(f"unexpected {value!r}", kind, value, match.start())
        previous = kind
        tokens.append((kind, value, match.start()))
    return tuple(tokens)


class HubTokenStream(TokenStream):
    """A token stream whose tag expressions are tokenized with Hub's rules.

    ``current`` is an attribute kept up to date by ``next`` rather than python-liquid's
    property: the parser reads it several times per token.
    """

    current: Token = TokenStream.eof

    def __init__(self, tokens: Iterator[Token] | list[Token], block_depth_carry: int = 0):
        self.tokens = tokens if type(tokens) is list else list(tokens)
        self.pos = 0
        self.block_depth = block_depth_carry
        self.current = self.tokens[0] if self.tokens else self.eof

    def __next__(self) -> Token:
        token = self.current
        pos = self.pos
        tokens = self.tokens
        if pos < len(tokens):
            pos += 1
            self.pos = pos
            self.current = tokens[pos] if pos < len(tokens) else self.eof
        return token

    next = next_token = __next__

    def expect(self, typ: str, value: str | None = None) -> Token:
        """The current token when it is ``typ`` (and ``value``), else a syntax error; a
        template that ends where an end tag belongs names the block never closed."""
        token = self.current
        if token.kind == typ and (value is None or token.value == value):
            return token
        if token.kind == TOKEN_EOF and typ == TOKEN_TAG and value and value.startswith("end"):
            raise unclosed_block(self.tokens, value)
        return self._expect(token, typ, value)

    def into_inner(self, *, tag: Token | None = None, eat: bool = True) -> TokenStream:
        """Return a stream over the current expression token (see ``TokenStream.into_inner``)."""
        token = self.current
        if token.kind != TOKEN_EXPRESSION:
            raise LiquidSyntaxError("missing expression", token=tag or token)
        if eat:
            next(self)
        return HubTokenStream(tokenize(token.value, parent_token=token))


def expression_stream(token: Token) -> HubTokenStream:
    """A token stream over one expression token (used by output statements)."""
    return HubTokenStream(tokenize(token.value, parent_token=token))


# -- primitives -----------------------------------------------------------------------------


class KeywordLiteral(Expression):
    """``array`` (a new empty array), ``hash`` (a new empty hash) or ``newline`` (§3)."""

    __slots__ = ("name",)

    def __init__(self, token: Token, name: str):
        super().__init__(token)
        self.name = name

    def __str__(self) -> str:
        return self.name

    def evaluate(self, context: Any) -> object:
        if self.name == "array":
            return []
        if self.name == "hash":
            return {}
        return "\n"

    def children(self) -> list[Expression]:
        return []


class SpecialLiteral(Expression):
    """``blank`` or ``empty``; compared with Rails/Liquid rules (§3.4)."""

    __slots__ = ("value",)

    def __init__(self, token: Token, value: object):
        super().__init__(token)
        self.value = value

    def __str__(self) -> str:
        return repr(self.value)

    def evaluate(self, context: Any) -> object:
        return self.value

    def children(self) -> list[Expression]:
        return []


_PATH_CONTINUES = frozenset([TOKEN_DOT, TOKEN_LBRACKET, TOKEN_IDENTINDEX, TOKEN_IDENTSTRING])


class HubPath(Path):
    """A variable path; one without nested paths (``a.b[0]``, not ``a[b]``) is resolved
    without rebuilding its segment list on every evaluation, and a bare name (``name``) by
    searching the scope here rather than through ``HubRenderContext.get``."""

    __slots__ = ("static", "name")

    def __init__(self, token: Token, path: list):
        super().__init__(token, path)
        self.static = not any(isinstance(segment, Path) for segment in path)
        self.name = path[0] if self.static and len(path) == 1 and type(path[0]) is str else None

    def evaluate(self, context: Any) -> object:
        name = self.name
        if name is not None:
            for namespace in context.scope._maps:
                if name in namespace:
                    return namespace[name]
            return None
        if self.static:
            return context.get(self.path, token=self.token)
        return super().evaluate(context)


# python-liquid's to_int refuses longer integer text (a sign counts); 0 means no limit.
_MAX_INT_LITERAL = sys.get_int_max_str_digits() or sys.maxsize

MAX_NESTING = 50
"""Ranges nested in range bounds (``((1..2)..3)``) deeper than this are a syntax error, well
before Python's recursion limit would end the parse without a position."""


def parse_primitive(env: Any, tokens: TokenStream, depth: int = 0) -> Expression:
    """Parse one primary expression: literal, keyword literal, range or variable path."""
    token = tokens.current
    kind = token.kind
    if kind == TOKEN_WORD and token.value in KEYWORD_LITERALS and tokens.peek.kind not in _PATH_CONTINUES:
        next(tokens)
        return KeywordLiteral(token, token.value)
    literal = _LITERALS.get(kind)
    if literal is not None:
        return literal(next(tokens))
    if kind == TOKEN_RANGE_LITERAL:
        return _parse_range(env, tokens, depth)
    if kind in (TOKEN_WORD, TOKEN_IDENTSTRING, TOKEN_LBRACKET):
        path = Path.parse(env, tokens)
        return HubPath(path.token, path.path)
    raise LiquidSyntaxError(f"expected a value, found {_describe(token)}", token=token)


def _integer_literal(token: Token) -> IntegerLiteral:
    if len(token.value) > _MAX_INT_LITERAL:
        raise LiquidSyntaxError(f"integer too large ({int_too_long()})", token=token)
    return IntegerLiteral(token, to_int(token.value))


# Token kind → the literal expression of that token (the token already consumed).
_LITERALS: dict[str, Any] = {
    TOKEN_TRUE: TrueLiteral,
    TOKEN_FALSE: FalseLiteral,
    TOKEN_NIL: Nil,
    TOKEN_INTEGER: _integer_literal,
    TOKEN_FLOAT: lambda token: FloatLiteral(token, float(token.value)),
    TOKEN_STRING: lambda token: StringLiteral(token, token.value),
    TOKEN_EMPTY: lambda token: SpecialLiteral(token, EMPTY),
    TOKEN_BLANK: lambda token: SpecialLiteral(token, BLANK),
}


def _parse_range(env: Any, tokens: TokenStream, depth: int) -> RangeLiteral:
    """``(start..stop)``, the current token being its opening parenthesis."""
    token = tokens.current
    if depth >= MAX_NESTING:
        raise LiquidSyntaxError(f"parentheses nested too deep (more than {MAX_NESTING} levels)", token=token)
    next(tokens)
    start = parse_primitive(env, tokens, depth + 1)
    tokens.eat(TOKEN_RANGE)
    stop = parse_primitive(env, tokens, depth + 1)
    tokens.eat(TOKEN_RPAREN)
    return HubRangeLiteral(token, start, stop)


class HubRangeLiteral(RangeLiteral):
    """``(start..stop)``: a descending range is empty but keeps its ends, so it prints as Ruby
    prints it (``(n..5)`` with n = 100 is ``100..5``, not python-liquid's ``0..-1``)."""

    def _make_range(self, start: Any, stop: Any) -> range:
        bounds = []
        for value in (start, stop):
            try:
                bounds.append(to_int(value))
            except (ValueError, TypeError):
                bounds.append(0)
        return range(bounds[0], bounds[1] + 1)


def _describe(token: Token) -> str:
    if token.kind == TOKEN_EOF:
        return "end of expression"
    return repr(token.value) if token.value else token.kind


# -- filters --------------------------------------------------------------------------------

_ARGUMENT_START = frozenset(
    [
        TOKEN_INTEGER,
        TOKEN_FLOAT,
        TOKEN_STRING,
        TOKEN_FALSE,
        TOKEN_TRUE,
        TOKEN_NIL,
        TOKEN_EMPTY,
        TOKEN_BLANK,
        TOKEN_RANGE_LITERAL,
        TOKEN_LBRACKET,
        TOKEN_IDENTSTRING,
        TOKEN_WORD,
    ]
)


class HubFilter(Filter):
    """A filter call; any failure inside the filter becomes a render error at the filter's name.

    ``func`` is the filter function, bound when the template is parsed (filters are registered
    when the environment is built, before any parse), and the arguments are pre-split into
    positional and keyword expressions, so a call does no registry lookups. Positional
    arguments that are all literals are evaluated once, at parse time (``constant_args``).
    """

    __slots__ = (
        "func",
        "positional",
        "keywords",
        "pass_context",
        "pass_environment",
        "constant_args",
        "with_keywords",
    )

    def __init__(
        self,
        token: Token,
        name: str,
        args: list[KeywordArgument | PositionalArgument],
        func: Any = None,
    ):
        super().__init__(token, name, args)
        self.func = func
        self.pass_context = bool(getattr(func, "with_context", False))
        self.pass_environment = bool(getattr(func, "with_environment", False))
        self.positional = tuple(arg.value for arg in args if isinstance(arg, PositionalArgument))
        self.keywords = tuple((arg.name, arg.value) for arg in args if isinstance(arg, KeywordArgument))
        self.constant_args = (
            tuple(_constant_value(value) for value in self.positional)
            if all(_is_constant(value) for value in self.positional)
            else None
        )
        # Whether a call passes keyword arguments (the template's, or the implicit context/env).
        self.with_keywords = bool(self.keywords or self.pass_context or self.pass_environment)

    def _input(self, left: object, context: Any) -> object:
        if left is EMPTY or left is BLANK:
            return ""  # Ruby: as a value, not a comparison operand, empty and blank are ""
        if type(left) is range:
            # A filter iterates a range: count it like a loop (limits.py).
            context.meter.tick(self.token, len(left))
        return left

    def evaluate(self, left: object, context: Any) -> object:
        left = self._input(left, context)
        func = self.func
        if func is None:
            func = context.filter(self.name, token=self.token)
        args = self.constant_args
        if args is None:
            positional = self.positional
            if len(positional) == 1:
                args = (positional[0].evaluate(context),)
            else:
                args = [value.evaluate(context) for value in positional]
        keywords = self._keywords(context) if self.with_keywords else None
        try:
            if keywords is None:
                return func(left, *args)
            return func(left, *args, **keywords)
        except LiquidInterrupt:
            raise
        except LiquidError as err:
            if not err.token:
                err.token = self.token
            raise
        except (TypeError, OverflowError, RecursionError) as err:
            # Python's own wording ("json_filter() takes 1 positional argument…") names
            # functions the user never wrote; say what the filter accepts instead.
            message = filter_call_error(self.name, func, left, args, keywords or {}, err)
            raise HubRenderError(message, token=self.token) from err
        except MemoryError:
            raise context.meter.error("memory", self.token) from None
        except Exception as err:  # every filter failure fails the run (§1.6)
            raise HubRenderError(f"{self.name}: {error_text(err)}", token=self.token) from err

    def _keywords(self, context: Any) -> dict[str, Any]:
        keywords = {name: value.evaluate(context) for name, value in self.keywords}
        if self.pass_context:
            keywords["context"] = context
        if self.pass_environment:
            keywords["environment"] = context.env
        return keywords


_IMPLICIT = frozenset(["context", "environment"])  # passed by HubFilter, never by the template


def filter_call_error(name: str, func: Any, left: Any, args: Any, keywords: dict, err: Exception) -> str:
    """The message for a filter call that raised ``err`` (a TypeError, OverflowError or
    RecursionError): what was wrong with the call in the filter's own terms."""
    if isinstance(err, RecursionError):
        return f"{name}: value nested too deep"
    values = [left, *args, *(value for key, value in keywords.items() if key not in _IMPLICIT)]
    if isinstance(err, OverflowError):
        huge = next((v for v in values if type(v) is int and abs(v) > sys.maxsize), None)
        return f"{name}: argument out of range" + (f" ({_short(huge)})" if huge is not None else "")
    try:
        signature = inspect.signature(func)
        signature.bind(left, *args, **keywords)
    except TypeError:
        return _arguments_error(name, signature, args, keywords)
    except ValueError:  # no signature to read (a builtin)
        pass
    # The call matched the filter's parameters: a value inside was of a kind it cannot use.
    kinds = ", ".join(ruby_class(v) for v in values)
    return f"{name}: cannot be applied to these values ({kinds})"


def _short(value: int) -> str:
    return str(value) if abs(value) < 10**40 else f"{str(value)[:20]}…"


def _arguments_error(name: str, signature: inspect.Signature, args: Any, keywords: dict) -> str:
    params = list(signature.parameters.values())[1:]  # the first is the filter's input
    positional, at_least, at_most = _positional_params(params)
    given = len(args)
    if at_most is not None and given > at_most:
        if at_most == 0:
            return f"{name}: takes no arguments (got {given})"
        return f"{name}: too many arguments (takes at most {at_most}, got {given})"
    if given < at_least:
        return f"{name}: too few arguments (takes at least {at_least}, got {given})"
    options = any(param.kind is param.VAR_KEYWORD for param in params)
    names = {
        param.name
        for param in params
        if param.kind not in (param.VAR_KEYWORD, param.VAR_POSITIONAL) and param.name not in _IMPLICIT
    }
    for key in keywords:
        if key in _IMPLICIT:
            continue
        if key in positional[:given]:
            return f"{name}: argument '{key}' given twice"
        if not options and key not in names:
            return f"{name}: unknown option '{key}'"
    return f"{name}: invalid arguments"


def _positional_params(params: list[inspect.Parameter]) -> tuple[list[str], int, int | None]:
    """``(names, at least, at most)`` of the parameters a template's positional arguments fill;
    at most is None when the filter takes ``*args``."""
    names: list[str] = []
    at_least = 0
    for param in params:
        if param.name in _IMPLICIT or param.kind in (param.KEYWORD_ONLY, param.VAR_KEYWORD):
            break  # the template's positional arguments cannot reach past these
        if param.kind is param.VAR_POSITIONAL:
            return names, at_least, None
        names.append(param.name)
        if param.default is param.empty:
            at_least += 1
    return names, at_least, len(names)


def _is_constant(expr: Expression) -> bool:
    # Immutable literals only: `array` and `hash` make a new object per evaluation.
    return isinstance(expr, (Literal, Nil))


def _constant_value(expr: Expression) -> object:
    return None if isinstance(expr, Nil) else expr.value


def did_you_mean(name: str, known: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``known`` (difflib), or ``""``."""
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def parse_filters(env: Any, tokens: TokenStream, *, max_args: int | None = None) -> list[Filter]:
    """Parse ``| name: arg, key: value`` chains. Unknown filter names are syntax errors (§4.1).

    With ``max_args`` (tag arguments, §2.1) a filter takes at most that many arguments, so a
    following comma ends the tag argument instead.
    """
    filters: list[Filter] = []
    while tokens.current.kind == TOKEN_PIPE:
        next(tokens)
        token = tokens.current
        if token.kind not in (TOKEN_WORD, TOKEN_TRUE, TOKEN_FALSE, TOKEN_NIL, TOKEN_EMPTY, TOKEN_BLANK):
            raise LiquidSyntaxError(f"expected a filter name, found {_describe(token)}", token=token)
        next(tokens)
        if token.value not in env.filters:
            hint = did_you_mean(token.value, list(env.filters))
            raise LiquidSyntaxError(f"unknown filter '{token.value}'{hint}", token=token)
        args: list[KeywordArgument | PositionalArgument] = []
        if tokens.current.kind == TOKEN_COLON:
            next(tokens)
            while True:
                if max_args is not None and len(args) >= max_args:
                    break
                tok = tokens.current
                if tok.kind == TOKEN_WORD and tokens.peek.kind == TOKEN_COLON:
                    next(tokens)
                    next(tokens)
                    args.append(KeywordArgument(tok, tok.value, parse_primitive(env, tokens)))
                elif tok.kind in _ARGUMENT_START:
                    args.append(PositionalArgument(parse_primitive(env, tokens)))
                else:
                    raise LiquidSyntaxError(f"expected a filter argument, found {_describe(tok)}", token=tok)
                if tokens.current.kind != TOKEN_COMMA:
                    break
                if max_args is not None and len(args) >= max_args:
                    break
                next(tokens)
        filters.append(HubFilter(token, token.value, args, env.filters[token.value]))
    return filters


def parse_filtered(env: Any, tokens: TokenStream, *, max_args: int | None = None) -> FilteredExpression:
    """Parse ``value | filter …`` (no end-of-stream check)."""
    left = parse_primitive(env, tokens)
    return FilteredExpression(left.token, left, parse_filters(env, tokens, max_args=max_args))


def parse_output_expression(env: Any, tokens: TokenStream) -> FilteredExpression:
    """Parse the whole of an output statement, ``echo`` or ``assign`` right-hand side."""
    expr = parse_filtered(env, tokens)
    expect_end(tokens)
    return expr


def expect_end(tokens: TokenStream) -> None:
    """Raise a syntax error unless the expression is fully consumed."""
    if tokens.current.kind != TOKEN_EOF:
        raise LiquidSyntaxError(f"unexpected {_describe(tokens.current)}", token=tokens.current)


# -- conditions -----------------------------------------------------------------------------

_COMPARISONS = {
    TOKEN_EQ: "==",
    TOKEN_NE: "!=",
    TOKEN_LG: "<>",
    TOKEN_LT: "<",
    TOKEN_GT: ">",
    TOKEN_LE: "<=",
    TOKEN_GE: ">=",
    TOKEN_CONTAINS: "contains",
}


class Comparison(Expression):
    """``left op right`` with Ruby/Rails semantics (§2.9, §3.4)."""

    __slots__ = ("op", "left", "right", "test")

    def __init__(self, token: Token, op: str, left: Expression, right: Expression):
        super().__init__(token)
        self.op = op
        self.left = left
        self.right = right
        # The operator's function, chosen once (compare() dispatches on the operator's name).
        self.test = _TESTS.get(op) or partial(compare, op)

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"

    def evaluate(self, context: Any) -> bool:
        try:
            return self.test(self.left.evaluate(context), self.right.evaluate(context))
        except HubRenderError as err:
            err.token = self.token
            raise

    def children(self) -> list[Expression]:
        return [self.left, self.right]


def _not_equal(left: Any, right: Any) -> bool:
    return not liquid_eq(left, right)


_TESTS = {"==": liquid_eq, "!=": _not_equal, "<>": _not_equal, "contains": contains}


class Logical(Expression):
    """``and``/``or``; both group from the right (Ruby Liquid)."""

    __slots__ = ("op", "left", "right")

    def __init__(self, token: Token, op: str, left: Expression, right: Expression):
        super().__init__(token)
        self.op = op
        self.left = left
        self.right = right

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"

    def evaluate(self, context: Any) -> bool:
        if self.op == "and":
            return is_truthy(self.left.evaluate(context)) and is_truthy(self.right.evaluate(context))
        return is_truthy(self.left.evaluate(context)) or is_truthy(self.right.evaluate(context))

    def children(self) -> list[Expression]:
        return [self.left, self.right]


class Condition(Expression):
    """A whole ``if``/``unless``/``elsif`` condition: evaluates to a boolean."""

    __slots__ = ("expression",)

    def __init__(self, token: Token, expression: Expression):
        super().__init__(token)
        self.expression = expression

    def __str__(self) -> str:
        return str(self.expression)

    def evaluate(self, context: Any) -> bool:
        value = self.expression.evaluate(context)
        return not (value is None or value is False)  # is_truthy, inlined

    def children(self) -> list[Expression]:
        return [self.expression]


def _parse_comparison(env: Any, tokens: TokenStream) -> Expression:
    left = parse_primitive(env, tokens)
    if tokens.current.kind in _COMPARISONS:
        op_token = next(tokens)
        right = parse_primitive(env, tokens)
        return Comparison(op_token, _COMPARISONS[op_token.kind], left, right)
    return left


def parse_condition(env: Any, tokens: TokenStream) -> Condition:
    """Parse ``a == b and c contains d or e`` (no parentheses, no ``not``; §2.9)."""
    start = tokens.current
    terms = [_parse_comparison(env, tokens)]
    ops: list[Token] = []
    while tokens.current.kind in (TOKEN_AND, TOKEN_OR):
        ops.append(next(tokens))
        terms.append(_parse_comparison(env, tokens))
    expect_end(tokens)
    expr = terms[-1]
    for op_token, term in zip(reversed(ops), reversed(terms[:-1]), strict=True):
        expr = Logical(op_token, op_token.value, term, expr)
    return Condition(start, expr)


# -- loops ------------------------------------------------------------------------------------


class HubLoopExpression(LoopExpression):
    """``for``/``tablerow`` expression; hashes iterate as ``[key, value]`` arrays (§2.11).

    ``metered`` loops (``tablerow``; ``for`` meters itself) count each item against the run's
    limits as it is taken.
    """

    metered = False

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # python-liquid formats this key (for `offset: continue`) on every evaluation.
        self.offset_key = f"{self.identifier}-{self.iterable}"

    def evaluate(self, context: Any) -> tuple[Iterator[Any], int]:
        """``(iterator, length)`` of the sliced collection."""
        value = self.iterable.evaluate(context)
        it, length = self._to_iter(value, context)
        if isinstance(value, str):
            # Ruby iterates a string once, as one item, whatever limit, offset and reversed say.
            context.tag_namespace["stopindex"][self.offset_key] = length
        elif self.limit is None and self.offset is None and not self.reversed:
            # Nothing to slice; only the stop index is recorded, as _slice does.
            context.tag_namespace["stopindex"][self.offset_key] = length
        else:
            it, length = self.evaluate_slice(it, length, context)
        if self.metered:
            it = _metered(it, context.meter, self.token)
        return it, length

    def evaluate_slice(self, it: Iterator[Any], length: int, context: Any) -> tuple[Iterator[Any], int]:
        """Apply ``limit``, ``offset`` and ``reversed`` (python-liquid's ``evaluate``)."""
        limit = self._to_int(self.limit.evaluate(context), token=self.limit.token) if self.limit else None
        if isinstance(self.offset, StringLiteral):
            offset: str | int | None = self.offset.value
            if offset != "continue":
                offset = self._to_int(offset, token=self.offset.token)
        elif self.offset is None:
            offset = None
        else:
            offset = self._to_int(self.offset.evaluate(context), token=self.offset.token)
        return self._slice(it, length, context, limit=limit, offset=offset)

    def _to_int(self, obj: object, *, token: Token) -> int:
        # python-liquid names the Python class ("found str").
        try:
            return to_int(obj)
        except (ValueError, TypeError):
            raise LiquidTypeError(f"expected an integer, found {ruby_inspect(obj)}", token=token) from None

    def _to_iter(self, obj: object, context: Any) -> tuple[Iterator[Any], int]:
        kind = type(obj)
        if kind is list or (kind is range and abs(obj.stop - obj.start) < sys.maxsize):
            return iter(obj), len(obj)
        if isinstance(obj, Mapping):
            return iter([[k, v] for k, v in obj.items()]), len(obj)
        return super()._to_iter(obj, context)

    def _slice(self, it, length, context, *, limit, offset):
        # Ruby's Utils.slice_collection: items whose index i has from <= i < from + limit (any
        # signs: a negative offset does not count from the end, a limit of 0 or less gives
        # nothing), and the next `offset: continue` starts at from + the items taken.
        offset_key = self.offset_key
        start = context.stopindex(offset_key) if offset == "continue" else int(offset or 0)
        low = min(max(start, 0), length)
        high = length if limit is None else min(max(start + limit, low), length)
        context.stopindex(key=offset_key, index=start + (high - low))
        it = islice(it, low, high)
        if self.reversed:
            return reversed(list(it)), high - low
        return it, high - low


def _metered(it: Iterator[Any], meter: Any, token: Token) -> Iterator[Any]:
    for item in it:
        meter.tick(token)
        yield item


def parse_loop(env: Any, tokens: TokenStream) -> HubLoopExpression:
    """Parse ``item in collection [limit: n] [offset: n|continue] [cols: n] [reversed]``."""
    token = tokens.current
    if token.kind != TOKEN_WORD:
        raise LiquidSyntaxError(f"expected a loop variable name, found {_describe(token)}", token=token)
    identifier = token.value
    next(tokens)
    if not (tokens.current.kind == TOKEN_WORD and tokens.current.value == "in"):
        raise LiquidSyntaxError(f"expected 'in', found {_describe(tokens.current)}", token=tokens.current)
    next(tokens)
    iterable = parse_primitive(env, tokens)
    limit = offset = cols = None
    reversed_ = False
    while tokens.current.kind != TOKEN_EOF:
        tok = tokens.current
        if tok.kind == TOKEN_COMMA:
            next(tokens)
            continue
        if tok.kind == TOKEN_WORD and tok.value == "reversed":
            reversed_ = True
            next(tokens)
            continue
        if (
            tok.kind == TOKEN_WORD
            and tok.value in ("limit", "offset", "cols")
            and tokens.peek.kind
            in (
                TOKEN_COLON,
                TOKEN_ASSIGN,
            )
        ):
            next(tokens)
            next(tokens)
            if (
                tok.value == "offset"
                and tokens.current.kind == TOKEN_WORD
                and tokens.current.value == "continue"
            ):
                offset = StringLiteral(next(tokens), "continue")
            elif tok.value == "limit":
                limit = parse_primitive(env, tokens)
            elif tok.value == "offset":
                offset = parse_primitive(env, tokens)
            else:
                cols = parse_primitive(env, tokens)
            continue
        raise LiquidSyntaxError("expected 'reversed', 'offset' or 'limit'", token=tok)
    return HubLoopExpression(
        token, identifier, iterable, limit=limit, offset=offset, reversed_=reversed_, cols=cols
    )
