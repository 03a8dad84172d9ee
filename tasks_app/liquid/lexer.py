"""The template lexer of the Mechanic dialect: python-liquid's, plus raw ``permissions`` bodies
(spec/liquid.md §2.5), tuned because lexing is a fifth of parsing a library script.

The token stream is exactly python-liquid's ``_tokenize_template`` over its
``compile_liquid_rules()`` (tests/liquid/test_lexer.py compares them on the corpora); two
things differ in how it is computed:

- the tag and output expression groups are written as unrolled loops (``[^%-]*(?:…)*``)
  instead of python-liquid's per-character negative lookahead; they match the same text;
- tokens are built positionally in one loop (no generator per token); only the rare blocks
  (comments, ``raw``, ``doc``, ``permissions``) are handed to helpers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

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


def lex(source: str, rules: re.Pattern[str] = RULES) -> list[Token]:
    """The tokens of a template (python-liquid's ``_tokenize_template``, see the module doc)."""
    tokens: list[Token] = []
    append = tokens.append
    lstrip = False
    matches = rules.finditer(source)
    for match in matches:
        kind = match.lastgroup
        if kind == TOKEN_CONTENT:
            value = match.group()
            if lstrip:
                value = value.lstrip()
            if match.group("rstrip"):
                value = value.rstrip()
            if not value:
                continue
            if value[0] == "{" and value.startswith(("{{", "{%")):
                raise _unclosed(value, match, source)
            append(_token(kind, value, match.start(), source))
        elif kind == "TAG":
            name = match.group("name")
            append(_token(TOKEN_TAG, name, match.start("name"), source))
            value = match.group("expr")
            lstrip = bool(match.group("rst"))
            if value:
                append(_token(TOKEN_EXPRESSION, value, match.start("expr"), source))
            if name == "comment":
                lstrip = _comment(matches, match.end(), source, append, lstrip)
        elif kind == TOKEN_OUTPUT:
            append(_token(TOKEN_OUTPUT, match.group(), match.start(), source))
            append(_token(TOKEN_EXPRESSION, match.group("stmt"), match.start("stmt"), source))
            lstrip = bool(match.group("rss"))
        else:
            lstrip = _raw_block(match, source, append, lstrip)
    return tokens


def _unclosed(value: str, match: re.Match[str], source: str) -> LiquidSyntaxError:
    """The error for content ``value`` that opens an output or a tag it never closes."""
    if value.startswith("{{"):
        message = "expected '}}', found end of file"
    else:
        message = "missing tag name or closing delimiter"
    return LiquidSyntaxError(message, token=_token(TOKEN_EOF, match.group(), match.start(), source))


def _comment(
    matches: Iterator[re.Match[str]], start: int, source: str, append: Callable[[Token], None], lstrip: bool
) -> bool:
    """Consume a ``comment`` block's body up to its ``endcomment`` (nested comments count) and
    append its text and the closing tag; returns the ``lstrip`` that follows (unchanged when the
    source ends inside the comment: then the body yields no token, as in python-liquid)."""
    depth = 1
    text: list[str] = []
    for match in matches:
        if match.lastgroup == "TAG":
            name = match.group("name")
            if name == "endcomment":
                depth -= 1
                if not depth:
                    append(_token(TOKEN_COMMENT, "".join(text), start, source))
                    append(_token(TOKEN_TAG, name, match.start("name"), source))
                    return bool(match.group("rst"))
            elif name == "comment":
                depth += 1
        text.append(match.group())
    return lstrip


def _raw_block(match: re.Match[str], source: str, append: Callable[[Token], None], lstrip: bool) -> bool:
    """Append the tokens of a ``permissions``, ``raw`` or ``doc`` block; returns the next ``lstrip``."""
    kind = match.lastgroup
    if kind == "PERMISSIONS":
        append(_token(TOKEN_TAG, "permissions", match.start(), source))
        append(_token(TOKEN_CONTENT, match.group("perm"), match.start("perm"), source))
        append(_token(TOKEN_TAG, "endpermissions", match.end("perm"), source))
        return lstrip
    if kind == "RAW":
        append(_token(TOKEN_CONTENT, match.group("raw"), match.start(), source))
        return bool(match.group("rsr"))
    if kind == "DOC":
        append(_token(TOKEN_DOC, match.group("doc"), match.start(), source))
        return bool(match.group("rsd"))
    append(_token(kind, match.group(), match.start(), source))  # pragma: no cover - no other groups
    return lstrip
