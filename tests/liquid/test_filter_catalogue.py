"""The filter catalogue (spec/liquid.md §4): exactly the supported, deprecated and
undocumented-but-used names exist; anything else is a syntax error (§4.1, §4.9)."""

import pytest

from tasks_app.liquid import LiquidError, parse
from tasks_app.liquid.environment import HubEnvironment
from tasks_app.liquid.filters import ALIASES, UNDOCUMENTED, all_filters, deprecated

SUPPORTED = [
    "json",
    "parse_json",
    "jsonl",
    "parse_jsonl",
    "csv",
    "parse_csv",
    "parse_xml",
    "graphql_arguments",
    "shopify",
    "default",
    "browser",
    "gzip",
    "gunzip",
    "date",
    "parse_date",
    "match",
    "scan",
    "e164",
    "sha512",
    "hmac_sha512",
    "rsa_sha256",
    "rsa_sha512",
    "unindent",
    "append",
    "prepend",
    "capitalize",
    "downcase",
    "upcase",
    "lstrip",
    "rstrip",
    "strip",
    "strip_newlines",
    "newline_to_br",
    "strip_html",
    "escape",
    "escape_once",
    "url_encode",
    "url_decode",
    "base64_encode",
    "base64_decode",
    "base64_url_safe_encode",
    "base64_url_safe_decode",
    "md5",
    "sha1",
    "sha256",
    "hmac_sha1",
    "hmac_sha256",
    "handleize",
    "handle",
    "pluralize",
    "remove",
    "remove_first",
    "remove_last",
    "replace",
    "replace_first",
    "replace_last",
    "slice",
    "split",
    "truncate",
    "truncatewords",
    "plus",
    "minus",
    "times",
    "divided_by",
    "modulo",
    "abs",
    "round",
    "ceil",
    "floor",
    "at_least",
    "at_most",
    "currency",
    "push",
    "unshift",
    "except",
    "in_groups_of",
    "in_groups",
    "index_by",
    "sample",
    "sort_naturally",
    "sum",
    "compact",
    "concat",
    "first",
    "last",
    "join",
    "map",
    "reverse",
    "size",
    "sort",
    "sort_natural",
    "uniq",
    "where",
    "keys",
    "values",
]
DEPRECATED = [
    "add_tag",
    "add_tags",
    "remove_tag",
    "remove_tags",
    "base64",
    "decode_base64",
    "base64url",
    "decode_base64url",
    "img_url",
]


def test_catalogue_counts():
    assert len(set(SUPPORTED)) == 95
    assert sorted(deprecated.FILTERS) == sorted(DEPRECATED)
    assert UNDOCUMENTED == ("money", "money_with_currency", "url_param_escape")


def test_environment_has_exactly_the_catalogue():
    expected = set(SUPPORTED) | set(DEPRECATED) | set(UNDOCUMENTED) | set(ALIASES)
    assert set(all_filters()) == expected
    assert set(HubEnvironment().filters) == expected


@pytest.mark.parametrize("name", ["camelcase", "remove_all", "url_escape", "safe", "squish", "find", "t"])
def test_unlisted_filters_are_syntax_errors(name):
    with pytest.raises(LiquidError, match=f"unknown filter '{name}'"):
        parse("{% if false %}{{ 'x' | " + name + " }}{% endif %}")
