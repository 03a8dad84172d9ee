"""Task preview: ``preview_task_definition`` and ``manage.py preview_task`` (spec/platform.md §7.6).

Only the tests that name a stored shop have database access: previews must not need it.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tasks_app.preview import action_problem, load_sample, preview_task_definition

ORDER_TASK = {
    "name": "Echo order",
    "options": {"tag__required": "vip-{{ shop.currency }}"},
    "subscriptions_template": "shopify/orders/create+1.day\nmechanic/scheduler/daily\nshopify/orders/create",
    "script": (
        '{"log": "{{ event.topic }} {{ order.name }} {{ event.preview }} [{{ cache.anything }}]"}\n'
        '{% if event.topic == "shopify/orders/create" %}'
        '{"action": {"type": "echo", "options": {"tag": "{{ options.tag__required }}"}}}'
        "{% endif %}"
    ),
}


def preview_lines(tmp_path, task, *args) -> tuple[list[dict], int]:
    path = tmp_path / "task.json"
    path.write_text(json.dumps(task))
    out = StringIO()
    try:
        call_command("preview_task", str(path), "--json", *args, stdout=out)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return [json.loads(line) for line in out.getvalue().splitlines()], status


def test_it_previews_each_subscribed_topic_once_with_sample_data(tmp_path):
    lines, status = preview_lines(tmp_path, ORDER_TASK)
    file = str(tmp_path / "task.json")
    assert lines == [
        {
            "file": file,
            "task": "Echo order",
            "topic": "shopify/orders/create",
            "description": None,
            "ok": True,
            "actions": [{"type": "echo", "options": {"tag": "vip-USD"}, "meta": None}],
            "logs": ["shopify/orders/create #1047 true []"],
            "errors": [],
            "exception": None,
            "notices": [],
            "permissions": ["read_orders"],
        },
        {
            "file": file,
            "task": "Echo order",
            "topic": "mechanic/scheduler/daily",
            "description": None,
            "ok": True,
            "actions": [],
            "logs": ["mechanic/scheduler/daily  true []"],
            "errors": [],
            "exception": None,
            "notices": [],
            "permissions": ["read_orders"],
        },
    ]
    assert status == 0


def test_preview_event_definitions_come_first_each_with_its_description(tmp_path):
    task = dict(
        ORDER_TASK,
        subscriptions_template="shopify/orders/create",
        preview_event_definitions=[
            {
                "description": "Gmail customer",
                "event_attributes": {"topic": "shopify/orders/create", "data": {"name": "#1"}},
            },
            {
                "description": "Other",
                "event_attributes": {"topic": "shopify/orders/paid", "data": {"name": "#9"}},
            },
            {
                "description": "Second",
                "event_attributes": {"topic": "shopify/orders/create", "data": {"name": "#2"}},
            },
        ],
    )
    lines, status = preview_lines(tmp_path, task)
    assert [(line["description"], line["logs"]) for line in lines] == [
        ("Gmail customer", ["shopify/orders/create #1 true []"]),
        ("Second", ["shopify/orders/create #2 true []"]),
    ]
    assert status == 0


def test_user_topics_without_definitions_get_null_data_and_a_notice(tmp_path):
    task = {
        "name": "Webhook",
        "subscriptions_template": "user/forms/submitted\nshopify/themes/publish",
        "script": '{"log": "{% if event.data == nil %}null{% else %}{{ event.data.size }} keys{% endif %}"}',
    }
    lines, status = preview_lines(tmp_path, task)
    assert [(line["topic"], line["logs"], line["notices"]) for line in lines] == [
        ("user/forms/submitted", ["null"], ["no preview event for user/forms/submitted; data is null"]),
        ("shopify/themes/publish", ["0 keys"], ["no sample data for shopify/themes/publish; data is {}"]),
    ]
    assert status == 0


def test_a_task_without_subscriptions_previews_the_run_button(tmp_path):
    lines, _ = preview_lines(tmp_path, {"name": "Manual", "script": '{"log": "{{ event.topic }}"}'})
    assert [(line["topic"], line["logs"]) for line in lines] == [
        ("mechanic/user/trigger", ["mechanic/user/trigger"])
    ]


def test_error_objects_make_the_exit_status_one(tmp_path):
    task = {
        "name": "Fails",
        "subscriptions_template": "mechanic/user/trigger",
        "script": '{"error": "no way"}',
    }
    lines, status = preview_lines(tmp_path, task)
    assert [(line["ok"], line["errors"], line["exception"]) for line in lines] == [(False, ["no way"], None)]
    assert status == 1


def test_invalid_output_is_an_exception(tmp_path):
    task = {"name": "Stray text", "script": "hello"}
    lines, status = preview_lines(tmp_path, task)
    assert lines[0]["ok"] is False
    assert lines[0]["exception"].startswith("Task output is not a valid stream")
    assert status == 1


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        ({"type": "echo", "options": 5}, None),
        ({"type": "shopify", "options": "mutation { x }"}, None),
        ({"type": "shopify", "options": {"query": "{ shop { id } }", "variables": {}}}, None),
        ({"type": "shopify", "options": ["post", "/admin/orders/1/close.json", {}]}, None),
        ({"type": "cache", "options": ["set", "k", 1]}, None),
        ({"type": "http", "options": {"method": "get", "url": "https://example.com"}}, None),
        ({"type": "teleport", "options": {}}, "action 1: unknown action type 'teleport'"),
        ({"type": "email", "options": ["a"]}, "action 1 (email): options must be an object, got an array"),
        (
            {"type": "cache", "options": "k"},
            "action 1 (cache): options must be an object or an array, got a string",
        ),
        (
            {"type": "shopify", "options": 3},
            "action 1 (shopify): options must be a string or an object or an array, got a number",
        ),
        (
            {"type": "shopify", "options": {"variables": {}}},
            'action 1 (shopify): options object needs a "query" string',
        ),
    ],
)
def test_actions_are_checked_against_their_type(action, problem):
    assert action_problem(1, action) == problem


def test_an_invalid_action_fails_the_preview(tmp_path):
    task = {"name": "Bad action", "script": '{"action": {"type": "email", "options": "x"}}'}
    lines, status = preview_lines(tmp_path, task)
    assert (lines[0]["ok"], lines[0]["notices"]) == (
        False,
        ["action 1 (email): options must be an object, got a string"],
    )
    assert status == 1


def test_fill_required_fills_empty_required_options(tmp_path):
    task = {
        "name": "Needs options",
        "options": {"to__email_required": None, "days__number_required": "", "note": None},
        "script": (
            '{"log": "{{ options.to__email_required }} {{ options.days__number_required }}'
            ' [{{ options.note }}]"}'
        ),
    }
    lines, _ = preview_lines(tmp_path, task)
    assert lines[0]["logs"] == ["  []"]
    lines, _ = preview_lines(tmp_path, task, "--fill-required")
    assert lines[0]["logs"] == ["customer@example.com 1 []"]


def test_bad_options_fail_the_preview_without_rendering():
    results = preview_task_definition(
        {"name": "x", "script": "{{ options.n__number }}", "options": {"n__number": "x"}}
    )
    assert [(r.topic, r.ok, r.exception) for r in results] == [
        ("", False, "option n__number: 'x' is not a number")
    ]


def test_shop_and_task_objects_describe_the_preview_shop():
    task = {
        "name": "Shop",
        "script": '{"log": "{{ shop.myshopify_domain }} {{ shop.currency }} {{ task.name }}"}',
    }
    [result] = preview_task_definition(task)
    assert result.logs == ["example.myshopify.com USD Shop"]


def test_human_output_lists_actions_logs_and_status(tmp_path):
    path = tmp_path / "task.json"
    path.write_text(json.dumps([dict(ORDER_TASK, subscriptions_template="shopify/orders/create")]))
    out = StringIO()
    call_command("preview_task", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        f"{path}: Echo order: shopify/orders/create: ok",
        '  action echo: {"tag":"vip-USD"}',
        "  log: shopify/orders/create #1047 true []",
        "  permissions: read_orders",
    ]


@pytest.mark.parametrize(
    "topic",
    [
        "shopify/orders/create",
        "shopify/orders/paid",
        "shopify/orders/updated",
        "shopify/orders/fulfilled",
        "shopify/orders/cancelled",
        "shopify/products/create",
        "shopify/products/update",
        "shopify/customers/create",
        "shopify/customers/update",
        "shopify/inventory_levels/update",
        "shopify/draft_orders/create",
        "shopify/refunds/create",
        "shopify/fulfillments/create",
    ],
)
def test_shopify_samples_exist_with_ids_and_gids(topic):
    found, data = load_sample(topic)
    assert found
    assert data["admin_graphql_api_id"].startswith("gid://shopify/")


@pytest.mark.parametrize(
    "topic", ["mechanic/scheduler/daily", "mechanic/scheduler/monday", "mechanic/user/trigger"]
)
def test_scheduler_and_trigger_samples_are_null(topic):
    assert load_sample(topic) == (True, None)


def test_a_stored_shop_previews_with_its_latest_event_of_the_topic(shop):
    from events.models import Event

    shop.data = dict(shop.data, currency="EUR")
    shop.save()
    Event.objects.create(shop=shop, topic="shopify/orders/create", data={"name": "#OLD"})
    Event.objects.create(shop=shop, topic="shopify/orders/create", data={"name": "#LATEST"})
    task = dict(ORDER_TASK, subscriptions_template="shopify/orders/create")
    [result] = preview_task_definition(task, shop=shop)
    assert result.logs == ["shopify/orders/create #LATEST true []"]
    assert result.actions == [{"type": "echo", "options": {"tag": "vip-EUR"}, "meta": None}]


SCOPED_TASK = {
    "name": "Tag orders and read products",
    "subscriptions_template": "shopify/orders/create\nmechanic/scheduler/daily",
    "script": (
        "{% permissions %}write_customers{% endpermissions %}"
        '{% assign result = "{ products(first: 1) { nodes { id } } }" | shopify %}'
        '{% if event.topic == "shopify/orders/create" %}'
        '{% action "shopify" %}mutation { tagsAdd(id: {{ order.admin_graphql_api_id | json }}, '
        'tags: ["x"]) { userErrors { message } } }{% endaction %}'
        "{% endif %}"
    ),
}


def test_every_json_line_lists_the_tasks_required_permissions(tmp_path):
    lines, status = preview_lines(tmp_path, SCOPED_TASK)
    assert [(line["topic"], line["permissions"]) for line in lines] == [
        ("shopify/orders/create", ["read_orders", "read_products", "write_customers", "write_orders"]),
        ("mechanic/scheduler/daily", ["read_orders", "read_products", "write_customers", "write_orders"]),
    ]
    assert status == 0


def test_an_invalid_permissions_block_fails_every_preview(tmp_path):
    task = {"name": "Typo", "script": "{% permissions %}read_ordrs{% endpermissions %}"}
    lines, status = preview_lines(tmp_path, task)
    assert [(line["ok"], line["notices"], line["permissions"]) for line in lines] == [
        (False, ["permissions: {% permissions %}: unknown Shopify access scope 'read_ordrs'"], [])
    ]
    assert status == 1


def test_fill_required_turns_off_test_mode_and_picks_one_of_exclusive_options(tmp_path):
    task = {
        "name": "Configured by exploring",
        "options": {"test_mode__boolean": True, "by_day__boolean": None, "by_hour__boolean": None},
        "script": (
            "{% if options.by_day__boolean == options.by_hour__boolean %}"
            '{% error "Choose days or hours" %}{% endif %}'
            "{% unless options.test_mode__boolean %}"
            '{"action": {"type": "echo", "options": {}}}{% endunless %}'
        ),
    }
    lines, status = preview_lines(tmp_path, task, "--fill-required", "--strict-fill")
    assert (lines[0]["errors"], status) == (["Choose days or hours"], 1)
    lines, status = preview_lines(tmp_path, task, "--fill-required")
    assert [(line["ok"], line["actions"], line["notices"]) for line in lines] == [
        (
            True,
            [{"type": "echo", "options": {}, "meta": None}],
            ["preview options adjusted: by_day__boolean=true, test_mode__boolean=false"],
        )
    ]
    assert status == 0


def test_explore_tries_the_words_the_script_allows():
    task = {
        "name": "Object type",
        "options": {"object_type__required": None},
        "script": (
            '{% assign allowed = "customer,order,product" | split: "," %}'
            "{% unless allowed contains options.object_type__required %}"
            '{% error "Object type must be one of: customer, order, product" %}{% endunless %}'
            '{"action": {"type": "echo", "options": "{{ options.object_type__required }}"}}'
        ),
    }
    [result] = preview_task_definition(task, explore=True)
    assert (result.ok, result.actions, result.notices) == (
        True,
        [{"type": "echo", "options": "customer", "meta": None}],
        ['preview options adjusted: object_type__required="customer"'],
    )


def test_a_placeholder_keyval_key_doubles_as_an_id_in_stub_json():
    task = {
        "name": "Stub",
        "options": {"ids__keyval_number_required": {}},
        "script": (
            "{% capture j %}"
            '{"product_id": {{ options.ids__keyval_number_required.first.first }}}{% endcapture %}'
            '{% assign stub = j | parse_json %}{"log": {{ stub.product_id | json }}}'
        ),
    }
    [result] = preview_task_definition(task, fill_required=True)
    assert (result.ok, result.logs) == (True, [1234567890])
