"""``match`` and ``scan`` with Ruby regexp syntax (spec/liquid.md §4.3, §1.7, §1.8)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import text

DAY = "It's a lovely day!"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # the documented examples
        ('{{ s | match: "(?<=a ).*(?= day)" }}', "lovely"),
        ('{% assign m = s | match: "a (bucolic|lovely) day" %}{{ m.captures | json }}', '["lovely"]'),
        (
            '{% assign m = s | match: "a (?<adjective>bucolic|lovely) day" %}{{ m.named_captures }}',
            '{"adjective" => "lovely"}',
        ),
        ('{% assign m = s | match: "a (?i:LOVELY) day" %}{{ m }}', "a lovely day"),
        ('{{ s | scan: "[\\w\']+" | json }}', '["It\'s","a","lovely","day"]'),
        ('{{ s | scan: "(bucolic|lovely|day)" | map: "captures" | json }}', '[["lovely"],["day"]]'),
        (
            '{{ s | scan: "(?<punctuation>[[:punct:]])" | map: "named_captures" | json }}',
            '[{"punctuation":"\'"},{"punctuation":"!"}]',
        ),
        # match objects: printing, JSON, lookups
        ('{{ s | match: "l(o)(v)" | json }}', '"lov"'),
        ('{% assign m = s | match: "l(o)(v)" %}{{ m[0] }}|{{ m[1] }}|{{ m[2] }}|{{ m.size }}', "lov|o|v|3"),
        ('{% assign m = s | match: "lovely" %}{{ m.pre_match }}|{{ m.post_match }}', "It's a | day!"),
        ('{% assign m = s | match: "(?<w>l\\w+)" %}{{ m.w }}|{{ m["w"] }}', "lovely|lovely"),
        (
            '{{ s | match: "zzz" | json }}|{% assign m = s | match: "zzz" %}'
            "{% if m %}y{% else %}n{% endif %}",
            "null|n",
        ),
        (
            '{% assign m = "12.5" | match: "^(\\d+\\.?\\d*|\\.\\d+)$" | append: "" %}'
            '{% if m == "12.5" %}valid{% endif %}'
            '|{{ "1x" | match: "^(\\d+\\.?\\d*|\\.\\d+)$" | append: "" }}',
            "valid|",
        ),
        ('{{ "abc" | match: "(x)?b" | map: "captures" | json }}', "[[null]]"),
        # named groups make plain groups non-capturing (Onigmo)
        ('{% assign m = "ab" | match: "(a)(?<n>b)" %}{{ m.captures | json }}', '["b"]'),
        (
            '{% assign m = "custom.discount_pct" | match: "(?<namespace>[\\w-]{3,})\\.(?<key>[\\w-]{3,})" %}'
            "{{ m.named_captures.namespace }}|{{ m.named_captures.key }}",
            "custom|discount_pct",
        ),
        # ASCII \w \d \s \b, Unicode POSIX brackets
        ('{{ "héllo wörld" | scan: "\\w+" | json }}', '["h","llo","w","rld"]'),
        ('{{ "héllo wörld" | scan: "[[:alpha:]]+" | json }}', '["héllo","wörld"]'),
        ('{{ "a1 b22" | scan: "[[:alpha:][:digit:]]+" | json }}', '["a1","b22"]'),
        ('{{ "a1-b2" | scan: "[^[:alpha:]]+" | json }}', '["1-","2"]'),
        (
            '{{ "x\u00a0y" | scan: "\\s" | size }}|{{ "٣" | scan: "\\d" | size }}|'
            '{{ "٣" | scan: "[[:digit:]]" | size }}',
            "0|0|1",
        ),
        ('{{ "café bar" | scan: "\\b\\w+\\b" | json }}', '["caf","bar"]'),
        ('{{ "“quoted” — yes!" | scan: "[[:punct:]]" | json }}', '["“","”","—","!"]'),
        ('{{ "a-b_c" | scan: "[\\w-]+" | json }}|{{ "FF0a" | match: "\\h+" }}', '["a-b_c"]|FF0a'),
        # anchors and flags
        ('{{ "one\ntwo" | scan: "^\\w+$" | json }}', '["one","two"]'),
        (
            '{{ "one\ntwo" | match: "\\Aone.two\\z" | json }}|{{ "one\ntwo" | match: "(?m:one.two)" }}',
            "null|one\ntwo",
        ),
        ('{{ "ab\n" | match: "b\\Z" | json }}|{{ "ab\n" | match: "b\\z" | json }}', '"b"|null'),
        (
            '{{ "aB" | match: "a(?i)b" }}|{{ "xC" | match: "x(?i)b|c" }}|'
            '{{ "C" | match: "a(?i)b|c" | json }}',
            "aB|xC|null",
        ),
        ('{{ "ABC" | match: "(?i)abc" }}|{{ "ABC" | match: "(?i-m)a(?-i)BC" }}', "ABC|ABC"),
        ('{{ "aa" | match: "(?<x>a)\\k<x>" }}|{{ "😀" | match: "\\u{1F600}" }}', "aa|😀"),
        # nil and non-string inputs
        (
            '{{ nil | match: "a" | json }}|{{ 12345 | match: "3." }}|{{ nil | scan: "a" | json }}',
            "null|34|[]",
        ),
    ],
)
def test_regex_filter(source, expected):
    assert text(source, {"s": DAY}) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            '{{ "a" | match: "(" }}',
            "match: invalid regular expression /(/: end pattern with unmatched parenthesis",
        ),
        ('{{ "a" | scan: "a)" }}', "scan: invalid regular expression /a)/: unmatched close parenthesis"),
        (
            '{{ "a" | match: "[[:nope:]]" }}',
            "match: invalid regular expression /[[:nope:]]/: invalid POSIX bracket type [:nope:]",
        ),
        (
            '{{ "a" | match: "[a-z&&[^b]]" }}',
            "match: invalid regular expression /[a-z&&[^b]]/: "
            "character class intersection (&&) is not supported",
        ),
        (
            '{{ "a" | match: "\\p{Greek}" }}',
            "match: invalid regular expression /\\p{Greek}/: invalid character property name {Greek}",
        ),
        (
            '{{ "a" | match: "a{2,1}" }}',
            "match: invalid regular expression /a{2,1}/: min repeat greater than max repeat at position 2",
        ),
    ],
)
def test_regex_filter_errors(source, message):
    with pytest.raises(LiquidError) as info:
        text(source)
    assert info.value.message.split("): ", 1)[1] == message
