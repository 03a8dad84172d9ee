"""The Shopify stand-in speaks Shopify's wire format (standin/)."""

# ruff: noqa: E501  (GraphQL documents and Shopify messages read best on one line)
import json

import pytest
import requests
from django.core.management import CommandError, call_command

from standin.server import StandinServer
from standin.store import Store
from standin.webhooks import bulk_finish_payload, delivery_headers, sign
from tests.standin.standin_helpers import clock_fixture, standin_fixture  # noqa: F401  (fixtures)


def gql(server, query, variables=None, version="2026-07", **headers):
    response = requests.post(
        f"{server.url}/admin/api/{version}/graphql.json",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_connections_answer_nodes_edges_and_page_info(standin):
    query = "{ customers(first: 2) { nodes { email } edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"
    page = gql(standin, query)["data"]["customers"]
    assert page["nodes"] == [{"email": "john@example.com"}, {"email": "bob.norman@example.com"}]
    assert [edge["node"]["id"] for edge in page["edges"]] == [
        "gid://shopify/Customer/115310627314723954",
        "gid://shopify/Customer/207119551",
    ]
    assert page["pageInfo"]["hasNextPage"] is True and page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["endCursor"] == page["edges"][1]["cursor"]

    after = f'{{ customers(first: 5, after: "{page["pageInfo"]["endCursor"]}") {{ nodes {{ email }} pageInfo {{ hasNextPage hasPreviousPage }} }} }}'
    rest = gql(standin, after)["data"]["customers"]
    assert rest == {
        "nodes": [
            {"email": "amelia@example.co.uk"},
            {"email": "lena@example.de"},
            {"email": "bob@biller.com"},
        ],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": True},
    }


def test_a_connection_without_first_or_last_is_an_error(standin):
    body = gql(standin, "{ orders { nodes { id } } }")
    assert body["errors"][0]["message"] == "you must provide one of first or last"


def test_search_queries_filter_connections(standin):
    query = '{ customers(first: 10, query: "tag:wholesale -tag:retail") { nodes { email tags } } }'
    assert gql(standin, query)["data"]["customers"]["nodes"] == [
        {"email": "bob.norman@example.com", "tags": ["wholesale"]}
    ]


def test_node_nodes_and_shop(standin):
    query = """{
      shop { name myshopifyDomain currencyCode }
      node(id: "gid://shopify/Order/450789470") { id ... on Order { name shippingAddress { countryCodeV2 } } }
      nodes(ids: ["gid://shopify/Customer/207119551", "gid://shopify/Product/404"]) { ... on Customer { displayName } }
    }"""
    assert gql(standin, query)["data"] == {
        "shop": {"name": "Example Shop", "myshopifyDomain": "example.myshopify.com", "currencyCode": "USD"},
        "node": {
            "id": "gid://shopify/Order/450789470",
            "name": "#1002",
            "shippingAddress": {"countryCodeV2": "GB"},
        },
        "nodes": [{"displayName": "Bob Norman"}, None],
    }


def test_products_variants_and_inventory(standin):
    query = """{ product(id: "gid://shopify/Product/788032119674292922") {
      title totalInventory
      variants(first: 5) { nodes { sku inventoryItem { tracked inventoryLevels(first: 5) {
        nodes { location { name } quantities(names: ["available"]) { name quantity } } } } } }
    } }"""
    product = gql(standin, query)["data"]["product"]
    assert product["title"] == "Example T-Shirt" and product["totalInventory"] == 21
    assert product["variants"]["nodes"][1] == {
        "sku": "TS-M",
        "inventoryItem": {
            "tracked": True,
            "inventoryLevels": {
                "nodes": [
                    {
                        "location": {"name": "Main warehouse"},
                        "quantities": [{"name": "available", "quantity": 7}],
                    },
                    {
                        "location": {"name": "Storefront"},
                        "quantities": [{"name": "available", "quantity": 2}],
                    },
                ]
            },
        },
    }


def test_tags_add_and_remove_change_the_state(standin):
    added = gql(
        standin,
        'mutation { tagsAdd(id: "gid://shopify/Order/450789469", tags: ["vip", "US, priority", "VIP"]) { node { id } userErrors { field message } } }',
    )
    assert added["data"] == {"tagsAdd": {"node": {"id": "gid://shopify/Order/450789469"}, "userErrors": []}}
    assert standin.store.get("gid://shopify/Order/450789469")["tags"] == ["vip", "US", "priority"]

    gql(
        standin,
        'mutation { tagsRemove(id: "gid://shopify/Order/450789469", tags: "us") { userErrors { message } } }',
    )
    assert standin.store.get("gid://shopify/Order/450789469")["tags"] == ["vip", "priority"]

    missing = gql(
        standin,
        'mutation { tagsAdd(id: "gid://shopify/Order/1", tags: "x") { node { id } userErrors { field message } } }',
    )
    assert missing["data"]["tagsAdd"] == {
        "node": None,
        "userErrors": [{"field": ["id"], "message": "Resource not found"}],
    }


def test_metafields_set_creates_updates_and_validates(standin):
    query = "mutation M($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { namespace key value type } userErrors { field message code } } }"
    created = gql(
        standin,
        query,
        {
            "m": [
                {
                    "ownerId": "gid://shopify/Order/450789469",
                    "namespace": "hub",
                    "key": "score",
                    "type": "number_integer",
                    "value": "7",
                }
            ]
        },
    )
    assert created["data"]["metafieldsSet"] == {
        "metafields": [{"namespace": "hub", "key": "score", "value": "7", "type": "number_integer"}],
        "userErrors": [],
    }
    gql(
        standin,
        query,
        {
            "m": [
                {
                    "ownerId": "gid://shopify/Customer/207119551",
                    "namespace": "loyalty",
                    "key": "points",
                    "value": "150",
                }
            ]
        },
    )
    assert (
        standin.store.find_metafield("gid://shopify/Customer/207119551", "loyalty", "points")["value"]
        == "150"
    )

    invalid = gql(
        standin,
        query,
        {
            "m": [
                {
                    "ownerId": "gid://shopify/Order/450789469",
                    "namespace": "hub",
                    "key": "j",
                    "type": "json",
                    "value": "{nope",
                }
            ]
        },
    )
    assert invalid["data"]["metafieldsSet"]["userErrors"] == [
        {
            "field": ["metafields", "0", "value"],
            "message": "Value is invalid for type json.",
            "code": "INVALID_VALUE",
        }
    ]


def test_order_and_customer_update(standin):
    gql(
        standin,
        'mutation { orderUpdate(input: {id: "gid://shopify/Order/450789471", note: "gift wrap", tags: ["a", "b"]}) { order { note tags } userErrors { message } } }',
    )
    order = standin.store.get("gid://shopify/Order/450789471")
    assert (order["note"], order["tags"]) == ("gift wrap", ["a", "b"])
    body = gql(
        standin,
        'mutation { customerUpdate(input: {id: "gid://shopify/Customer/207119553", firstName: "Helene"}) { customer { displayName } userErrors { message } } }',
    )
    assert body["data"]["customerUpdate"] == {"customer": {"displayName": "Helene Vogel"}, "userErrors": []}


def test_cost_extensions_and_throttled_replies(standin):
    body = gql(standin, "{ orders(first: 3) { edges { node { name customer { email } } } } }")
    assert body["extensions"] == {
        "cost": {
            "requestedQueryCost": 5,
            "actualQueryCost": 5,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1995, "restoreRate": 100.0},
        }
    }
    standin.store.set_bucket(currently_available=5)
    throttled = gql(
        standin,
        'mutation { tagsAdd(id: "gid://shopify/Order/450789469", tags: "x") { userErrors { message } } }',
    )
    assert throttled == {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": 10,
                "actualQueryCost": None,
                "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 5, "restoreRate": 100.0},
            }
        },
    }
    assert standin.store.get("gid://shopify/Order/450789469")["tags"] == []


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        ("{ shop { name } }", 1),
        ("{ products(first: 10) { edges { node { title } } } }", 12),
        # the node's own objects, not the node itself: 1 + 2 + 25 x 3
        (
            '{ order(id: "gid://shopify/Order/1") { fulfillmentOrders(first: 25) { edges { node { id '
            "assignedLocation { location { id } } order { id } } } } } }",
            78,
        ),
        # money is embedded in its record; a nested connection is charged once
        (
            "{ orders(first: 250) { nodes { id totalPriceSet { shopMoney { amount } } "
            "lineItems(first: 100) { nodes { product { id } variant { id } } } } } }",
            2 + 250 + 2 + 100 * 2,
        ),
        # an interface costs its most expensive possible selection
        (
            "{ publications(first: 250) { nodes { id catalog { ... on AppCatalog { apps(first: 1) "
            "{ nodes { title } } } } } } }",
            2 + 250 + 3,
        ),
        ('mutation { tagsAdd(id: "gid://shopify/Order/1", tags: "x") { userErrors { message } } }', 10),
    ],
)
def test_requested_query_cost_follows_shopify_field_costs(standin, query, cost):
    assert gql(standin, query)["extensions"]["cost"]["requestedQueryCost"] == cost


