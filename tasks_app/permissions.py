"""The Shopify access scopes a task needs (spec/platform.md §7.9, spec/liquid.md §2.5, §6.2).

Required = the scopes declared in the script's ``{% permissions %}`` block ∪ the scopes detected
from its subscriptions, its legacy ``shop.<lookup>`` reads, the GraphQL it sends through the
``shopify`` filter during preview and the ``shopify`` actions its previews render. The tables
that map topics, GraphQL root fields, mutation names, gids and REST paths to resources live in
``shopify_scopes.json``; a resource ``R`` stands for ``read_R`` / ``write_R``.
"""

import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from graphql import GraphQLError, parse
from graphql.language import (
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

SCOPES_FILE = Path(__file__).resolve().parent / "shopify_scopes.json"

# The lexer reads the block body raw (tasks_app/liquid/environment.py); this is the same shape.
PERMISSIONS_RE = re.compile(r"{%-?\s*permissions\s*-?%}(?P<body>.*?){%-?\s*endpermissions\s*-?%}", re.DOTALL)
PERMISSIONS_OPEN_RE = re.compile(r"{%-?\s*permissions\s*-?%}")
GID_RE = re.compile(r"gid://shopify/(?P<type>[A-Za-z0-9]+)/")
TOPIC_RE = re.compile(r"(?P<domain>[a-z0-9_]+)/(?P<subject>[a-z0-9_]+)/[a-z0-9_]+")
FIRST_FIELD_RE = re.compile(r"^\s*(?P<kind>query|mutation)?[^{]*{\s*(?:\w+\s*:\s*)?(?P<field>[A-Za-z_]\w*)")


class PermissionsError(ValueError):
    """A ``{% permissions %}`` block that fails save-time validation (spec/liquid.md §2.5).
    The message names the problem and, where there is one, the scope."""


@cache
def scope_tables() -> dict:
    """The parsed ``shopify_scopes.json`` plus ``known`` (every requestable scope, a frozenset)."""
    tables = json.loads(SCOPES_FILE.read_text())
    known = {f"{mode}_{name}" for name in tables["read_write_resources"] for mode in ("read", "write")}
    known |= set(tables["read_only_scopes"])
    return dict(tables, known=frozenset(known))


def _scope(mode: str, resource: str | None) -> set[str]:
    """``{"<mode>_<resource>"}`` when Shopify has that scope, else ``set()``."""
    if not resource:
        return set()
    name = f"{mode}_{resource}"
    return {name} if name in scope_tables()["known"] else set()


# -- {% permissions %} ----------------------------------------------------------------------------


def declared_scopes(script: str | None) -> list[str]:
    """The scope names of the script's ``{% permissions %}`` block, in order (``[]`` without one).

    The body is plain text: names separated by newlines and/or commas, whitespace trimmed.
    Raises ``PermissionsError`` for a second block, a block without ``endpermissions``, an
    unknown name (Liquid inside the body is never evaluated, so ``{{ x }}`` is an unknown
    name), a scope Mechanic may not request, and a name listed twice.
    """
    text = script or ""
    blocks = list(PERMISSIONS_RE.finditer(text))
    opened = len(PERMISSIONS_OPEN_RE.findall(text))
    if opened > len(blocks):
        raise PermissionsError("{% permissions %} block without {% endpermissions %}")
    if len(blocks) > 1:
        raise PermissionsError(f"only one {{% permissions %}} block is allowed per task, found {len(blocks)}")
    if not blocks:
        return []
    tables = scope_tables()
    names: list[str] = []
    for name in (part.strip() for part in re.split(r"[,\n]", blocks[0]["body"])):
        if not name:
            continue
        if name in tables["disallowed_scopes"]:
            raise PermissionsError(f"{{% permissions %}}: Mechanic cannot request the Shopify scope {name!r}")
        if name not in tables["known"]:
            raise PermissionsError(f"{{% permissions %}}: unknown Shopify access scope {name!r}")
        if name in names:
            raise PermissionsError(f"{{% permissions %}}: {name!r} is listed twice")
        names.append(name)
    return names


# -- subscriptions and Liquid reads -----------------------------------------------------------------


def topic_scopes(topics: Iterable[str]) -> set[str]:
    """Read scopes of subscribed topics: ``shopify/orders/create`` → ``read_orders``; the run
    buttons of ``mechanic/user/<resource>`` read that resource. Offsets must be stripped."""
    tables = scope_tables()
    scopes: set[str] = set()
    for topic in topics:
        match = TOPIC_RE.fullmatch(topic)
        if match is None:
            continue
        domain, subject = match["domain"], match["subject"]
        if domain == "shopify":
            scopes |= _scope("read", tables["topic_subjects"].get(subject))
        elif domain == "mechanic" and subject == "user":
            resource = topic.rsplit("/", 1)[1]
            scopes |= _scope("read", tables["mechanic_user_subjects"].get(resource))
    return scopes


def liquid_read_scopes(script: str | None) -> set[str]:
    """Read scopes of legacy lookups on ``shop`` in the script text (``shop.customers`` →
    ``read_customers``, spec/liquid.md §5.5)."""
    lookups = scope_tables()["shop_lookups"]
    pattern = re.compile(r"\bshop\s*\.\s*(" + "|".join(map(re.escape, lookups)) + r")\b")
    return {scope for name in pattern.findall(script or "") for scope in _scope("read", lookups[name])}


# -- GraphQL ------------------------------------------------------------------------------------------


def graphql_scopes(query: str, variables: Any = None) -> set[str]:
    """Scopes one GraphQL document needs, from its root fields.

    Query fields read their resource (``orders`` → ``read_orders``; ``node``/``nodes`` by the
    gid in ``id``/``ids``; ``metafieldDefinitions`` by ``ownerType``). Mutation fields write
    theirs, by name prefix (``orderUpdate`` → ``write_orders``), or, for generic mutations
    (``tagsAdd``, ``metafieldsSet``, ``metafieldDelete``…), by the gids in their ``id``/``ownerId``
    arguments, literal or passed in ``variables``. ``bulkOperationRunQuery`` and
    ``bulkOperationRunMutation`` add the scopes of the document they carry. A document that
    does not parse contributes its first root field only.
    """
    if not isinstance(query, str) or not query.strip():
        return set()
    if isinstance(variables, dict) and variables and "$" in query:
        return _scopes(query, variables)
    # Variables cannot matter: the answer depends on the text alone. Previews send the same
    # few documents over and over, and parsing them was most of a warm preview's time.
    return set(_scopes_of_text(query))


@lru_cache(maxsize=1024)
def _scopes_of_text(query: str) -> frozenset[str]:
    return frozenset(_scopes(query, {}))


def _scopes(query: str, variables: dict) -> set[str]:
    calls = _root_calls(query)
    if calls is None:
        match = FIRST_FIELD_RE.match(query)
        if match is None:
            return set()
        mode = "write" if match["kind"] == "mutation" else "read"
        return _field_scopes(mode, match["field"], {})
    scopes: set[str] = set()
    for mode, name, arguments in calls:
        values = {arg.name.value: _value(arg.value, variables) for arg in arguments}
        scopes |= _field_scopes(mode, name, values)
    return scopes


@lru_cache(maxsize=1024)
def _root_calls(query: str) -> tuple[tuple[str, str, tuple], ...] | None:
    """``(mode, field name, argument nodes)`` of each root field of ``query``, or None when
    it does not parse."""
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return None
    calls = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        mode = "write" if operation.operation.value == "mutation" else "read"
        for field in _root_fields(operation.selection_set.selections, document):
            calls.append((mode, field.name.value, tuple(field.arguments or ())))
    return tuple(calls)


def _root_fields(selections, document: DocumentNode) -> list[FieldNode]:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    fields: list[FieldNode] = []
    pending = list(selections)
    while pending:
        node = pending.pop(0)
        if isinstance(node, FieldNode):
            fields.append(node)
        elif isinstance(node, InlineFragmentNode):
            pending.extend(node.selection_set.selections)
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
            pending.extend(fragments.pop(node.name.value).selection_set.selections)
    return fields


def _value(node: ValueNode, variables: dict) -> Any:
    """A GraphQL argument value as plain data, variables substituted."""
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, ObjectValueNode):
        return {field.name.value: _value(field.value, variables) for field in node.fields}
    if isinstance(node, ListValueNode):
        return [_value(item, variables) for item in node.values]
    if isinstance(node, (StringValueNode, EnumValueNode)):
        return node.value
    if isinstance(node, (IntValueNode, FloatValueNode, BooleanValueNode)):
        return node.value
    if isinstance(node, NullValueNode):
        return None
    return None


