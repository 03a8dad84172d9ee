"""Option keys, discovery, coercion, run-time values and fills (spec/platform.md §7.3)."""

from datetime import date

import pytest

from tasks_app.options import (
    OptionKeyError,
    OptionValueError,
    coerce_option_value,
    discover_options,
    fill_required,
    missing_required,
    parse_option_key,
    runtime_options,
)

REQ = frozenset({"required"})


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("email_subject__required", {"name": "email_subject", "type": "text", "modifiers": REQ}),
        ("slack_channel_id_", {"name": "slack_channel_id_", "type": "text"}),
        ("number_of_days__number_required", {"name": "number_of_days", "type": "number", "modifiers": REQ}),
        ("range_increment__required_number", {"name": "range_increment", "type": "number", "modifiers": REQ}),
        (
            "products_must_be_x_number_of_days_old__number__required",
            {"name": "products_must_be_x_number_of_days_old", "type": "number", "modifiers": REQ},
        ),
        ("test_mode__boolean", {"name": "test_mode", "type": "boolean"}),
        ("email_body__multiline_required", {"type": "multiline", "modifiers": REQ}),
        ("graphql_query__code_multiline_required", {"type": "code", "modifiers": REQ}),
        ("recipient__email_required", {"type": "email", "modifiers": REQ}),
        ("tags_to_add__array_required", {"type": "array", "element_type": "text", "modifiers": REQ}),
        ("filter_for_these_product_ids__array_number", {"type": "array", "element_type": "number"}),
        ("product_ids__number_array_required", {"type": "array", "element_type": "number", "modifiers": REQ}),
        ("email_invoice_bcc__email_array", {"type": "array", "element_type": "email"}),
        (
            "component_product_skus_and_quantities_per_bundle__keyval_number_required",
            {"type": "keyval", "element_type": "number", "modifiers": REQ},
        ),
        (
            "product_types_and_keywords__keyval_multiline_required",
            {"type": "keyval", "element_type": "multiline"},
        ),
        ("cart_attribute_values_and_email_addresses__keyval_email_required", {"element_type": "email"}),
        ("dates_and_tags_to_add__keyval", {"type": "keyval", "element_type": "text"}),
        (
            "sales_calculation_to_use__choice_o1_total_sales_o2_net_sales_required",
            {"type": "choice", "choices": ("total_sales", "net_sales"), "modifiers": REQ},
        ),
        (
            "days_to_run__multiselect__o1_monday_o2_tuesday_o3_wednesday",
            {"type": "multiselect", "choices": ("monday", "tuesday", "wednesday"), "modifiers": frozenset()},
        ),
        ("days__multiselect__o1_mon_o2_tue", {"type": "multiselect", "choices": ("mon", "tue")}),
        (
            "customer_data_to_update__multiselect_o1_first_and_last_name_o2_phone_required",
            {"choices": ("first_and_last_name", "phone"), "modifiers": REQ},
        ),
        (
            "run_frequency__select_o1_10min_o2_15min_o3_hourly_o4_daily_required",
            {"type": "select", "choices": ("10min", "15min", "hourly", "daily")},
        ),
        (
            "plan__choice_o2_pro_o1_basic__userform__required",
            {
                "choices": ("basic", "pro"),
                "modifiers": frozenset({"userform", "required"}),
            },
        ),
        ("score__range_min0_max100_step5", {"type": "range", "range": (0, 100, 5)}),
        ("hours__range_min0_max23_required", {"type": "range", "range": (0, 23, 1), "modifiers": REQ}),
        ("variant__picker_variant_required", {"type": "picker", "picker": "variant", "multiple": False}),
        ("collections_to_sort__picker_collection_array_required", {"picker": "collection", "multiple": True}),
        ("products__picker_product_array", {"type": "picker", "picker": "product", "multiple": True}),
        (
            "event_start__datetime_futureonly_required",
            {
                "type": "datetime",
                "modifiers": frozenset({"futureonly", "required"}),
            },
        ),
        ("cycle_start_date__date_required", {"type": "date"}),
        ("send_at__time", {"type": "time"}),
        ("banner__color", {"type": "color"}),
        ("api_base_url__global", {"type": "global"}),
        ("api_token__secret_required", {"type": "secret", "modifiers": REQ}),
    ],
)
def test_it_parses_option_keys(key, expected):
    spec = parse_option_key(key)
    assert spec.key == key
    for attribute, value in expected.items():
        assert getattr(spec, attribute) == value, attribute


def test_it_labels_options_by_name():
    assert parse_option_key("email_subject__required").label == "Email subject"


