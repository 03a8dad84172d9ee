"""``json``, ``parse_json``, ``csv``, ``push`` and ``shopify`` (spec/liquid.md §4.2, §4.5, §6.2)."""

import pytest

from tasks_app.liquid import LiquidError, RenderSettings, render_text

from .helpers import NOW, text


def test_json_is_compact_and_keeps_non_ascii():
    assert (
        text("{{ v | json }}", {"v": {"a": [1, 2.5, None, True], "é": "ü<>&"}})
        == '{"a":[1,2.5,null,true],"é":"ü<>&"}'
    )


def test_parse_json_round_trip():
    assert (
        text("{% assign v = s | parse_json %}{{ v.a[1] }}|{{ v | json }}", {"s": '{"a": [1, "x"]}'})
        == 'x|{"a":[1,"x"]}'
    )


def test_csv_quotes_minimally_and_ends_every_row():
    rows = [["a", "b,c", 'say "hi"'], [1, None, "x\ny"]]
    assert text("{{ rows | csv }}", {"rows": rows}) == 'a,"b,c","say ""hi"""\n1,,"x\ny"\n'


def test_csv_with_bom_as_keyword_option():
    assert text("{{ rows | csv: include_bom: true }}", {"rows": [["a"]]}) == "\ufeffa\n"


def test_push_returns_a_new_array_and_accepts_nil():
    source = "{% assign b = a | push: 3, 4 %}{{ a | json }}|{{ b | json }}|{{ nothing | push: 1 | json }}"
    assert text(source, {"a": [1, 2]}) == "[1,2]|[1,2,3,4]|[1]"


def test_shopify_in_preview_records_the_call_and_returns_nil():
    settings = RenderSettings(now=NOW, preview=True, shopify=lambda q, v: {"data": 1})
    out = render_text(
        "{% assign r = q | shopify: variables: v %}{{ r | json }}",
        {"q": "query { shop { id } }", "v": {"a": 1}},
        settings,
    )
    assert out == "null"
    assert settings.shopify_calls == [{"query": "query { shop { id } }", "variables": {"a": 1}}]


def test_shopify_live_calls_the_handler_with_a_trailing_options_hash():
    seen = []
    settings = RenderSettings(now=NOW, shopify=lambda q, v: seen.append((q, v)) or {"data": {"ok": True}})
    out = render_text(
        "{{ q | shopify: opts | json }}", {"q": "query {}", "opts": {"variables": {"x": 1}}}, settings
    )
    assert out == '{"data":{"ok":true}}'
    assert seen == [("query {}", {"x": 1})]
    assert settings.shopify_calls == [{"query": "query {}", "variables": {"x": 1}}]


# -- tables (spec/liquid.md §4.2) ---------------------------------------------------------

