"""Hub's template lexer gives python-liquid's tokens, plus raw ``permissions`` bodies
(tasks_app/liquid/lexer.py, spec/liquid.md §2.5)."""

import json
from pathlib import Path

import pytest
from liquid.exceptions import LiquidSyntaxError
from liquid.lex import _tokenize_template
from liquid.token import TOKEN_CONTENT, TOKEN_TAG, Token

from tasks_app.liquid.lexer import REFERENCE_RULES, RULES, lex

from .conformance import DOC_EXAMPLES, GOLDEN, load

TASKS = sorted(
    (Path(__file__).resolve().parents[3] / "shared" / "reference" / "mechanic-tasks" / "tasks").glob("*.json")
)

EDGE_CASES = [
    "{{ a -}}b",
    "{{ a - }}",
    "{{ a }}}",
    "{{ '}' }}{{ '}}' }}",
    "{% assign a = '%}' %}",
    "{% if a -%}\n x \n{%- endif %}",
    "{{- -}}",
    "{{}}{%-%}",
    "{{ x | minus: -1 }}{% echo 1 - %}",
    "{{ a -}\n}}",
    "a\n{% comment %}{% comment %}x{% endcomment %}{{ y }}{% endcomment %}b\n",
    "{% raw %}{{ x }}{% endraw %}{%- doc -%}d{% enddoc %}",
    "{% permissions %}\n  {{ not parsed }}\n{% endpermissions %}after",
    "{%- permissions -%}x{%- endpermissions -%} y",
    "trailing\n",
]


def reference(source: str) -> list[Token]:
    """python-liquid's lexer over its own rules, with ``permissions`` split as Hub does."""
    tokens = []
    for token in _tokenize_template(source, rules=REFERENCE_RULES):
        if token.kind != "PERMISSIONS":
            tokens.append(token)
            continue
        match = REFERENCE_RULES.match(source, token.start_index)
        tokens.append(Token(TOKEN_TAG, "permissions", token.start_index, source))
        tokens.append(Token(TOKEN_CONTENT, match.group("perm"), match.start("perm"), source))
        tokens.append(Token(TOKEN_TAG, "endpermissions", match.end("perm"), source))
    return tokens


def outcome(lexer, source: str):
    try:
        return lexer(source)
    except LiquidSyntaxError as exc:
        return ("error", str(exc), exc.token)


def sources() -> list[str]:
    scripts = [json.loads(path.read_text())["script"] for path in TASKS]
    examples = [case["template"] for case in load(GOLDEN)]
    docs = [case.get("template") or case.get("script") or "" for case in load(DOC_EXAMPLES)]
    return EDGE_CASES + scripts + examples + docs


def test_the_fast_rules_differ_from_python_liquids():
    assert RULES.pattern != REFERENCE_RULES.pattern


@pytest.mark.parametrize("source", EDGE_CASES + ["{{ unclosed", "{% unclosed", "x {%- %}"])
def test_edge_cases_lex_as_python_liquid_does(source):
    assert outcome(lex, source) == outcome(reference, source)


def test_every_corpus_template_lexes_as_python_liquid_does():
    differ = [source[:60] for source in sources() if outcome(lex, source) != outcome(reference, source)]
    assert differ == []