def test_it_warns_about_unknown_words():
    assert parse_option_key("x__numbre").warnings == ("x__numbre: unknown flag 'numbre' ignored",)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("Bad", "Bad: option keys are lower-case letters, digits and underscores"),
        ("x__range_min0", "x__range_min0: a range needs min and max (range_min0_max10)"),
        ("x__picker_order", "x__picker_order: pickers take product, variant or collection, not 'order'"),
        ("x__boolean_number", "x__boolean_number: contradictory flags boolean/number"),
        ("x__keyval_boolean", "x__keyval_boolean: contradictory flags boolean"),
        ("x__secret_userform", "x__secret_userform: secret options cannot be userform fields"),
    ],
)
def test_it_rejects_unusable_keys(key, message):
    with pytest.raises(OptionKeyError) as info:
        parse_option_key(key)
    assert str(info.value) == message


def test_discovery_scans_script_first_then_other_texts_in_order():
    script = (
        "{% comment %}{{ options.b__required }}{% endcomment %}"
        '{{ options.a }} {{ options["ignored"] }} {{ options.b__required }} {{ task.options.c__boolean }}'
    )
    keys = discover_options(script, "{{ options.d__number }}", "options.e", "options.a options.f")
    assert keys == ["b__required", "a", "c__boolean", "d__number", "e", "f"]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("days__number_required", "10", 10),
        ("days__number_required", " 2.5 ", 2.5),
        ("days__number_required", "", None),
        ("days__number_required", 7, 7),
        ("flag__boolean", "TRUE", True),
        ("flag__boolean", "false", False),
        ("flag__boolean", None, None),
        ("body__multiline", "a\r\nb", "a\nb"),
        ("subject", 42, "42"),
        ("ids__array_number", ["1234567890", 5, ""], [1234567890, 5, None]),
        ("tags__array", ["a", "b"], ["a", "b"]),
        ("tiers__keyval_number_required", {"10-orders": "10", "vip": 100}, {"10-orders": 10, "vip": 100}),
        ("types__keyval_multiline", {"Shirts": "shirt\r\ntee"}, {"Shirts": "shirt\ntee"}),
        ("metric__choice_o1_total_sales_o2_net_sales", "net_sales", "net_sales"),
        ("metric__choice_o1_total_sales_o2_net_sales", "", None),
        ("days__multiselect__o1_mon_o2_tue", ["tue"], ["tue"]),
        ("hours__range_min0_max23", "4", 4),
        ("start__date", "2025-01-31", "2025-01-31"),
        ("start__datetime", "2025-01-31T09:30", "2025-01-31T09:30"),
        ("start__datetime", "2025-01-31T09:30:15", "2025-01-31T09:30:15"),
        ("at__time", "23:59", "23:59"),
        ("banner__color", "#A0b1C2", "#A0b1C2"),
        ("variant__picker_variant", "gid://shopify/ProductVariant/1", "gid://shopify/ProductVariant/1"),
        ("products__picker_product_array", ["gid://shopify/Product/1"], ["gid://shopify/Product/1"]),
        ("anything", None, None),
    ],
)
def test_it_coerces_stored_values(key, value, expected):
    assert coerce_option_value(key, value) == expected


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("days__number", "ten", "days__number: 'ten' is not a number"),
        ("days__number", True, "days__number: expected a number, got a boolean"),
        ("flag__boolean", "yes", "flag__boolean: expected true or false, got a string"),
        ("ids__array_number", ["1", "x"], "ids__array_number[1]: 'x' is not a number"),
        ("ids__array_number", "1,2", "ids__array_number: expected an array, got a string"),
        ("tiers__keyval_number", {"vip": "lots"}, "tiers__keyval_number.vip: 'lots' is not a number"),
        ("tiers__keyval", ["a"], "tiers__keyval: expected an object of key → value, got an array"),
        ("subject", {"a": 1}, "subject: expected text, got an object"),
        ("m__choice_o1_a_o2_b", "c", "m__choice_o1_a_o2_b: 'c' is not one of a, b"),
        ("d__multiselect_o1_a_o2_b", ["a", "z"], "d__multiselect_o1_a_o2_b[1]: 'z' is not one of a, b"),
        ("h__range_min0_max23", 24, "h__range_min0_max23: 24 is outside 0..23"),
        ("start__date", "May 1 2019", "start__date: 'May 1 2019' is not a date (YYYY-MM-DD)"),
        ("at__time", "9am", "at__time: '9am' is not a time (HH:MM)"),
        ("c__color", "red", "c__color: 'red' is not a color (#RRGGBB)"),
        ("v__picker_variant", "123", "v__picker_variant: '123' is not a Shopify GID (gid://shopify/...)"),
    ],
)
def test_it_rejects_values_that_do_not_fit(key, value, message):
    with pytest.raises(OptionValueError) as info:
        coerce_option_value(key, value)
    assert str(info.value) == message
    assert info.value.key == key
    assert isinstance(info.value, ValueError)


def fake_render(text: str) -> str:
    return f"<{text}>"


