"""The shopify action against the stand-in (spec/actions.md §1)."""

# ruff: noqa: E501  (GraphQL documents and Shopify messages read best on one line)
import pytest
from werkzeug import Response

from integrations.shopify import empty_usage as empty_result_meta
from runs.models import ActionRun, BulkOperationMonitor, RunStatus
from tasks_app.actions import execute_action
from tasks_app.actions.shopify import RestRequest, mutation_names, rest_request
from tasks_app.models import Task
from tasks_app.rendering import render_task_run
from tests.standin.standin_helpers import (  # noqa: F401  (fixtures)
    clock_fixture,
    graphql_requests,
    standin_fixture,
)
from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    make_task_run,
    perform_fixture,
    task_run_fixture,
)

TAGS_ADD = """mutation {
  tagsAdd(id: "gid://shopify/Order/450789469", tags: "domestic") {
    node { id }
    userErrors { field message }
  }
}"""


def counters(run, cost, graphql=0, rest=0):
    meta = dict(run.result_meta)
    assert isinstance(meta.pop("shopify_admin_api_time_ms"), int)
    assert meta == {
        "shopify_admin_graphql_api_cost": cost,
        "shopify_admin_rest_api_requests_count": rest,
        "shopify_admin_graphql_api_requests_count": graphql,
    }


def test_a_graphql_string_tags_the_order(perform, standin):
    run = perform("shopify", TAGS_ADD)

    assert_succeeded(
        run,
        {
            "data": {"tagsAdd": {"node": {"id": "gid://shopify/Order/450789469"}, "userErrors": []}},
            "extensions": {
                "cost": {
                    "requestedQueryCost": 10,
                    "actualQueryCost": 10,
                    "throttleStatus": {
                        "maximumAvailable": 2000.0,
                        "currentlyAvailable": 1990,
                        "restoreRate": 100.0,
                    },
                }
            },
        },
    )
    assert graphql_requests(standin) == [{"query": TAGS_ADD, "variables": {}}]
    assert standin.store.get("gid://shopify/Order/450789469")["tags"] == ["domestic"]
    assert standin.store.requests[0]["path"] == "/admin/api/2026-07/graphql.json"
    counters(run, cost=10, graphql=1)


def test_query_and_variables(perform, standin):
    query = (
        "mutation T($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { message } } }"
    )
    variables = {"id": "gid://shopify/Customer/207119553", "tags": ["vip"]}

    run = perform("shopify", {"query": query, "variables": variables})

    assert run.result["data"] == {"tagsAdd": {"userErrors": []}}
    assert graphql_requests(standin) == [{"query": query, "variables": variables}]
    assert standin.store.get("gid://shopify/Customer/207119553")["tags"] == ["newsletter", "vip"]


def test_user_errors_do_not_fail_the_run(perform, standin):
    run = perform(
        "shopify",
        'mutation { tagsAdd(id: "gid://shopify/Order/1", tags: "x") { userErrors { field message } } }',
    )

    assert run.status == RunStatus.SUCCEEDED
    assert run.result["data"] == {
        "tagsAdd": {"userErrors": [{"field": ["id"], "message": "Resource not found"}]}
    }


def test_top_level_errors_fail_permanently_with_the_messages(task_run, standin):
    created = ActionRun.from_action(
        task_run, 0, {"type": "shopify", "options": "{ shop { nope } orders { id } }"}
    )

    outcome = execute_action(created)

    assert outcome.permanent is True
    assert outcome.error == (
        "Cannot query field 'nope' on type 'Shop'. Did you mean 'name'?; "
        "Cannot query field 'id' on type 'OrderConnection'."
    )


def test_a_denied_mutation_fails_before_sending(perform, standin):
    run = perform(
        "shopify",
        'mutation { webhookSubscriptionDelete(id: "gid://shopify/WebhookSubscription/1") { userErrors { message } } }',
    )

    assert_failed(run, "the mutation webhookSubscriptionDelete is not allowed in Hub")
    assert standin.store.requests == []
    counters(run, cost=0)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ("  ", 'option "options": the GraphQL document is blank'),
        (
            {"query": "{ shop { id } }", "extra": 1},
            'option "extra": is not an option of the shopify action (query, variables)',
        ),
        ({"variables": {}}, 'option "query": is required'),
        ({"query": "{ shop { id } }", "variables": [1]}, 'option "variables": must be an object, got array'),
        (
            12,
            "options must be a GraphQL string, an object with query and variables, or a REST array, got number",
        ),
        (
            ["update", "order", {}],
            'option "options": a REST resource reference must be ["<resource>", id], got \'order\'',
        ),
    ],
)
def test_invalid_options_fail_permanently(perform, standin, options, error):
    assert_failed(perform("shopify", options), error)
    assert standin.store.requests == []


def test_missing_variables_are_an_empty_object(perform, standin):
    perform("shopify", {"query": "{ shop { name } }"})
    assert graphql_requests(standin) == [{"query": "{ shop { name } }", "variables": {}}]


def test_legacy_rest_update_sets_tags_and_returns_the_body(perform, standin):
    run = perform("shopify", ["update", ["order", 450789471], {"tags": "rest-tag, second"}])

    assert run.status == RunStatus.SUCCEEDED
    assert run.result["order"]["tags"] == "rest-tag, second"
    assert standin.store.requests[0]["method"] == "PUT"
    assert standin.store.requests[0]["path"] == "/admin/api/2026-07/orders/450789471.json"
    assert standin.store.requests[0]["body"] == {"order": {"tags": "rest-tag, second"}}
    assert standin.store.get("gid://shopify/Order/450789471")["tags"] == ["rest-tag", "second"]
    counters(run, cost=0, rest=1)


