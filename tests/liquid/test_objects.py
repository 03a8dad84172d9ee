"""The objects a script sees (spec/liquid.md §5): event, cache, action, bulkOperation.objects
with ``__parent``, and legacy REST lookups that read as nil offline (§5.5)."""

import logging

from tasks_app.liquid import RenderSettings, render_text
from tasks_app.liquid.drops import bulk_objects, event_object
from tasks_app.rendering import render_task, task_variables

from .helpers import NOW

SHOP = {"name": "Example Shop", "myshopify_domain": "example.myshopify.com"}
TASK = {"id": "t-1", "name": "Task", "created_at": "2024-01-01T00:00:00Z"}


def event(topic: str, data, **extra) -> dict:
    return {"id": "e-1", "topic": topic, "data": data, "source": "shopify", "parent": None, **extra}


def variables(topic: str, data, **kwargs) -> dict:
    return task_variables(shop=SHOP, event=event(topic, data), task=TASK, **kwargs)


def render(source: str, variables: dict, settings: RenderSettings | None = None) -> str:
    return render_text(source, variables, settings or RenderSettings(now=NOW))


BULK_LINES = [
    {"__typename": "Product", "id": "gid://shopify/Product/1", "title": "Shirt"},
    {
        "__typename": "ProductVariant",
        "id": "gid://shopify/ProductVariant/11",
        "sku": "S-1",
        "__parentId": "gid://shopify/Product/1",
    },
    {
        "__typename": "InventoryLevel",
        "id": "il-1",
        "available": 3,
        "__parentId": "gid://shopify/ProductVariant/11",
    },
    {
        "__typename": "ProductVariant",
        "id": "gid://shopify/ProductVariant/12",
        "__parentId": "gid://shopify/Product/9",
    },
]


def test_bulk_objects_resolve_their_parent_in_the_same_array():
    scope = variables(
        "mechanic/shopify/bulk_operation", {"id": "gid://shopify/BulkOperation/1", "objects": BULK_LINES}
    )
    source = (
        '{% assign levels = bulkOperation.objects | where: "__typename", "InventoryLevel" %}'
        "{% for level in levels %}{{ level.__parent.sku }} of {{ level.__parent.__parent.title }}"
        "{% endfor %}|{{ bulkOperation.objects[3].__parent | json }}"
        "|{{ bulkOperation.objects[0].__parent | json }}"
        "|{{ bulkOperation.objects[1]['__parent'].title }}|{{ bulkOperation.id }}"
    )
    assert render(source, scope) == "S-1 of Shirt|null|null|Shirt|gid://shopify/BulkOperation/1"


def test_json_of_a_bulk_object_has_no_virtual_parent():
    scope = variables("mechanic/shopify/bulk_operation", {"objects": BULK_LINES[:2]})
    assert render("{{ bulkOperation.objects[1] | json }}", scope) == (
        '{"__typename":"ProductVariant","id":"gid://shopify/ProductVariant/11","sku":"S-1",'
        '"__parentId":"gid://shopify/Product/1"}'
    )


def test_bulk_operation_objects_default_to_an_empty_array():
    scope = variables("mechanic/shopify/bulk_operation", {"id": "b", "status": "FAILED", "url": None})
    assert render("{{ bulkOperation.objects.size }}|{{ bulkOperation.status }}", scope) == "0|FAILED"


def test_bulk_objects_keep_non_hash_lines():
    objects = bulk_objects([1, {"id": "a"}])
    assert objects[0] == 1
    assert objects[1] == {"id": "a"}


def chain(depth: int) -> dict:
    parent = None
    for generation in range(depth, 0, -1):
        parent = {"id": f"gen-{generation}", "topic": "user/x/y", "data": None, "parent": parent}
    return parent


def test_event_parent_resolves_five_generations_then_nil():
    scope = task_variables(shop=SHOP, event=dict(event("user/a/b", None), parent=chain(7)), task=TASK)
    source = (
        "{{ event.parent.id }}|{{ event.parent.parent.parent.parent.parent.id }}|"
        "{{ event.parent.parent.parent.parent.parent.parent.id }}|"
        "{% if event.parent.parent.parent.parent.parent.parent == nil %}nil{% endif %}"
    )
    assert render(source, scope) == "gen-1|gen-5||nil"


def test_event_preview_is_present_only_in_previews():
    live = task_variables(shop=SHOP, event=dict(event("user/a/b", None), preview=False), task=TASK)
    preview = task_variables(shop=SHOP, event=dict(event("user/a/b", None), preview=True), task=TASK)
    source = "{{ event.preview }}|{% if event.preview == false %}false{% endif %}|{{ event | json }}"
    assert render(source, live) == (
        '||{"id":"e-1","topic":"user/a/b","data":null,"source":"shopify","created_at":null,'
        '"shopify_topic":null,"webhook_request_id":null,"flow_action_run_id":null,"parent":null}'
    )
    assert render("{{ event.preview }}", preview) == "true"


def test_event_object_keys_are_in_the_documented_order():
    obj = event_object({"topic": "a/b/c", "id": "x", "extra": 1, "preview": True})
    assert list(obj) == [
        "id",
        "topic",
        "data",
        "source",
        "created_at",
        "shopify_topic",
        "webhook_request_id",
        "flow_action_run_id",
        "parent",
        "extra",
        "preview",
    ]


