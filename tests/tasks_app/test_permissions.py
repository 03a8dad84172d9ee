"""Shopify access scopes a task needs (spec/platform.md §7.9, spec/liquid.md §2.5, §6.2)."""

import json

import pytest

from tasks_app.importer import TaskImportError, import_tasks
from tasks_app.permissions import (
    PermissionsError,
    action_scopes,
    declared_scopes,
    graphql_scopes,
    liquid_read_scopes,
    rest_scopes,
    task_scopes,
    topic_scopes,
)
from tests.conftest import TASKS_DIR


def scopes_of(script: str, subscriptions: str = "mechanic/user/trigger") -> list[str]:
    return task_scopes({"name": "t", "script": script, "subscriptions_template": subscriptions})


def test_query_root_fields_read_their_resources():
    query = "{ orders(first: 5) { nodes { id } } products(first: 1) { nodes { id } } shop { name } }"
    assert sorted(graphql_scopes(query)) == ["read_orders", "read_products"]


def test_inventory_variants_collections_and_locations_read_their_scopes():
    query = """query Q {
      productVariants(first: 1) { nodes { id } }
      inventoryItems(first: 1) { nodes { id } }
      collections(first: 1) { nodes { id } }
      locations(first: 1) { nodes { id } }
      draftOrders(first: 1) { nodes { id } }
      fulfillmentOrders(first: 1) { nodes { id } }
    }"""
    assert sorted(graphql_scopes(query)) == [
        "read_draft_orders",
        "read_inventory",
        "read_locations",
        "read_merchant_managed_fulfillment_orders",
        "read_products",
    ]


def test_metafield_definitions_read_the_owner_resource():
    query = "{ metafieldDefinitions(first: 5, ownerType: CUSTOMER) { nodes { id } } }"
    assert sorted(graphql_scopes(query)) == ["read_customers"]


def test_node_lookups_read_the_gid_resource():
    query = '{ node(id: "gid://shopify/DraftOrder/1") { id } }'
    assert sorted(graphql_scopes(query)) == ["read_draft_orders"]


def test_named_mutations_write_their_resource():
    assert sorted(graphql_scopes('mutation { orderUpdate(input: {id: "x"}) { order { id } } }')) == [
        "write_orders"
    ]
    assert sorted(graphql_scopes("mutation { productVariantsBulkUpdate(productId: 1) { x } }")) == [
        "write_products"
    ]
    assert sorted(graphql_scopes("mutation { orderEditBegin(id: 1) { x } }")) == ["write_order_edits"]


def test_tags_add_with_an_order_gid_writes_orders():
    action = {
        "type": "shopify",
        "options": (
            'mutation { tagsAdd(id: "gid://shopify/Order/1234567890", tags: ["vip"]) { node { id } } }'
        ),
    }
    assert sorted(action_scopes(action)) == ["write_orders"]


def test_metafields_set_takes_the_owner_gid_from_variables():
    action = {
        "type": "shopify",
        "options": {
            "query": (
                "mutation Set($metafields: [MetafieldsSetInput!]!) "
                "{ metafieldsSet(metafields: $metafields) { userErrors { message } } }"
            ),
            "variables": {
                "metafields": [
                    {"ownerId": "gid://shopify/Product/1", "namespace": "a", "key": "b", "value": "c"},
                    {"ownerId": "gid://shopify/Customer/2", "namespace": "a", "key": "b", "value": "c"},
                ]
            },
        },
    }
    assert sorted(action_scopes(action)) == ["write_customers", "write_products"]


def test_a_generic_mutation_without_a_known_gid_needs_nothing():
    assert (
        graphql_scopes('mutation { metafieldDelete(input: {id: "gid://shopify/Metafield/1"}) { x } }')
        == set()
    )


def test_bulk_operations_need_the_scopes_of_the_query_they_carry():
    inner = json.dumps("{ customers { edges { node { id } } } }")
    query = f"mutation {{ bulkOperationRunQuery(query: {inner}) {{ bulkOperation {{ id }} }} }}"
    assert sorted(graphql_scopes(query)) == ["read_customers"]


def test_an_unparseable_document_still_counts_its_first_field():
    assert sorted(graphql_scopes("mutation { customerUpdate(input: { id: }) { x } }")) == ["write_customers"]


@pytest.mark.parametrize(
    ("options", "scopes"),
    [
        (["update", ["order", 1], {"note": "x"}], ["write_orders"]),
        (["create", "customer", {"email": "a@example.com"}], ["write_customers"]),
        (["delete", ["draft_order", 1]], ["write_draft_orders"]),
        (["post", "/admin/orders/1/close.json", {}], ["write_orders"]),
        (["update", ["order", 1, "fulfillment", 2], {"tracking_number": "x"}], ["write_fulfillments"]),
        (["get", "/admin/api/2024-01/products/1.json"], ["read_products"]),
        (["create", "metafield", {"namespace": "a"}], []),
    ],
)
def test_legacy_rest_actions(options, scopes):
    assert sorted(rest_scopes(options)) == scopes