def test_legacy_rest_delete_has_a_null_result_when_the_body_is_empty(perform, standin):
    run = perform("shopify", ["delete", ["customer", "207119553"]])

    assert_succeeded(run, {})
    assert standin.store.get("gid://shopify/Customer/207119553") is None


def test_legacy_rest_not_found_fails_permanently(perform, standin):
    assert_failed(
        perform("shopify", ["get", "/admin/orders/1.json"]), "Received a Shopify error (not found): Not Found"
    )


@pytest.mark.parametrize(
    ("options", "request_"),
    [
        (
            ["create", "order", {"email": "a@b.c"}],
            RestRequest("POST", "orders.json", {"order": {"email": "a@b.c"}}),
        ),
        (["create", "draft_order", {}], RestRequest("POST", "draft_orders.json", {"draft_order": {}})),
        (
            ["update", ["customer", 5], {"note": "x"}],
            RestRequest("PUT", "customers/5.json", {"customer": {"note": "x"}}),
        ),
        (["delete", ["customer", "7"]], RestRequest("DELETE", "customers/7.json")),
        (
            ["put", "/admin/themes/9/assets.json", {"asset": {"key": "k"}}],
            RestRequest("PUT", "themes/9/assets.json", {"asset": {"key": "k"}}),
        ),
        (["GET", "/admin/api/2024-01/shop.json"], RestRequest("GET", "shop.json")),
    ],
)
def test_legacy_rest_arrays_map_to_requests(options, request_):
    assert rest_request(options) == request_


def test_5xx_is_transient(task_run, settings, httpserver):
    settings.HUB_SHOPIFY_ADMIN_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/admin/api/2026-07/graphql.json").respond_with_response(
        Response('{"errors":"Internal Server Error"}', status=500, content_type="application/json")
    )
    created = ActionRun.from_action(task_run, 0, {"type": "shopify", "options": "{ shop { id } }"})

    outcome = execute_action(created)

    assert (outcome.error, outcome.permanent) == (
        "Received a Shopify error (internal server error): Internal Server Error",
        False,
    )


def test_mutation_names_include_the_bulk_mutation_inside():
    query = 'mutation { bulkOperationRunMutation(mutation: "mutation { appUninstall { userErrors { message } } }", stagedUploadPath: "p") { userErrors { message } } }'
    assert mutation_names(query, {}) == ["bulkOperationRunMutation", "appUninstall"]
    assert mutation_names("not graphql", {}) == []


def test_a_started_bulk_operation_registers_a_monitor(perform, task_run, standin):
    run = perform(
        "shopify",
        'mutation { bulkOperationRunQuery(query: "{ customers { edges { node { id } } } }") { bulkOperation { id status } userErrors { message } } }',
    )

    operation_id = run.result["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
    monitor = BulkOperationMonitor.objects.get()
    assert (monitor.operation_id, monitor.operation_type, monitor.api_version, monitor.status) == (
        operation_id,
        "QUERY",
        "2026-07",
        "CREATED",
    )
    assert (monitor.task_id, monitor.task_run_id, monitor.event_id, monitor.action_run_id) == (
        task_run.task_id,
        task_run.pk,
        task_run.event_id,
        run.pk,
    )
    assert (monitor.next_poll_at - monitor.created_at).total_seconds() == 10


def test_a_refused_bulk_operation_registers_nothing(shop, perform, standin):
    shop.api_version = "2025-10"  # one bulk query at a time before 2026-01
    shop.save()
    standin.store.bulk_reads_to_complete = 5
    mutation = 'mutation { bulkOperationRunQuery(query: "{ customers { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }'
    perform("shopify", mutation)

    second = perform("shopify", mutation)

    assert second.status == RunStatus.SUCCEEDED
    assert second.result["data"]["bulkOperationRunQuery"]["bulkOperation"] is None
    assert BulkOperationMonitor.objects.count() == 1


def test_the_shopify_filter_reads_live_in_a_task_run(shop, standin):
    task = Task.objects.create(
        shop=shop,
        name="Read",
        enabled=True,
        subscriptions=["shopify/orders/create"],
        script='{% capture q %}query { shop { name } order(id: "gid://shopify/Order/450789470") { tags } }{% endcapture %}'
        "{% assign result = q | shopify %}"
        "{% log shop: result.data.shop.name, tags: result.data.order.tags, cost: result.extensions.cost.actualQueryCost %}",
    )
    task_run = make_task_run(shop, task=task)
    task_run.result_meta = empty_result_meta()

    outcome = render_task_run(task_run)

    assert outcome.error is None
    assert outcome.logs == [{"shop": "Example Shop", "tags": ["gift"], "cost": 2}]
    counters(task_run, cost=2, graphql=1)


def test_a_failing_shopify_read_is_a_render_error(shop, settings):
    settings.HUB_SHOPIFY_ADMIN_URL = "http://127.0.0.1:9"
    task = Task.objects.create(
        shop=shop,
        name="Read",
        enabled=True,
        subscriptions=["shopify/orders/create"],
        script='{% assign result = "{ shop { name } }" | shopify %}',
    )

    outcome = render_task_run(make_task_run(shop, task=task))

    assert "shopify: Shopify request failed: Connection refused" in outcome.error
