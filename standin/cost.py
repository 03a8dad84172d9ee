"""What a GraphQL request costs the stand-in's bucket, after Shopify's documented field costs."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
)
from graphql.utilities import value_from_ast_untyped

from standin.connections import MAX_PAGE_SIZE
from standin.registry import schema

MUTATION_COST = 10


def _unwrap(type_: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            is_list = True
        type_ = type_.of_type
    return type_, is_list


def _argument(node: FieldNode, name: str, variables: dict) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            return value_from_ast_untyped(argument.value, variables)
    return None


# Object types that are values embedded in their parent record rather than records of their own;
# selecting them costs nothing beyond their parent.
VALUE_TYPES = frozenset(
    {
        "MoneyV2",
        "MoneyBag",
        "PageInfo",
        "Count",
        "MailingAddress",
        "Attribute",
        "SEO",
        "Image",
        "Weight",
        "SelectedOption",
        "TrackingInfo",
        "InventoryQuantity",
    }
)


def selection_cost(
    selections: Any,
    parent: Any,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict,
    in_connection: bool = False,
) -> tuple[int, int]:
    """``(cost, once)`` of a selection set on ``parent``, after Shopify's documented field costs.

    Scalars and enums cost 0, an object 1 (values embedded in their parent, ``VALUE_TYPES``, 0),
    an interface or union the most expensive of its possible selections, and a connection 2
    plus its page size (``first``/``last``, counted up to ``MAX_PAGE_SIZE``) times the cost of
    one node: the node's own nested objects, at least 1 for the node itself. A connection
    selected inside another connection's nodes is charged once for the request (``once``), not
    once per parent node: Shopify's published rules do not multiply nesting out, and
    production library queries nest ``first: 100``-``250`` pages under ``first: 250`` parents.
    """
    total = once = 0
    alternatives: list[tuple[int, int]] = []
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__") or not hasattr(parent, "fields") or name not in parent.fields:
                continue
            named, _is_list = _unwrap(parent.fields[name].type)
            if not hasattr(named, "fields") and not isinstance(named, GraphQLUnionType):
                continue
            if named.name.endswith("Connection"):
                size = _argument(selection, "first", variables) or _argument(selection, "last", variables)
                size = min(int(size or 0), MAX_PAGE_SIZE)
                node, nested = selection_cost(selection.selection_set, named, fragments, variables, True)
                cost = 2 + size * max(1, node - 1) + nested
                if in_connection:
                    once += cost
                else:
                    total += cost
                continue
            inner, nested = selection_cost(
                selection.selection_set, named, fragments, variables, in_connection
            )
            once += nested
            free = named.name.endswith("Edge") or named.name in VALUE_TYPES
            if free or isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
                total += inner
            else:
                total += 1 + inner
        elif isinstance(selection, InlineFragmentNode):
            target = (
                schema().get_type(selection.type_condition.name.value) if selection.type_condition else parent
            )
            alternatives.append(
                selection_cost(selection.selection_set, target, fragments, variables, in_connection)
            )
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                target = schema().get_type(fragment.type_condition.name.value)
                alternatives.append(
                    selection_cost(fragment.selection_set, target, fragments, variables, in_connection)
                )
    if alternatives:
        total += max(cost for cost, _ in alternatives)
        once += max(nested for _, nested in alternatives)
    return total, once


def query_cost(document: Any, operation: OperationDefinitionNode, variables: dict) -> int:
    """The requested cost of ``operation``: 10 per mutation field, else the selection cost (at least 1)."""
    if operation.operation == OperationType.MUTATION:
        return MUTATION_COST * len(operation.selection_set.selections)
    fragments = {
        node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)
    }
    cost, once = selection_cost(operation.selection_set, schema().query_type, fragments, variables)
    return max(1, cost + once)