def test_page_sizes_and_the_single_query_cost_limit(standin):
    variants = '{ product(id: "gid://shopify/Product/788032119674292922") { variants(first: 2048) { nodes { id } } } }'
    assert "errors" not in gql(standin, variants)
    too_many = gql(standin, "{ products(first: 251) { nodes { id } } }")
    assert too_many["errors"][0]["message"] == "The 'first' argument must be between 0 and 250."
    pages = " ".join(f"p{number}: products(first: 250) {{ nodes {{ id }} }}" for number in range(4))
    expensive = gql(standin, "{ " + pages + " }")
    assert expensive["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_the_bucket_hook_over_http(standin):
    response = requests.post(
        f"{standin.url}/__standin/bucket", json={"currentlyAvailable": 12, "restoreRate": 5}, timeout=5
    )
    assert response.json() == {"maximumAvailable": 2000.0, "currentlyAvailable": 12, "restoreRate": 5.0}


def test_bulk_query_produces_a_flat_jsonl_file(standin):
    inner = "{ products { edges { node { __typename id title variants { edges { node { __typename id sku } } } } } } }"
    started = gql(
        standin,
        "mutation Q($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { message } } }",
        {"q": inner},
    )
    operation = started["data"]["bulkOperationRunQuery"]["bulkOperation"]
    assert operation["status"] == "CREATED"
    number = operation["id"].rsplit("/", 1)[1]

    read = gql(
        standin,
        f'{{ node(id: "{operation["id"]}") {{ ... on BulkOperation {{ status type objectCount rootObjectCount url errorCode }} }} }}',
    )
    assert read["data"]["node"] == {
        "status": "COMPLETED",
        "type": "QUERY",
        "objectCount": "9",
        "rootObjectCount": "4",
        "url": f"{standin.url}/bulk-results/{number}.jsonl",
        "errorCode": None,
    }
    lines = requests.get(read["data"]["node"]["url"], timeout=5).text.splitlines()
    assert [json.loads(line) for line in lines[:3]] == [
        {
            "__typename": "Product",
            "id": "gid://shopify/Product/788032119674292922",
            "title": "Example T-Shirt",
        },
        {
            "__typename": "ProductVariant",
            "id": "gid://shopify/ProductVariant/642667041472713922",
            "sku": "TS-S",
            "__parentId": "gid://shopify/Product/788032119674292922",
        },
        {
            "__typename": "ProductVariant",
            "id": "gid://shopify/ProductVariant/757650484644203962",
            "sku": "TS-M",
            "__parentId": "gid://shopify/Product/788032119674292922",
        },
    ]


def test_bulk_concurrency_is_refused_with_user_errors_before_2026_01(standin):
    standin.store.bulk_reads_to_complete = 5
    mutation = 'mutation { bulkOperationRunQuery(query: "{ customers { edges { node { id } } } }") { bulkOperation { id } userErrors { field message } } }'
    first = gql(standin, mutation, version="2025-10")["data"]["bulkOperationRunQuery"]
    second = gql(standin, mutation, version="2025-10")["data"]["bulkOperationRunQuery"]
    assert second == {
        "bulkOperation": None,
        "userErrors": [
            {
                "field": None,
                "message": f"A bulk query operation for this app and shop is already in progress: {first['bulkOperation']['id']}.",
            }
        ],
    }
    assert gql(standin, mutation, version="2026-01")["data"]["bulkOperationRunQuery"]["userErrors"] == []


def test_bulk_mutation_from_a_staged_upload(standin):
    staged = gql(
        standin,
        'mutation { stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES, filename: "v.jsonl", mimeType: "text/jsonl", httpMethod: POST}]) { stagedTargets { url parameters { name value } } userErrors { message } } }',
    )
    target = staged["data"]["stagedUploadsCreate"]["stagedTargets"][0]
    fields = {parameter["name"]: parameter["value"] for parameter in target["parameters"]}
    jsonl = '{"id":"gid://shopify/Customer/207119553","tags":["bulk"]}\n{"id":"gid://shopify/Customer/1","tags":["bulk"]}\n'
    upload = requests.post(
        target["url"], data=fields, files={"file": ("v.jsonl", jsonl, "text/jsonl")}, timeout=5
    )
    assert upload.status_code == 201

    run = gql(
        standin,
        "mutation R($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { bulkOperation { id type } userErrors { message } } }",
        {
            "m": "mutation call($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { message } } }",
            "p": fields["key"],
        },
    )["data"]["bulkOperationRunMutation"]
    assert run["userErrors"] == [] and run["bulkOperation"]["type"] == "MUTATION"
    done = standin.store.finish_bulk_operation(run["bulkOperation"]["id"])
    lines = [
        json.loads(line)
        for line in standin.store.bulk_file(done["id"].rsplit("/", 1)[1]).decode().splitlines()
    ]
    assert lines == [
        {"data": {"tagsAdd": {"userErrors": []}}, "__lineNumber": 0},
        {"data": {"tagsAdd": {"userErrors": [{"message": "Resource not found"}]}}, "__lineNumber": 1},
    ]
    assert standin.store.get("gid://shopify/Customer/207119553")["tags"] == ["newsletter", "bulk"]


def test_rest_orders_and_customers(standin):
    response = requests.get(f"{standin.url}/admin/api/2026-07/orders/450789470.json", timeout=5)
    assert response.headers["X-Shopify-Shop-Api-Call-Limit"] == "1/40"
    order = response.json()["order"]
    assert (order["id"], order["tags"], order["shipping_address"]["country_code"]) == (
        450789470,
        "gift",
        "GB",
    )

    updated = requests.put(
        f"{standin.url}/admin/api/2026-07/customers/207119551.json",
        json={
            "customer": {
                "tags": "wholesale, vip",
                "metafields": [
                    {"namespace": "hub", "key": "k", "value": "v", "type": "single_line_text_field"}
                ],
            }
        },
        timeout=5,
    )
    assert updated.json()["customer"]["tags"] == "wholesale, vip"
    assert standin.store.find_metafield("gid://shopify/Customer/207119551", "hub", "k")["value"] == "v"
    missing = requests.get(f"{standin.url}/admin/api/2026-07/orders/1.json", timeout=5)
    assert (missing.status_code, missing.json()) == (404, {"errors": "Not Found"})


def test_oauth_exchange_and_required_tokens():
    with StandinServer(Store.from_file(), require_token=True) as server:
        refused = requests.post(
            f"{server.url}/admin/api/2026-07/graphql.json", json={"query": "{ shop { name } }"}, timeout=5
        )
        assert (refused.status_code, refused.json()) == (
            401,
            {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
        )
        exchange = requests.post(
            f"{server.url}/admin/oauth/access_token",
            data={"client_id": "key", "client_secret": "secret", "code": "abc"},
            timeout=5,
        ).json()
        assert exchange["access_token"].startswith("shpat_")
        assert (
            exchange["scope"]
            == "read_orders,write_orders,read_customers,write_customers,read_products,write_products"
        )
        body = gql(server, "{ shop { name } }", **{"X-Shopify-Access-Token": exchange["access_token"]})
        assert body["data"] == {"shop": {"name": "Example Shop"}}


def test_signed_webhook_deliveries_are_accepted_by_hub(shop, client, settings):
    settings.HUB_SHOPIFY_API_SECRET = "standin-secret"
    payload = bulk_finish_payload(
        {
            "id": "gid://shopify/BulkOperation/1",
            "completedAt": None,
            "createdAt": "2026-01-01T00:00:00Z",
            "errorCode": None,
            "status": "COMPLETED",
            "type": "QUERY",
        }
    )
    body = json.dumps(payload).encode()
    headers = delivery_headers(
        "bulk_operations/finish", body, shop_domain="example.myshopify.com", secret="standin-secret"
    )
    assert headers["X-Shopify-Hmac-Sha256"] == sign(body, "standin-secret")

    response = client.post(
        "/shopify/webhooks",
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )

    assert response.status_code == 200
    from events.models import Event

    event = Event.objects.get(topic="shopify/bulk_operations/finish")
    assert event.data == {
        "admin_graphql_api_id": "gid://shopify/BulkOperation/1",
        "completed_at": None,
        "created_at": "2026-01-01T00:00:00Z",
        "error_code": None,
        "status": "completed",
        "type": "query",
    }


def test_the_command_refuses_a_missing_seed(tmp_path):
    with pytest.raises(CommandError, match="cannot load the seed"):
        call_command("shopify_standin", "--port", "0", "--seed", str(tmp_path / "none.json"))


def test_a_bulk_query_that_fails_while_running_ends_failed_with_its_error_code(standin):
    store = standin.store
    operation = store.add(
        {
            "__typename": "BulkOperation",
            "id": store.new_gid("BulkOperation"),
            "status": "CREATED",
            "type": "QUERY",
            "errorCode": None,
            "query": "{ products { edges { node { id } } } }",
            "_lines": [],
            "_error_code": "INTERNAL_SERVER_ERROR",
            "_reads_left": 1,
        }
    )

    read = gql(
        standin, f'{{ node(id: "{operation["id"]}") {{ ... on BulkOperation {{ status errorCode url }} }} }}'
    )

    assert read["data"]["node"] == {"status": "FAILED", "errorCode": "INTERNAL_SERVER_ERROR", "url": None}
