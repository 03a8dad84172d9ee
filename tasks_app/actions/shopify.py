"""The ``shopify`` action: one Admin API request, GraphQL or legacy REST (spec/actions.md §1).

GraphQL results are the whole response body, so follow-up runs read
``action.run.result.data.<mutation>`` exactly as in Mechanic; ``userErrors``
do not fail the run. A successful ``bulkOperationRunQuery`` or
``bulkOperationRunMutation`` registers a bulk operation monitor
(spec/runtime.md §14.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from graphql.utilities import value_from_ast_untyped

from integrations.shopify import ShopifyClient, ShopifyError, graphql_errors, is_throttled
from tasks_app.actions.base import (
    Action,
    ActionContext,
    OptionError,
    PermanentActionError,
    TransientActionError,
    describe,
    register,
)

REST_VERBS = ("get", "post", "put", "delete")
# Decision (spec/actions.md §1 Performing step 4): mutations that change Hub's own app
# installation are refused unless ``HUB_SHOPIFY_DENIED_MUTATIONS`` says otherwise.
DEFAULT_DENIED_MUTATIONS = (
    "webhookSubscriptionCreate",
    "webhookSubscriptionUpdate",
    "webhookSubscriptionDelete",
    "eventBridgeWebhookSubscriptionCreate",
    "eventBridgeWebhookSubscriptionUpdate",
    "pubSubWebhookSubscriptionCreate",
    "pubSubWebhookSubscriptionUpdate",
    "appUninstall",
    "appRevokeAccessScopes",
    "appSubscriptionCreate",
    "appSubscriptionCancel",
    "appSubscriptionLineItemUpdate",
    "appSubscriptionTrialExtend",
    "appPurchaseOneTimeCreate",
    "appUsageRecordCreate",
)


@dataclass(frozen=True)
class GraphQLRequest:
    """A GraphQL document and its variables (``{}`` when none were given)."""

    query: str
    variables: dict


@dataclass(frozen=True)
class RestRequest:
    """A legacy REST call: verb, path under ``/admin/api/<version>/`` (``orders/1.json``), body."""

    method: str
    path: str
    body: Any = None


def plural(resource: str) -> str:
    """``order`` → ``orders``, ``draft_order`` → ``draft_orders``, ``country`` → ``countries``."""
    if resource.endswith("y") and not resource.endswith(("ay", "ey", "oy", "uy")):
        return resource[:-1] + "ies"
    return resource if resource.endswith("s") else resource + "s"


def _resource_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise OptionError("options", f'a REST resource must be a name like "order", got {value!r}')
    return value.strip()


def _resource_ref(value: Any) -> str:
    """``["order", 123]`` → ``orders/123``."""
    if not (isinstance(value, list) and len(value) == 2):
        raise OptionError("options", f'a REST resource reference must be ["<resource>", id], got {value!r}')
    resource, resource_id = _resource_name(value[0]), value[1]
    if isinstance(resource_id, bool) or not str(resource_id).strip().isdigit():
        raise OptionError("options", f"the {resource} id must be a number, got {resource_id!r}")
    return f"{plural(resource)}/{str(resource_id).strip()}"


def rest_request(options: list) -> RestRequest:
    """The request a legacy REST array stands for (spec/actions.md §1 "Legacy REST arrays")."""
    if not options or not isinstance(options[0], str):
        raise OptionError("options", "a REST array must start with a verb")
    verb = options[0].strip().lower()
    args = options[1:]
    if verb == "create" and len(args) == 2 and isinstance(args[1], dict):
        resource = _resource_name(args[0])
        return RestRequest("POST", f"{plural(resource)}.json", {resource: args[1]})
    if verb == "update" and len(args) == 2 and isinstance(args[1], dict):
        path = _resource_ref(args[0])
        return RestRequest("PUT", f"{path}.json", {_resource_name(args[0][0]): args[1]})
    if verb == "delete" and len(args) == 1 and isinstance(args[0], list):
        return RestRequest("DELETE", f"{_resource_ref(args[0])}.json")
    if verb in REST_VERBS and len(args) in (1, 2) and isinstance(args[0], str):
        path = args[0].strip()
        if path.startswith("/admin/api/"):
            path = path.split("/", 4)[4] if path.count("/") >= 4 else ""
        elif path.startswith("/admin/"):
            path = path[len("/admin/") :]
        else:
            raise OptionError("options", f"a REST path must start with /admin/, got {args[0]!r}")
        if not path:
            raise OptionError("options", f"a REST path must name a resource, got {args[0]!r}")
        body = args[1] if len(args) == 2 else None
        return RestRequest(verb.upper(), path, body)
    raise OptionError(
        "options",
        'a REST array must be ["create", resource, attrs], ["update", [resource, id], attrs], '
        '["delete", [resource, id]] or [get|post|put|delete, "/admin/<path>.json", body?]',
    )


def mutation_names(query: str, variables: dict) -> list[str]:
    """Top-level mutation fields of ``query``, plus those inside a ``bulkOperationRunMutation`` string.

    An unparseable document yields none: Shopify will refuse it with a syntax error.
    """
    try:
        document = parse(query)
    except GraphQLError:
        return []
    names = []
    for definition in document.definitions:
        if (
            not isinstance(definition, OperationDefinitionNode)
            or definition.operation != OperationType.MUTATION
        ):
            continue
        for selection in definition.selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            names.append(selection.name.value)
            if selection.name.value == "bulkOperationRunMutation":
                for argument in selection.arguments or ():
                    if argument.name.value == "mutation":
                        inner = value_from_ast_untyped(argument.value, variables)
                        if isinstance(inner, str):
                            names.extend(mutation_names(inner, {}))
    return names


def denied_mutations() -> frozenset[str]:
    """``HUB_SHOPIFY_DENIED_MUTATIONS`` when set, else the default deny-list."""
    return frozenset(getattr(settings, "HUB_SHOPIFY_DENIED_MUTATIONS", DEFAULT_DENIED_MUTATIONS))


def action_error(exc: ShopifyError) -> Exception:
    """The action error for a client error: transient for network failures and 5xx, else permanent."""
    return PermanentActionError(str(exc)) if exc.permanent else TransientActionError(str(exc))


@register
class ShopifyAction(Action):
    """Sends one Admin API request with the run's API version and the shop's token.

    Options: a GraphQL string; ``{"query", "variables"}`` (``query`` required,
    ``variables`` an object or absent); or a legacy REST array. Result: the
    whole GraphQL response body, or the parsed REST body (None when empty).
    Top-level GraphQL ``errors`` fail the run permanently with their messages
    joined by ``; ``; ``userErrors`` do not. 5xx and network failures are
    transient; 4xx, denied mutations and throttling past the in-run allowance
    are permanent.
    """

    type = "shopify"

    def validate(self, options: Any) -> GraphQLRequest | RestRequest:
        if isinstance(options, str):
            if not options.strip():
                raise OptionError("options", "the GraphQL document is blank")
            return GraphQLRequest(options, {})
        if isinstance(options, dict):
            unknown = sorted(set(options) - {"query", "variables"})
            if unknown:
                raise OptionError(unknown[0], "is not an option of the shopify action (query, variables)")
            query = options.get("query")
            if not isinstance(query, str) or not query.strip():
                raise OptionError(
                    "query",
                    "is required" if query is None else f"must be a GraphQL string, got {describe(query)}",
                )
            variables = options.get("variables")
            if variables is None:
                variables = {}
            if not isinstance(variables, dict):
                raise OptionError("variables", f"must be an object, got {describe(variables)}")
            return GraphQLRequest(query, variables)
        if isinstance(options, list):
            return rest_request(options)
        raise PermanentActionError(
            "options must be a GraphQL string, an object with query and variables, or a REST array, "
            f"got {describe(options)}"
        )

    def perform(self, context: ActionContext) -> Any:
        run = context.run
        if run.result_meta is None:
            run.result_meta = {}
        client = ShopifyClient(
            context.shop, run.shopify_api_version or None, usage=run.result_meta, clock=context.clock
        )
        request = context.options
        if isinstance(request, RestRequest):
            try:
                return client.rest(request.method, request.path, request.body)
            except ShopifyError as exc:
                raise action_error(exc) from exc

        denied = [
            name for name in mutation_names(request.query, request.variables) if name in denied_mutations()
        ]
        if denied:
            raise PermanentActionError(f"the mutation {denied[0]} is not allowed in Hub")
        try:
            body = client.graphql(request.query, request.variables)
        except ShopifyError as exc:
            raise action_error(exc) from exc
        errors = graphql_errors(body)
        if errors and not is_throttled(body):
            raise PermanentActionError("; ".join(str(error.get("message", error)) for error in errors))
        # A bulk operation this started is monitored by the run engine once the action run has
        # succeeded (runs.bulk.register_monitors, spec/runtime.md §14.3).
        return body