def _field_scopes(mode: str, name: str, arguments: dict) -> set[str]:
    tables = scope_tables()
    if name == "bulkOperationRunQuery":
        return graphql_scopes(arguments.get("query") or "")
    if name == "bulkOperationRunMutation":
        return graphql_scopes(arguments.get("mutation") or "")
    if name.startswith("metafieldDefinition"):
        owner = _find_key(arguments, "ownerType")
        return _scope(mode, tables["metafield_owner_types"].get(str(owner or "").upper()))
    if mode == "read":
        if name in ("node", "nodes"):
            return {scope for gid_type in gid_types(arguments) for scope in _gid_scope("read", gid_type)}
        return _scope("read", tables["query_fields"].get(name))
    resource = _mutation_resource(name)
    if resource is not None:
        return _scope("write", resource)
    return {scope for gid_type in gid_types(arguments) for scope in _gid_scope("write", gid_type)}


def _mutation_resource(name: str) -> str | None:
    """The resource of a mutation by its longest matching name prefix that ends a word."""
    prefixes = scope_tables()["mutation_prefixes"]
    for prefix in sorted(prefixes, key=len, reverse=True):
        if name.startswith(prefix) and (len(name) == len(prefix) or not name[len(prefix)].islower()):
            return prefixes[prefix]
    return None