def test_runtime_renders_only_text_bearing_leaves():
    stored = {
        "subject__required": "Order {{ order.name }}",
        "body__multiline": "a\r\nb",
        "query__code": "{ shop { name } }",
        "to__email": "{{ shop.email }}",
        "bodies__keyval_multiline": {"shopify/orders/create": "Hi {{ order.name }}"},
        "tiers__keyval_number": {"{{ k }}": "10"},
        "tags__array": ["{{ a }}", "b"],
        "ids__array_number": ["1", "2"],
        "metric__choice_o1_total_sales_o2_net_sales": "net_sales",
        "days__multiselect_o1_mon_o2_tue": ["mon"],
        "start__date": "2025-01-01",
        "v__picker_variant": "gid://shopify/ProductVariant/1",
        "token__secret": "api_token",
        "base__global": "api_base",
        "hours__range_min0_max23": "3",
    }
    assert runtime_options(stored, fake_render) == {
        "subject__required": "<Order {{ order.name }}>",
        "body__multiline": "<a\nb>",
        "query__code": "<{ shop { name } }>",
        "to__email": "<{{ shop.email }}>",
        "bodies__keyval_multiline": {"shopify/orders/create": "<Hi {{ order.name }}>"},
        "tiers__keyval_number": {"{{ k }}": 10},
        "tags__array": ["<{{ a }}>", "<b>"],
        "ids__array_number": [1, 2],
        "metric__choice_o1_total_sales_o2_net_sales": "net_sales",
        "days__multiselect_o1_mon_o2_tue": ["mon"],
        "start__date": "2025-01-01",
        "v__picker_variant": "gid://shopify/ProductVariant/1",
        "token__secret": "api_token",
        "base__global": "api_base",
        "hours__range_min0_max23": 3,
    }


def test_runtime_reads_unset_and_loose_values_by_type():
    stored = {
        "flag__boolean": None,
        "on__boolean": "true",
        "days__number": "",
        "limit__number": "12",
        "broken__number": "abc",
        "subject": None,
        "tags__array": [],
        "map__keyval": {},
    }
    assert runtime_options(stored, fake_render) == {
        "flag__boolean": False,
        "on__boolean": True,
        "days__number": None,
        "limit__number": 12,
        "broken__number": None,
        "subject": None,
        "tags__array": [],
        "map__keyval": {},
    }


def test_runtime_lets_render_errors_propagate():
    def failing(text):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        runtime_options({"subject": "x"}, failing)


def test_missing_required_lists_empty_required_options_in_order():
    values = {
        "a__required": None,
        "b__required": "   ",
        "c__required": "set",
        "d__boolean_required": None,
        "e__array_required": [],
        "f__keyval_required": {},
        "g__number_required": 0,
        "h": None,
    }
    assert missing_required(values) == [
        "a__required",
        "b__required",
        "e__array_required",
        "f__keyval_required",
    ]


def test_fill_required_uses_example_values_by_type():
    values = {
        "to__email_required": None,
        "days__number_required": "",
        "flag__boolean_required": None,
        "tags__array_required": [],
        "ids__number_array_required": None,
        "bcc__email_array_required": None,
        "map__keyval_required": {},
        "tiers__keyval_number_required": None,
        "metric__choice_o1_total_sales_o2_net_sales_required": None,
        "freq__select_o1_hourly_o2_daily_required": None,
        "days__multiselect_o1_mon_o2_tue_required": None,
        "start__date_required": None,
        "start_at__datetime_futureonly_required": None,
        "at__time_required": None,
        "hours__range_min7_max90_required": None,
        "banner__color_required": None,
        "variant__picker_variant_required": None,
        "collections__picker_collection_array_required": None,
        "subject__required": None,
        "already__required": "kept",
        "optional": None,
    }
    assert fill_required(values, today=date(2025, 1, 31)) == {
        "to__email_required": "customer@example.com",
        "days__number_required": 1,
        "flag__boolean_required": True,
        "tags__array_required": ["example"],
        "ids__number_array_required": [1],
        "bcc__email_array_required": ["customer@example.com"],
        "map__keyval_required": {"1234567890": "example"},
        "tiers__keyval_number_required": {"1234567890": 1},
        "metric__choice_o1_total_sales_o2_net_sales_required": "total_sales",
        "freq__select_o1_hourly_o2_daily_required": "hourly",
        "days__multiselect_o1_mon_o2_tue_required": ["mon"],
        "start__date_required": "2025-02-01",
        "start_at__datetime_futureonly_required": "2025-02-01T00:00",
        "at__time_required": "00:00",
        "hours__range_min7_max90_required": 7,
        "banner__color_required": "#000000",
        "variant__picker_variant_required": "gid://shopify/ProductVariant/1",
        "collections__picker_collection_array_required": ["gid://shopify/Collection/1"],
        "subject__required": "example",
        "already__required": "kept",
        "optional": None,
    }


def test_filled_values_coerce_cleanly():
    values = fill_required({"ids__array_number_required": None, "at__datetime_required": None})
    for key, value in values.items():
        assert coerce_option_value(key, value) == value
