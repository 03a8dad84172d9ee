"""String filters (spec/liquid.md §4.3) and ``url_param_escape`` (§4.9)."""

import pytest

from tasks_app.liquid import LiquidError

from .helpers import text

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # append / prepend
        ('{{ nil | append: "x" }}', "x"),
        ('{{ "a" | append: nil }}', "a"),
        ("{{ 1 | append: 2.5 }}", "12.5"),
        ('{{ "é" | prepend: "ü" }}', "üé"),
        # case
        ('{{ "hELLO wORLD" | capitalize }}', "Hello world"),
        ('{{ "ßa" | capitalize }}', "Ssa"),
        ('{{ "" | capitalize }}', ""),
        ('{{ "ÉCOLE" | downcase }}|{{ "straße" | upcase }}', "école|STRASSE"),
        ("{{ nil | upcase }}|{{ 12 | downcase }}", "|12"),
        # strip family: ASCII whitespace and NUL, never a non-breaking space
        (
            "{{ s | strip }}|{{ s | lstrip }}|{{ s | rstrip }}",
            f"{NBSP}a{NBSP}|{NBSP}a{NBSP} \t|\n {NBSP}a{NBSP}",
        ),
        ('{{ "a\r\nb\nc\rd" | strip_newlines | json }}', '"abc\\rd"'),
        ('{{ "a\r\nb\nc" | newline_to_br | json }}', '"a<br />\\nb<br />\\nc"'),
        # strip_html
        (
            '{{ "<p>Hi <b>there</b></p><script>x()</script><style>p{}</style><!-- c -->&amp;"'
            " | strip_html }}",
            "Hi there&amp;",
        ),
        ('{{ "<a\nhref=x>link</a>" | strip_html }}', "link"),
        # escape / escape_once
        ("{{ s2 | escape }}", "&lt;p&gt;&quot;Tom&#39;s&quot; &amp; Jerry&lt;/p&gt;"),
        ('{{ "&amp; &lt; & <" | escape_once }}', "&amp; &lt; &amp; &lt;"),
        ('{{ "&#39; &x;" | escape_once }}', "&#39; &x;"),
        ("[{{ nil | escape }}][{{ nil | escape_once }}]", "[][]"),
        # url_encode / url_decode / url_param_escape
        ('{{ "a b&c=d/é~*" | url_encode }}', "a+b%26c%3Dd%2F%C3%A9~%2A"),
        ('{{ "a+b%26c%3D%C3%A9%zz" | url_decode }}', "a b&c=é%zz"),
        ("[{{ nil | url_encode }}][{{ nil | url_decode }}]", "[][]"),
        ('{{ "a b&c=é~" | url_param_escape }}', "a%20b%26c%3D%C3%A9~"),
        # replace family: literal, newline keyword
        ('{{ "a.b.c" | replace: ".", "-" }}', "a-b-c"),
        ('{{ "abc" | replace: "", "-" }}', "-a-b-c-"),
        ('{{ "a\\0b" | replace: "b", "\\0" }}', "a\\0\\0"),
        ('{{ "a\r\nb\nc" | replace: newline, "|" }}', "a|b|c"),
        ('{{ "a,b" | replace: ",", newline | json }}', '"a\\nb"'),
        ('{{ "aXbXc" | replace_first: "X", "-" }}|{{ "aXbXc" | replace_last: "X", "-" }}', "a-bXc|aXb-c"),
        ('{{ "a\nb\nc" | replace_last: newline, " " | json }}', '"a\\nb c"'),
        (
            '{{ "aXbXc" | remove: "X" }}|{{ "aXbXc" | remove_first: "X" }}|{{ "aXbXc" | remove_last: "X" }}',
            "abc|abXc|aXbc",
        ),
        ('{{ "a.c" | remove: "." }}', "ac"),
        # split
        ('{{ "a,b,," | split: "," | json }}', '["a","b"]'),
        ('{{ ",a" | split: "," | json }}', '["","a"]'),
        ('{{ "  a  b\tc " | split: " " | json }}', '["a","b","c"]'),
        ('{{ s3 | split: " " | json }}', f'["a{NBSP}b"]'),
        ('{{ "abc" | split: "" | json }}', '["a","b","c"]'),
        ('{{ "a\r\nb\nc\n" | split: newline | json }}', '["a","b","c"]'),
        ('{{ "" | split: "," | json }}|{{ nil | split: "," | json }}', "[]|[]"),
        (('{{ ",," | split: "," | json }}'), "[]"),
        # slice on strings
        ('{{ "hello" | slice: 1 }}|{{ "hello" | slice: 1, 3 }}|{{ "hello" | slice: -3, 2 }}', "e|ell|ll"),
        (
            '[{{ "hello" | slice: 5 }}][{{ "hello" | slice: 9 }}]'
            '[{{ "hello" | slice: -9 }}][{{ "hello" | slice: 1, -1 }}]',
            "[][][][]",
        ),
        ('{{ "héllo" | slice: "1", "2" }}', "él"),
        # truncate / truncatewords
        ('{{ "Ground control to Major Tom." | truncate: 20 }}', "Ground control to..."),
        ('{{ "Ground control" | truncate: 20 }}', "Ground control"),
        ('{{ "Ground control to Major Tom." | truncate: 25, ", and so on" }}', "Ground control, and so on"),
        ('{{ "Ground control" | truncate: 2 }}|{{ "abcdef" | truncate: 3, "" }}', "...|abc"),
        ('{{ "Ground control to Major Tom." | truncatewords: 3 }}', "Ground control to..."),
        ('{{ "Ground control to Major Tom." | truncatewords: 3, "--" }}', "Ground control to--"),
        ('{{ "one two" | truncatewords: 0 }}|{{ "one  two" | truncatewords: 2 }}', "one...|one  two"),
        ("[{{ nil | truncate: 3 }}][{{ nil | truncatewords: 3 }}]", "[][]"),
        # unindent: common indentation of non-blank lines, blank lines kept
        ("{{ message | unindent | json }}", '"\\nHello, friend!\\nIt\'s a mighty fine day!\\n"'),
        ('{{ "    a\n  b\n\n      c" | unindent | json }}', '"  a\\nb\\n\\n    c"'),
        ('{{ "\ta\n\t\tb" | unindent | json }}', '"a\\n\\tb"'),
        ('{{ "a\n  b" | unindent | json }}|{{ nil | unindent | json }}', '"a\\n  b"|""'),
        # handleize / handle
        ('{{ "100% M&Ms!!!" | handleize }}', "100-m-ms"),
        ('{{ "  Hello_World--Again  " | handle }}', "hello-world-again"),
        ('{{ "Crème Brûlée Ünïcode" | handleize }}', "crème-brûlée-ünïcode"),
        ('{{ "!!!" | handleize }}|{{ nil | handleize }}', "|"),
        # pluralize
        ('{{ 1 | pluralize: "item", "items" }}|{{ 2 | pluralize: "item", "items" }}', "item|items"),
        ('{{ "1" | pluralize: "item", "items" }}|{{ 1.0 | pluralize: "item", "items" }}', "item|item"),
        ('{{ 0 | pluralize: "item", "items" }}|{{ nil | pluralize: "item", "items" }}', "items|items"),
        # base64 family
        ('{{ "héllo?>" | base64_encode }}', "aMOpbGxvPz4="),
        ('{{ "aMOpbGxvPz4=" | base64_decode }}', "héllo?>"),
        ('{{ "héllo?>" | base64_url_safe_encode }}', "aMOpbGxvPz4="),
        ('{{ "???" | base64_encode }}|{{ "???" | base64_url_safe_encode }}', "Pz8/|Pz8_"),
        ('{{ "Pz8_" | base64_url_safe_decode }}|{{ "aGk" | base64_url_safe_decode }}', "???|hi"),
        ('{{ "Pz8/" | base64_url_safe_decode }}', "???"),
        ('{{ "" | base64_decode }}|{{ nil | base64_encode }}', "|"),
        ('{{ "/w==" | base64_decode | base64_encode }}', "/w=="),
        # e164
        ('{{ "1 (312) 456-7890" | e164 }}', "13124567890"),
        ('{{ "+43 670 1234567890" | e164 }}', "436701234567890"),
        ('{{ "+44 20 7946 0958" | e164 }}', "442079460958"),
        ('{{ "000" | e164 | json }}|{{ "(312) 456-7890" | e164 | json }}', "null|null"),
        ('{{ "" | e164 | json }}|{{ nil | e164 | json }}|{{ "call me" | e164 | json }}', "null|null|null"),
    ],
)
def test_string_filter(source, expected):
    variables = {
        "s": f"\n {NBSP}a{NBSP} \t",
        "s2": '<p>"Tom\'s" & Jerry</p>',
        "s3": f"a{NBSP}b",
        "message": "\n  Hello, friend!\n  It's a mighty fine day!\n",
    }
    assert text(source, variables) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{{ "%FF" | url_decode }}', "url_decode: invalid byte sequence in UTF-8"),
        ('{{ "abc" | base64_decode }}', "base64_decode: invalid base64"),
        ('{{ "aGk" | base64_decode }}', "base64_decode: invalid base64"),
        ('{{ "aG k=" | base64_decode }}', "base64_decode: invalid base64"),
        ('{{ "a*b" | base64_url_safe_decode }}', "base64_url_safe_decode: invalid base64"),
        ('{{ "abc" | slice: 1.5 }}', "slice: invalid integer offset 1.5"),
        ('{{ "abc" | slice: 0, "x" }}', 'slice: invalid integer length "x"'),
        ('{{ "abc" | truncate: "x" }}', 'truncate: invalid integer length "x"'),
        ('{{ "abc" | truncatewords: nil }}', "truncatewords: invalid integer word count nil"),
    ],
)
def test_string_filter_errors(source, message):
    with pytest.raises(LiquidError) as info:
        text(source)
    assert info.value.message.endswith(": " + message)


def test_base64_decode_of_binary_data_is_a_binary_string():
    assert text('{{ "/w==" | base64_decode | size }}') == "1"
    with pytest.raises(LiquidError, match="json: cannot encode"):
        text('{{ "/w==" | base64_decode | json }}')
    assert text('{{ "/w==" | base64_decode: force_utf8: true | json }}') == '"\ufffd"'