def test_subscriptions_read_their_topic_resources():
    topics = [
        "shopify/orders/create",
        "shopify/customer/tags_added",
        "shopify/inventory_levels/update",
        "mechanic/user/draft_order",
        "mechanic/scheduler/daily",
        "user/forms/submitted",
    ]
    assert sorted(topic_scopes(topics)) == [
        "read_customers",
        "read_draft_orders",
        "read_inventory",
        "read_orders",
    ]


def test_legacy_shop_lookups_in_the_script_read_their_resources():
    script = '{% for o in shop.orders.unpaid %}{% endfor %}{{ shop.customers["a@b.c"] }}{{ shop.name }}'
    assert sorted(liquid_read_scopes(script)) == ["read_customers", "read_orders"]


def test_a_whole_task_unions_declared_and_detected_scopes():
    script = """
    {% if false %}{% permissions %}
      write_customers, read_locations
      read_orders
    {% endpermissions %}{% endif %}
    {% assign r = "{ products(first: 1) { nodes { id } } }" | shopify %}
    {% action "shopify" %}
      mutation { tagsAdd(id: {{ order.admin_graphql_api_id | json }}, tags: "x") { node { id } } }
    {% endaction %}
    """
    assert scopes_of(script, "shopify/orders/paid") == [
        "read_locations",
        "read_orders",
        "read_products",
        "write_customers",
        "write_orders",
    ]


def test_declared_scopes_split_on_newlines_and_commas():
    script = "{% permissions %}\n read_orders ,write_products\n\n read_customers\n{% endpermissions %}"
    assert declared_scopes(script) == ["read_orders", "write_products", "read_customers"]


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (
            "{% permissions %}read_orders{% endpermissions %}"
            "{% permissions %}read_products{% endpermissions %}",
            "only one {% permissions %} block is allowed per task, found 2",
        ),
        (
            "{% permissions %}read_ordrs{% endpermissions %}",
            "{% permissions %}: unknown Shopify access scope 'read_ordrs'",
        ),
        (
            "{% permissions %}read_orders\nread_orders{% endpermissions %}",
            "{% permissions %}: 'read_orders' is listed twice",
        ),
        (
            "{% permissions %}read_orders, {{ shop.domain }}{% endpermissions %}",
            "{% permissions %}: unknown Shopify access scope '{{ shop.domain }}'",
        ),
        (
            "{% permissions %}read_all_subscription_contracts{% endpermissions %}",
            "{% permissions %}: Mechanic cannot request the Shopify scope 'read_all_subscription_contracts'",
        ),
        ("{% permissions %}read_orders", "{% permissions %} block without {% endpermissions %}"),
    ],
)
def test_invalid_permissions_blocks(script, message):
    with pytest.raises(PermissionsError) as caught:
        declared_scopes(script)
    assert str(caught.value) == message


def test_import_stores_the_required_scopes(shop):
    payload = {
        "name": "Tagger",
        "subscriptions": ["shopify/customers/create"],
        "script": (
            '{% action "shopify" %}mutation { tagsAdd(id: {{ customer.admin_graphql_api_id | json }}, '
            'tags: "new") { node { id } } }{% endaction %}'
        ),
    }
    [imported] = import_tasks(shop, payload)
    imported.task.refresh_from_db()
    assert imported.task.shopify_access_scopes_required == ["read_customers", "write_customers"]


def test_import_fails_on_an_invalid_permissions_block(shop):
    payload = {"name": "Typo", "script": "{% permissions %}write_prodcts{% endpermissions %}"}
    with pytest.raises(TaskImportError) as caught:
        import_tasks(shop, payload, source_name="typo.json")
    assert str(caught.value) == (
        "typo.json: $.script: {% permissions %}: unknown Shopify access scope 'write_prodcts'"
    )
    assert shop.tasks.count() == 0


@pytest.mark.parametrize(
    ("task", "scopes"),
    [
        # Declares only write_customers (kept while test mode renders no mutation), reads more.
        (
            "auto-tag-customers-having-a-rolling-minimum-total-spend",
            ["read_customers", "read_reports", "write_customers"],
        ),
        ("auto-copy-order-notes-to-the-customers-note", ["read_orders", "write_customers"]),
        ("standardize-uk-shipping-postcodes", ["read_orders", "write_orders"]),
        ("auto-approve-return-requests", ["read_returns", "write_returns"]),
        (
            "manage-product-market-access-by-location-stock-status",
            ["read_inventory", "read_locations", "read_markets", "read_products", "write_publications"],
        ),
    ],
)
def test_library_tasks_need_these_scopes(task, scopes):
    assert task_scopes(json.loads((TASKS_DIR / f"{task}.json").read_text())) == scopes


def test_scopes_of_the_same_text_are_computed_once_and_not_shared():
    query = "{ orders(first: 1) { nodes { id } } }"
    first = graphql_scopes(query)
    first.add("write_everything")
    assert graphql_scopes(query) == {"read_orders"}


def test_variables_still_count_when_the_text_is_cached():
    mutation = 'mutation M($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { userErrors { message } } }'
    assert graphql_scopes(mutation) == set()
    assert graphql_scopes(mutation, {"id": "gid://shopify/Order/1"}) == {"write_orders"}
    assert graphql_scopes(mutation, {"id": "gid://shopify/Customer/1"}) == {"write_customers"}
