"""The stand-in's bulk operations and staged uploads (spec/runtime.md §14.3).

``bulkOperationRunQuery`` runs the query at once, without page limits, and keeps the result as
JSONL lines; ``bulkOperationRunMutation`` runs a mutation per line of a staged upload. Either
operation finishes after ``Store.bulk_reads_to_complete`` reads. Importing the module registers
the resolvers.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, execute, parse, validate

from standin.registry import Context, resolves, schema, store_of, user_error
from standin.resolution import field_resolver


@resolves("Query", "currentBulkOperation")
def resolve_current_bulk_operation(_root, info, type="QUERY"):  # noqa: A002
    """``Query.currentBulkOperation(type)``: the newest operation of ``type``, or None.

    The read moves the operation on (``Store.observe_bulk_operation``).
    """
    operations = [op for op in store_of(info).of_type("BulkOperation") if op["type"] == type]
    if not operations:
        return None
    store_of(info).observe_bulk_operation(operations[-1])
    return operations[-1]


def bulk_limit(api_version: str) -> int:
    """Concurrent bulk operations of one type per shop: 5 from API version 2026-01, else 1."""
    return 5 if api_version == "unstable" or api_version >= "2026-01" else 1


def _start_bulk_operation(
    info: Any, kind: str, query: str, lines: list[dict], error_code: str | None
) -> dict:
    store = store_of(info)
    with store.lock:
        running = store.running_bulk_operations(kind)
        if len(running) >= bulk_limit(info.context.api_version):
            label = "query" if kind == "QUERY" else "mutation"
            message = (
                f"A bulk {label} operation for this app and shop is already in progress: {running[0]['id']}."
            )
            return {"bulkOperation": None, "userErrors": [user_error(None, message)]}
        operation = store.add(
            {
                "__typename": "BulkOperation",
                "id": store.new_gid("BulkOperation"),
                "status": "CREATED",
                "type": kind,
                "errorCode": None,
                "createdAt": store.now(),
                "completedAt": None,
                "objectCount": "0",
                "rootObjectCount": "0",
                "fileSize": None,
                "url": None,
                "partialDataUrl": None,
                "query": query,
                "_lines": lines,
                "_error_code": error_code,
                "_reads_left": store.bulk_reads_to_complete,
            }
        )
        if error_code is not None:
            operation["_reads_left"] = 0
        return {"bulkOperation": operation, "userErrors": []}


def flatten(value: Any, parent_id: str | None, out: list[dict]) -> None:
    """Shopify's bulk JSONL layout: every node a line; nested connections become lines with ``__parentId``."""
    for node in _connection_nodes(value):
        line: dict = {}
        children = []
        for key, item in node.items():
            if _is_connection(item):
                children.append(item)
            else:
                line[key] = item
        if parent_id is not None:
            line["__parentId"] = parent_id
        out.append(line)
        for child in children:
            flatten(child, node.get("id"), out)


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("edges"), list) or isinstance(value.get("nodes"), list)
    )


def _connection_nodes(value: Any) -> list[dict]:
    if _is_connection(value):
        if isinstance(value.get("edges"), list):
            return [edge["node"] for edge in value["edges"] if isinstance(edge, dict) and edge.get("node")]
        return [node for node in value["nodes"] if isinstance(node, dict)]
    if isinstance(value, dict):
        return [value]
    return []


@resolves("Mutation", "bulkOperationRunQuery")
def resolve_bulk_query(_root, info, query, groupObjects=None):  # noqa: N803
    """``bulkOperationRunQuery``: runs ``query`` now, without page limits, as a ``QUERY`` operation.

    The result is kept as JSONL lines (``flatten``); the operation finishes after
    ``Store.bulk_reads_to_complete`` reads. A query that does not parse, does not validate or is
    not exactly one query operation answers a user error. One that fails while running starts an
    operation with no lines that ends ``FAILED`` with ``errorCode`` ``INTERNAL_SERVER_ERROR``.
    ``groupObjects`` is ignored; concurrency follows ``bulk_limit``.
    """
    try:
        document = parse(query)
    except GraphQLError as exc:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["query"], f"Invalid bulk query: {exc.message}")],
        }
    errors = validate(schema(), document)
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    if not errors and (len(operations) != 1 or operations[0].operation != OperationType.QUERY):
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["query"], "Bulk queries must contain exactly one query operation.")],
        }
    if errors:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["query"], f"Invalid bulk query: {errors[0].message}")],
        }
    ctx = Context(store=store_of(info), api_version=info.context.api_version, bulk=True)
    result = execute(schema(), document, context_value=ctx, field_resolver=field_resolver)
    lines: list[dict] = []
    if not result.errors:
        for value in (result.data or {}).values():
            flatten(value, None, lines)
    return _start_bulk_operation(
        info, "QUERY", query, lines, "INTERNAL_SERVER_ERROR" if result.errors else None
    )