def _gid_scope(mode: str, gid_type: str) -> set[str]:
    return _scope(mode, scope_tables()["gid_types"].get(gid_type))


def gid_types(data: Any) -> list[str]:
    """Resource types (``Order``…) of the gids found under ``id``/``ownerId``/``ids``… keys
    anywhere in ``data`` (arguments or variables), in order, once each."""
    fields = set(scope_tables()["gid_fields"])
    found: dict[str, None] = {}

    def walk(value: Any, under_gid_field: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, key in fields)
        elif isinstance(value, list):
            for item in value:
                walk(item, under_gid_field)
        elif under_gid_field and isinstance(value, str) and (match := GID_RE.match(value)):
            found.setdefault(match["type"], None)

    walk(data, False)
    return list(found)


def _find_key(data: Any, key: str) -> Any:
    if isinstance(data, dict):
        if key in data:
            return data[key]
        data = list(data.values())
    if isinstance(data, list):
        for item in data:
            if (found := _find_key(item, key)) is not None:
                return found
    return None


# -- actions --------------------------------------------------------------------------------------


def action_scopes(action: Any) -> set[str]:
    """Scopes of one rendered action ``{type, options}``: only ``shopify`` actions count.

    Options are a GraphQL string, ``{query, variables}``, or a legacy REST array
    (``rest_scopes``).
    """
    if not isinstance(action, dict) or action.get("type") != "shopify":
        return set()
    options = action.get("options")
    if isinstance(options, str):
        return graphql_scopes(options)
    if isinstance(options, dict):
        return graphql_scopes(options.get("query"), options.get("variables"))
    if isinstance(options, list):
        return rest_scopes(options)
    return set()


def rest_scopes(options: list) -> set[str]:
    """Scopes of a legacy REST ``shopify`` action: ``["update", ["order", 1], {...}]`` →
    ``write_orders``; ``["create", "customer", {...}]`` → ``write_customers``; ``["post",
    "/admin/orders/1/close.json", {}]`` → ``write_orders`` (``get`` reads). The innermost
    resource the table knows wins (``["order", 1, "fulfillment", 2]`` → fulfillments)."""
    if not options or not isinstance(options[0], str):
        return set()
    verb = options[0].lower()
    target = options[1] if len(options) > 1 else None
    if isinstance(target, str) and target.startswith("/"):
        words = [part.split(".")[0] for part in target.split("/") if part]
    elif isinstance(target, list):
        words = [part for part in target if isinstance(part, str)]
    elif isinstance(target, str):
        words = [target]
    else:
        return set()
    table = scope_tables()["rest_resources"]
    resources = [table[word] for word in words if word in table]
    if not resources:
        return set()
    return _scope("read" if verb == "get" else "write", resources[-1])


# -- putting it together ------------------------------------------------------------------------------


def detected_scopes(topics: Iterable[str], script: str | None, results: Iterable) -> set[str]:
    """Scopes detected from subscribed ``topics``, the script's legacy reads and preview
    ``results`` (``tasks_app.preview.PreviewResult``: recorded ``shopify_calls`` and actions)."""
    scopes = topic_scopes(topics) | liquid_read_scopes(script)
    for result in results:
        for call in result.shopify_calls:
            if isinstance(call, dict):
                scopes |= graphql_scopes(call.get("query"), call.get("variables"))
        for action in result.actions:
            scopes |= action_scopes(action)
    return scopes


def required_scopes(task: dict, results: list, topics: Iterable[str] | None = None) -> list[str]:
    """Declared ∪ detected scopes of a task export dict, sorted (spec/platform.md §7.9 decision).

    ``topics`` defaults to the topics the results were rendered for. Raises
    ``PermissionsError`` for an invalid ``{% permissions %}`` block.
    """
    script = str(task.get("script") or "")
    topics = list(topics) if topics is not None else [result.topic for result in results if result.topic]
    return sorted(set(declared_scopes(script)) | detected_scopes(topics, script, results))


def task_scopes(task: dict, *, shop=None) -> list[str]:
    """Preview ``task`` (an export dict, empty required options filled) and return its required
    scopes, sorted. Raises ``PermissionsError`` for an invalid ``{% permissions %}`` block."""
    from tasks_app.preview import preview_task_definition  # preview imports the importer

    declared_scopes(task.get("script"))
    results = preview_task_definition(task, fill_required=True, shop=shop)
    return required_scopes(task, results)


__all__ = [
    "PermissionsError",
    "action_scopes",
    "declared_scopes",
    "detected_scopes",
    "gid_types",
    "graphql_scopes",
    "liquid_read_scopes",
    "required_scopes",
    "rest_scopes",
    "scope_tables",
    "task_scopes",
    "topic_scopes",
]
