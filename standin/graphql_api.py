"""The stand-in's Admin GraphQL endpoint: parse, validate, charge the cost bucket, execute.

Answers in Shopify's wire format: ``{"data", "errors"?, "extensions": {"cost":
{"requestedQueryCost", "actualQueryCost", "throttleStatus"}}}``, and
``THROTTLED`` errors (HTTP 200) when the bucket cannot pay for a query.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, execute, parse, validate

# The resolver modules register their resolvers and mutation handlers when imported.
from standin import bulk, records, resources, subscriptions  # noqa: F401
from standin.cost import query_cost
from standin.registry import Context, schema
from standin.resolution import field_resolver
from standin.store import Store

MAX_QUERY_COST = 1000
THROTTLED_DOCS = "https://shopify.dev/api/usage/rate-limits"


def _formatted(errors: list[GraphQLError]) -> list[dict]:
    return [error.formatted for error in errors]


def handle_graphql(store: Store, payload: Any, *, api_version: str) -> tuple[int, dict]:
    """Answer one ``graphql.json`` POST body: ``(HTTP status, response body)``.

    Answers with ``errors`` are also kept in ``store.graphql_errors``.
    """
    status, body = _answer_graphql(store, payload, api_version=api_version)
    if isinstance(body, dict) and body.get("errors"):
        with store.lock:
            store.graphql_errors.append(
                {
                    "query": payload.get("query") if isinstance(payload, dict) else None,
                    "variables": payload.get("variables") if isinstance(payload, dict) else None,
                    "errors": body["errors"],
                }
            )
    return status, body


def _answer_graphql(store: Store, payload: Any, *, api_version: str) -> tuple[int, dict]:
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return 400, {"errors": {"query": "Required parameter missing or invalid"}}
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        return 200, {"errors": [{"message": "Variables must be an object"}]}
    try:
        document = parse(payload["query"])
    except GraphQLError as exc:
        return 200, {"errors": _formatted([exc])}
    errors = validate(schema(), document)
    if errors:
        return 200, {"errors": _formatted(errors)}
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    name = payload.get("operationName")
    operation = next((op for op in operations if name is None or (op.name and op.name.value == name)), None)
    if operation is None or (name is None and len(operations) > 1):
        return 200, {"errors": [{"message": "An operation name is required"}]}
    requested = query_cost(document, operation, variables)
    with store.lock:
        bucket = store.bucket
        bucket.refresh()
        if requested > MAX_QUERY_COST:
            return 200, {
                "errors": [
                    {
                        "message": f"Query cost is {requested}, which exceeds the single query max cost "
                        f"limit ({MAX_QUERY_COST}).",
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": requested,
                            "maxCost": MAX_QUERY_COST,
                        },
                    }
                ],
                "extensions": {
                    "cost": {
                        "requestedQueryCost": requested,
                        "actualQueryCost": None,
                        "throttleStatus": bucket.status(),
                    }
                },
            }
        if requested > bucket.available:
            return 200, {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {"code": "THROTTLED", "documentation": THROTTLED_DOCS},
                    }
                ],
                "extensions": {
                    "cost": {
                        "requestedQueryCost": requested,
                        "actualQueryCost": None,
                        "throttleStatus": bucket.status(),
                    }
                },
            }
        result = execute(
            schema(),
            document,
            context_value=Context(store=store, api_version=api_version),
            variable_values=variables,
            operation_name=name,
            field_resolver=field_resolver,
        )
        bucket.available -= requested
        body: dict = {}
        if result.errors:
            body["errors"] = _formatted(result.errors)
        body["data"] = result.data
        body["extensions"] = {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": requested,
                "throttleStatus": bucket.status(),
            }
        }
        return 200, body