@resolves("Mutation", "bulkOperationRunMutation")
def resolve_bulk_mutation(_root, info, mutation, stagedUploadPath, **_ignored):  # noqa: N803
    """``bulkOperationRunMutation``: runs ``mutation`` once per JSONL line of the staged upload.

    Starts a ``MUTATION`` operation with one result line (``data``, ``errors``, ``__lineNumber``)
    per non-blank input line; a line that is not JSON gets an error line. A mutation that does
    not parse, validate or is not exactly one mutation, or an unknown ``stagedUploadPath``,
    answers a user error.
    """
    store = store_of(info)
    try:
        document = parse(mutation)
    except GraphQLError as exc:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["mutation"], f"Invalid mutation: {exc.message}")],
        }
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation != OperationType.MUTATION:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["mutation"], "Bulk mutations must contain exactly one mutation.")],
        }
    errors = validate(schema(), document)
    if errors:
        return {
            "bulkOperation": None,
            "userErrors": [user_error(["mutation"], f"Invalid mutation: {errors[0].message}")],
        }
    content = store.staged_uploads.get(stagedUploadPath)
    if content is None:
        message = f"The staged upload {stagedUploadPath!r} was not found; upload the JSONL file first."
        return {"bulkOperation": None, "userErrors": [user_error(["stagedUploadPath"], message)]}
    lines = []
    ctx = Context(store=store, api_version=info.context.api_version)
    for number, text in enumerate(content.decode("utf-8").splitlines()):
        if not text.strip():
            continue
        try:
            variables = json.loads(text)
        except ValueError:
            lines.append({"errors": [{"message": "Invalid JSON on this line"}], "__lineNumber": number})
            continue
        result = execute(
            schema(), document, context_value=ctx, variable_values=variables, field_resolver=field_resolver
        )
        line: dict = {"data": result.data}
        if result.errors:
            line["errors"] = [error.formatted for error in result.errors]
        line["__lineNumber"] = number
        lines.append(line)
    return _start_bulk_operation(info, "MUTATION", mutation, lines, None)


@resolves("Mutation", "bulkOperationCancel")
def resolve_bulk_cancel(_root, info, id):  # noqa: A002
    """``bulkOperationCancel(id)``: cancels a running bulk operation.

    An unknown operation, or one already finished, answers a user error.
    """
    store = store_of(info)
    operation = store.get(id, "BulkOperation")
    if operation is None:
        return {"bulkOperation": None, "userErrors": [user_error(["id"], "Bulk operation does not exist")]}
    if operation["status"] in ("COMPLETED", "FAILED", "CANCELED", "EXPIRED"):
        message = f"A bulk operation cannot be canceled when it is {operation['status'].lower()}"
        return {"bulkOperation": operation, "userErrors": [user_error(None, message)]}
    store.finish_bulk_operation(id, status="CANCELED")
    return {"bulkOperation": operation, "userErrors": []}


@resolves("Mutation", "stagedUploadsCreate")
def resolve_staged_uploads(_root, info, input):  # noqa: A002
    """``stagedUploadsCreate``: one target per input, a form POST to the stand-in's ``/staged-uploads``.

    The ``key`` parameter is the ``stagedUploadPath`` a bulk mutation then names.
    """
    store = store_of(info)
    targets = []
    for upload in input:
        key = f"tmp/standin/bulk/{store.new_number()}/{upload['filename']}"
        targets.append(
            {
                "url": f"{store.base_url}/staged-uploads",
                "resourceUrl": None,
                "parameters": [
                    {"name": "Content-Type", "value": upload["mimeType"]},
                    {"name": "success_action_status", "value": "201"},
                    {"name": "acl", "value": "private"},
                    {"name": "key", "value": key},
                ],
            }
        )
    return {"stagedTargets": targets, "userErrors": []}