def test_cache_lookups_and_iteration_are_ordered_by_key():
    scope = variables("mechanic/user/trigger", None, cache={"b": 2, "a": {"x": 1}, "c": "three"})
    source = (
        '{{ cache.a.x }}|{{ cache["c"] }}|{{ cache.nope }}|'
        "{% for kv in cache %}{{ kv[0] }}={{ kv[1] | json }};{% endfor %}"
    )
    assert render(source, scope) == '1|three||a={"x":1};b=2;c="three";'


def test_the_action_variable_has_meta_and_run():
    data = {
        "type": "http",
        "options": {"url": "https://x.test"},
        "run": {"ok": True, "result": {"status": 200}},
    }
    scope = variables("mechanic/actions/perform", data)
    assert render("{{ action.type }}|{{ action.run.result.status }}|{{ action | json }}", scope) == (
        'http|200|{"type":"http","options":{"url":"https://x.test"},"meta":null,'
        '"run":{"ok":true,"result":{"status":200}}}'
    )


def test_input_holds_user_form_values():
    scope = variables("mechanic/user/form", {"email": "a@b.c"}, input_values={"email": "a@b.c"})
    assert render("{{ input.email }}", scope) == "a@b.c"


ORDER = {
    "id": 1001,
    "name": "#1001",
    "customer": {"id": 7, "email": "c@example.com"},
    "line_items": [{"id": 1, "title": "Shirt", "properties": [{"name": "Gift", "value": "yes"}]}],
    "note_attributes": [{"name": "color", "value": "blue"}],
}


def test_legacy_lookups_read_as_nil_or_empty_and_leave_notices():
    settings = RenderSettings(now=NOW)
    scope = variables("shopify/orders/create", ORDER)
    source = (
        "[{% for o in shop.orders.any.paid %}x{% endfor %}]{{ shop.orders.size }}"
        "|{{ shop.customers[order.customer.email] | json }}|{{ order.reload | json }}"
        "|{{ order.transactions.size }}|{{ order.customer.metafields.custom.key.value | json }}"
        "|{{ shop.locations[shop.primary_location_id] | json }}|{{ order.line_items[0].product | json }}"
        "|{{ order.customer.email }}|{{ order.name }}|{{ shop.name }}|{{ order.nope | json }}"
    )
    assert (
        render(source, scope, settings)
        == "[]0|null|null|0|null|null|null|c@example.com|#1001|Example Shop|null"
    )
    assert settings.notices == [
        "legacy Shopify REST lookup shop.orders is not available; it reads as an empty list",
        "legacy Shopify REST lookup shop.customers is not available; it reads as an empty list",
        "legacy Shopify REST lookup order.reload is not available; it reads as nil",
        "legacy Shopify REST lookup order.transactions is not available; it reads as an empty list",
        "legacy Shopify REST lookup order.customer.metafields is not available; it reads as an empty list",
        "legacy Shopify REST lookup shop.locations is not available; it reads as an empty list",
        "legacy Shopify REST lookup order.line_items.product is not available; it reads as nil",
    ]


def test_json_of_a_legacy_object_is_its_payload():
    scope = variables("shopify/orders/create", {"id": 1, "customer": {"id": 7}})
    assert (
        render("{{ order | json }}|{{ order.customer | json }}", scope)
        == '{"id":1,"customer":{"id":7}}|{"id":7}'
    )


def test_named_lists_answer_by_name():
    scope = variables("shopify/orders/create", ORDER)
    source = (
        '{{ order.note_attributes.color }}|{{ order.line_items[0].properties["Gift"] }}'
        "|{{ order.note_attributes.size }}"
    )
    assert render(source, scope) == "blue|yes|1"


def test_a_stubbed_subject_loses_legacy_behaviour():
    settings = RenderSettings(now=NOW)
    scope = variables("shopify/orders/create", ORDER)
    assert render(
        '{% assign order = hash %}{% assign order["id"] = 1 %}{{ order.reload | json }}', scope, settings
    ) == ("null")
    assert settings.notices == []


def test_a_run_logs_unavailable_lookups_once_and_reports_them(caplog):
    settings = RenderSettings(now=NOW, label="task run r-1")
    scope = variables("shopify/orders/create", ORDER)
    script = (
        '{% if shop.orders.size == 0 and order.reload == nil %}{% log "offline" %}{% endif %}'
        "{% log shop.orders.size %}"
    )
    with caplog.at_level(logging.INFO, logger="tasks_app.rendering"):
        outcome = render_task(script=script, option_values={}, variables=scope, settings=settings)
    assert outcome.logs == ["offline", 0]
    assert outcome.notices == [
        "legacy Shopify REST lookup shop.orders is not available; it reads as an empty list",
        "legacy Shopify REST lookup order.reload is not available; it reads as nil",
    ]
    assert [record.getMessage() for record in caplog.records] == [
        "task run r-1: legacy Shopify REST lookup shop.orders is not available; it reads as an empty list; "
        "legacy Shopify REST lookup order.reload is not available; it reads as nil"
    ]


def test_plural_mechanic_user_subjects_are_legacy_objects_too():
    scope = variables("mechanic/user/orders", [{"id": 1}, {"id": 2}])
    assert render("{{ orders.size }}|{{ orders[1].id }}|{{ orders[0].reload | json }}", scope) == "2|2|null"
