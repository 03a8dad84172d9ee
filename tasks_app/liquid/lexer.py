"""The template lexer of the Mechanic dialect: python-liquid's, plus raw ``permissions`` bodies
(spec/liquid.md §2.5), tuned because lexing is a fifth of parsing a library script.

The token stream is exactly python-liquid's ``_tokenize_template`` over its
``compile_liquid_rules()`` (tests/liquid/test_lexer.py compares them on the corpora); two
things differ in how it is computed:

- the tag and output expression groups are written as unrolled loops (``[^%-]*(?:…)*``)
  instead of python-liquid's per-character negative lookahead; they match the same text;
- tokens are built positionally and the loop is one function (no generator per token).
"""

from __future__ import annotations

import re

from liquid.exceptions import LiquidSyntaxError
from liquid.lex import compile_liquid_rules
from liquid.token import (
    TOKEN_COMMENT,
    TOKEN_CONTENT,
    TOKEN_DOC,
    TOKEN_EOF,
    TOKEN_EXPRESSION,
    TOKEN_OUTPUT,
    TOKEN_TAG,
    Token,
)

# `permissions` has a raw body (§2.5): lex it like `raw` so Liquid inside it is never parsed.
PERMISSIONS = (
    r"(?P<PERMISSIONS>{%-?\s*permissions\s*(?P<prs>-?)%}(?P<perm>.*?){%-?\s*endpermissions\s*(?P<pre>-?)%})"
)

_FAST_GROUPS = (
    (r"(?P<stmt>(?:(?!-?\}\})[\s\S])*(?<!\s))", r"(?P<stmt>[^}-]*(?:(?:-(?!\}\})|\}(?!\}))[^}-]*)*(?<!\s))"),
    (r"(?P<expr>(?:(?!-?%\})[\s\S])*(?<!\s))", r"(?P<expr>[^%-]*(?:(?:-(?!%\})|%(?!\}))[^%-]*)*(?<!\s))"),
)


def _rules(*, fast: bool = True) -> re.Pattern[str]:
    pattern = compile_liquid_rules().pattern
    if fast:
        for slow, quick in _FAST_GROUPS:
            if slow not in pattern:  # python-liquid is pinned; fail loudly if its rules move
                raise RuntimeError(f"python-liquid's lexer rules changed: {slow} not found")
            pattern = pattern.replace(slow, quick)
    return re.compile(PERMISSIONS + "|" + pattern, re.DOTALL)


RULES = _rules()
REFERENCE_RULES = _rules(fast=False)
"""python-liquid's own rules (plus ``permissions``), for the tests that compare the lexers."""


def _token(kind: str, value: str, start: int, source: str) -> Token:
    return tuple.__new__(Token, (kind, value, start, source))


def lex(source: str, rules: re.Pattern[str] = RULES) -> list[Token]:  # noqa: C901, PLR0912 - one loop, as python-liquid's
    """The tokens of a template (python-liquid's ``_tokenize_template``, see the module doc)."""
    tokens: list[Token] = []
    append = tokens.append
    lstrip = False
    comment_index = 0
    comment_text: list[str] = []
    comment_depth = 0
    for match in rules.finditer(source):
        kind = match.lastgroup
        value = match.group()
        if comment_depth:
            if kind == "TAG":
                name = match.group("name")
                if name == "endcomment":
                    comment_depth -= 1
                    if not comment_depth:
                        append(_token(TOKEN_COMMENT, "".join(comment_text), comment_index, source))
                        comment_index = 0
                        comment_text.clear()
                        append(_token(TOKEN_TAG, name, match.start("name"), source))
                        lstrip = bool(match.group("rst"))
                        continue
                elif name == "comment":
                    comment_depth += 1
            comment_text.append(value)
            continue
        if kind == TOKEN_CONTENT:
            if lstrip:
                value = value.lstrip()
            if match.group("rstrip"):
                value = value.rstrip()
            if not value:
                continue
            if value.startswith("{{"):
                raise LiquidSyntaxError(
                    "expected '}}', found end of file",
                    token=_token(TOKEN_EOF, match.group(), match.start(), source),
                )
            if value.startswith("{%"):
                raise LiquidSyntaxError(
                    "missing tag name or closing delimiter",
                    token=_token(TOKEN_EOF, match.group(), match.start(), source),
                )
            append(_token(kind, value, match.start(), source))
        elif kind == "TAG":
            name = match.group("name")
            append(_token(TOKEN_TAG, name, match.start("name"), source))
            value = match.group("expr")
            lstrip = bool(match.group("rst"))
            if value:
                append(_token(TOKEN_EXPRESSION, value, match.start("expr"), source))
            if name == "comment":
                if not comment_depth:
                    comment_index = match.end()
                comment_depth += 1
        elif kind == TOKEN_OUTPUT:
            append(_token(TOKEN_OUTPUT, value, match.start(), source))
            append(_token(TOKEN_EXPRESSION, match.group("stmt"), match.start("stmt"), source))
            lstrip = bool(match.group("rss"))
        elif kind == "PERMISSIONS":
            start = match.start()
            append(_token(TOKEN_TAG, "permissions", start, source))
            append(_token(TOKEN_CONTENT, match.group("perm"), match.start("perm"), source))
            append(_token(TOKEN_TAG, "endpermissions", match.end("perm"), source))
        elif kind == "RAW":
            lstrip = bool(match.group("rsr"))
            append(_token(TOKEN_CONTENT, match.group("raw"), match.start(), source))
        elif kind == "DOC":
            lstrip = bool(match.group("rsd"))
            append(_token(TOKEN_DOC, match.group("doc"), match.start(), source))
        else:  # pragma: no cover - every group of the rules is handled above
            append(_token(kind, value, match.start(), source))
    return tokens