UA_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 12_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "GSA/79.0.259819395 Mobile/16G77 Safari/604.1"
)
UA_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_4) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/75.0.3770.100 Safari/537.36"
)
XML = "<foo>\n  <bar>baz</bar>\n  <bar>\n    <qux>quux</qux>\n  </bar>\n</foo>\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # json
        ("{{ nil | json }}|{{ true | json }}|{{ 1.0 | json }}|{{ 2.5 | json }}", "null|true|1.0|2.5"),
        ('{{ "ü<>&\u2028" | json }}', '"ü<>&\u2028"'),
        ("{{ h | json }}", '{"a":[1,null],"b":{"c":"d"}}'),
        # parse_json
        ("{{ '[1, 2.5, \"x\", null, true]' | parse_json | json }}", '[1,2.5,"x",null,true]'),
        ("{{ nil | parse_json | json }}", "null"),
        ("{{ 12 | parse_json | plus: 1 }}", "13"),
        ('{{ "{{" | parse_json: silent: true | json }}', "null"),
        ('{{ "{{" | parse_json: opts | json }}', "null"),
        # jsonl / parse_jsonl
        ("{{ rows | jsonl }}", '[1,"a"]\n{"b":null}\n3'),
        ('{{ h | jsonl }}|{{ "x" | jsonl }}|{{ empty_list | jsonl }}', '{"a":[1,null],"b":{"c":"d"}}|"x"|'),
        ("{{ '  {\"a\":1}\n\n  [2]\n  \n' | parse_jsonl | json }}", '[{"a":1},[2]]'),
        ('{{ "" | parse_jsonl | json }}|{{ nil | parse_jsonl | json }}', "[]|[]"),
        # csv
        ("{{ table | csv }}", 'a,"b,c","say ""hi"""\n1,,"x\ny"\n2.5,true,\n'),
        ('{{ table | csv: ";" }}', 'a;b,c;"say ""hi"""\n1;;"x\ny"\n2.5;true;\n'),
        ('{{ table2 | csv: ";", include_bom: true }}', "\ufeffa;b\n"),
        ('{{ table2 | csv: delimiter: "\t" }}', "a\tb\n"),
        ("{{ empty_list | csv }}|{{ blank_row | csv | json }}", '|"\\n"'),
        ("{{ table3 | csv }}", ",x\n"),
        # parse_csv
        ("{{ 'a,,\"\",b' | parse_csv | json }}", '[["a",null,"","b"]]'),
        ('{{ \'a,b\r\n"x\r\ny","q""q"\n\' | parse_csv | json }}', '[["a","b"],["x\\r\\ny","q\\"q"]]'),
        ('{{ "a\n\nb" | parse_csv | json }}', '[["a"],[],["b"]]'),
        ('{{ "" | parse_csv | json }}|{{ nil | parse_csv | json }}', "[]|[]"),
        (
            '{{ "id;name\n1;Ann\n2" | parse_csv: headers: true, delimiter: ";" | json }}',
            '[{"id":"1","name":"Ann"},{"id":"2","name":null}]',
        ),
        ('{{ "id,id,x\n1,2,3,4" | parse_csv: headers: true | json }}', '[{"id":"1","x":"3"}]'),
        ('{{ "name\n" | parse_csv: headers: true | json }}', "[]"),
        ('{{ "é,ü\n" | parse_csv | json }}', '[["é","ü"]]'),
        # parse_xml
        ("{{ xml | parse_xml | json }}", '{"foo":{"bar":["baz",{"qux":"quux"}]}}'),
        (
            '{{ "<a><b>1</b><b><c>2</c></b></a>" | parse_xml | json }}',
            '{"a":{"b":["1",{"c":"2"}]}}',
        ),
        (
            '{{ \'<r id="7" data-x="y"><e/><w>  </w><t k="1"> v </t><n-m>z</n-m></r>\' | parse_xml | json }}',
            '{"r":{"id":"7","data_x":"y","e":null,"w":null,"t":" v ","n_m":"z"}}',
        ),
        ("{{ '<a type=\"integer\">5</a>' | parse_xml | json }}", '{"a":"5"}'),
        (
            "{{ '<ns:a xmlns:ns=\"u\"><ns:b>1</ns:b></ns:a>' | parse_xml | json }}",
            '{"ns:a":{"xmlns:ns":"u","ns:b":"1"}}',
        ),
        ('{{ "<a><![CDATA[<x>]]></a>" | parse_xml | json }}', '{"a":"<x>"}'),
        ('{{ "" | parse_xml | json }}|{{ nil | parse_xml | json }}', "{}|{}"),
        # graphql_arguments
        (
            "{{ inputs | graphql_arguments }}",
            'a_string: "yep \\"this\\"",'
            ' a_more_complex_type: { id: "gid://something/Or?other" }, an_array: [1, 2]',
        ),
        (
            "{{ mixed | graphql_arguments }}",
            'n: null, t: true, f: 2.5, e: {}, l: [], nested: { a: [{ b: "é" }] }',
        ),
        (
            '{{ list | graphql_arguments }}|{{ "x" | graphql_arguments }}|'
            "{{ nil | graphql_arguments }}|{{ 3 | graphql_arguments }}",
            '["a", "b"]|"x"|null|3',
        ),
        # default
        (
            '{{ nil | default: "d" }}|{{ false | default: "d" }}|'
            '{{ "" | default: "d" }}|{{ empty_list | default: "d" }}',
            "d|d|d|d",
        ),
        ('{{ " " | default: "d" }}|{{ 0 | default: "d" }}|{{ "x" | default: "d" }}', " |0|x"),
        (
            "{{ false | default: true, allow_false: true }}|{{ nil | default: true, allow_false: true }}",
            "false|true",
        ),
        ("{{ nil | default }}|{{ nil | default: h | json }}", '|{"a":[1,null],"b":{"c":"d"}}'),
        ("{{ nil | default: array | json }}|{{ nil | default: hash | json }}", "[]|{}"),
        # gzip / gunzip
        ('{{ "testing" | gzip | gunzip }}', "testing"),
        ('{{ "héllo" | gzip | gunzip: force_utf8: false | base64_encode }}', "aMOpbGxv"),
        ('{{ "hello world" | gzip | base64 }}', "H4sIACXS7WUAA8tIzcnJVyjPL8pJAQCFEUoNCwAAAA=="),
        # browser
        (
            "{{ ua | browser }}|{{ ua | browser | json }}",
            'Google 79.0.259819395|{"name":"Google","version":"79.0.259819395","os":{"name":"iOS",'
            '"version":"12.4"},"device":{"name":"iPhone","brand":"Apple","model":"iPhone"}}',
        ),
        (
            "{% assign b = ua | browser %}{{ b.name }}|{{ b.version }}|"
            "{{ b.version.major }}|{{ b.version.minor }}|"
            "{{ b.os }}|{{ b.os.name }}|{{ b.os.version }}|{{ b.os.version.major }}|{{ b.os.version.minor }}|"
            "{{ b.device }}|{{ b.device.name }}|{{ b.device.brand }}|{{ b.device.model }}",
            "Google|79.0.259819395|79|0|iOS 12.4|iOS|12.4|12|4|iPhone|iPhone|Apple|iPhone",
        ),
        (
            "{% assign b = chrome | browser %}{{ b }}|{{ b.os }}|{{ b.device }}|"
            "{{ b.name | append: ' ' | append: b.version | strip }}",
            "Chrome 75.0.3770.100|Mac OS X 10.14.4|Mac|Chrome 75.0.3770.100",
        ),
        (
            '{% assign b = "nonsense" | browser %}{{ b }}|{{ b.version }}|'
            "{{ b.os }}|{{ b.device }}|{{ b.version.major | json }}",
            "Other||Other|Other|null",
        ),
        ('{% assign b = nil | browser %}{{ b.name }}|{% if b.name == "Other" %}y{% endif %}', "Other|y"),
    ],
)
def test_data_filter(source, expected):
    variables = {
        "h": {"a": [1, None], "b": {"c": "d"}},
        "opts": {"silent": True},
        "rows": [[1, "a"], {"b": None}, 3],
        "empty_list": [],
        "table": [["a", "b,c", 'say "hi"'], [1, None, "x\ny"], [2.5, True, None]],
        "table2": [["a", "b"]],
        "table3": [["", "x"]],
        "blank_row": [[]],
        "xml": XML,
        "inputs": {
            "a_string": 'yep "this"',
            "a_more_complex_type": {"id": "gid://something/Or?other"},
            "an_array": [1, 2],
        },
        "mixed": {"n": None, "t": True, "f": 2.5, "e": {}, "l": [], "nested": {"a": [{"b": "é"}]}},
        "list": ["a", "b"],
        "ua": UA_IPHONE,
        "chrome": UA_CHROME,
    }
    assert text(source, variables) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            '{{ "{{" | parse_json }}',
            "parse_json: invalid JSON at line 1,"
            " column 2 (Expecting property name enclosed in double quotes)",
        ),
        ('{{ "[1,\n  x]" | parse_json }}', "parse_json: invalid JSON at line 2, column 3 (Expecting value)"),
        ('{{ "" | parse_json }}', "parse_json: invalid JSON at line 1, column 1 (Expecting value)"),
        ('{{ "NaN" | parse_json }}', "parse_json: invalid JSON (NaN is not valid JSON)"),
        (
            '{{ "{{" | parse_json: silent: "yes" }}',
            "parse_json: invalid JSON at line 1,"
            " column 2 (Expecting property name enclosed in double quotes)",
        ),
        (
            '{{ "{}\n{x}" | parse_jsonl }}',
            "parse_jsonl: invalid JSON on line 2 at line 1,"
            " column 2 (Expecting property name enclosed in double quotes)",
        ),
        ('{{ "x" | gzip | json }}', "json: cannot encode a binary (non UTF-8) string as JSON"),
        ("{{ nil | csv }}", "csv: the input must be an array of rows"),
        ("{{ list | csv }}", "csv: row 1 is not an array"),
        ("{{ 'a\"b' | parse_csv }}", "parse_csv: illegal quoting in line 1"),
        ("{{ 'a\n\"b' | parse_csv }}", "parse_csv: unclosed quoted field in line 2"),
        ("{{ '\"a\"b' | parse_csv }}", "parse_csv: any value after quoted field isn't allowed in line 1"),
        ('{{ "<a><b></a>" | parse_xml }}', "parse_xml: invalid XML (mismatched tag: line 1, column 8)"),
        ("{{ bomb | parse_xml }}", "parse_xml: forbidden XML construct (EntitiesForbidden)"),
        ('{{ "not gzip" | gunzip }}', "gunzip: invalid gzip data (not gzip data)"),
        (
            "{{ q | shopify }}",
            "shopify: mutations are not supported in the shopify filter; use a shopify action",
        ),
    ],
)
def test_data_filter_errors(source, message):
    variables = {
        "list": ["a"],
        "q": "mutation { x }",
        "bomb": '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
    }
    with pytest.raises(LiquidError) as info:
        text(source, variables)
    assert info.value.message.split("): ", 1)[1] == message
