"""``json``, ``parse_json``, ``csv``, ``push`` and ``shopify`` (spec/liquid.md §4.2, §4.5, §6.2)."""

from tasks_app.liquid import RenderSettings, render_text

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
