"""Importing task exports (spec/platform.md §7.1, §7.2).

Shared by ``manage.py import_task`` and the admin's JSON upload. A payload is one task
object or an array of them (several concatenated objects are accepted too). Each payload
is all-or-nothing: every task is checked before anything is written, and the writes
happen in one transaction.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from events.topics import Subscription, SubscriptionError, parse_subscriptions
from hub.jsonkind import json_kind_with_article as _kind
from tasks_app.liquid import LiquidError, RenderSettings, TaskRenderError, render_text
from tasks_app.liquid import parse as parse_liquid
from tasks_app.models import Task
from tasks_app.models.task import default_api_version
from tasks_app.options import (
    OptionKeyError,
    OptionValueError,
    check_option_names,
    coerce_option_value,
    discover_options,
    is_empty,
    missing_required,
    parse_option_key,
)
from tasks_app.permissions import PermissionsError, declared_scopes

# Export fields (§7.1) and the JSON kinds each accepts; None is always allowed except for name/script.
TEXT_FIELDS = (
    "subscriptions_template",
    "docs",
    "online_store_javascript",
    "order_status_javascript",
    "shopify_api_version",
)
BOOLEAN_FIELDS = ("halt_action_run_sequence_on_error", "perform_action_runs_in_sequence", "liquid_profiling")
KNOWN_FIELDS = frozenset(
    {"name", "script", "options", "subscriptions", "tags", "preview_event_definitions"}
    | set(TEXT_FIELDS)
    | set(BOOLEAN_FIELDS)
)


class TaskImportError(Exception):
    """A payload that cannot be imported; nothing from it was stored.

    ``str(error)`` is ``"<source>: <JSON path>: <reason>"`` (e.g.
    ``tasks.json: $[1].options.days__number: 'ten' is not a number``).
    """

    def __init__(self, source_name: str, path: str, reason: str):
        self.source_name = source_name
        self.path = path
        self.reason = reason
        super().__init__(f"{source_name}: {path}: {reason}" if path else f"{source_name}: {reason}")


@dataclass
class ImportedTask:
    """One stored task: ``created`` is False when ``replace`` updated an existing task;
    ``missing`` lists required options still empty; ``warnings`` are ``"<source>: <path>: ..."`` lines."""

    task: Task
    created: bool
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        """One line per task: ``Created task "Name" (id), disabled; missing required options: a, b``."""
        verb = "Created" if self.created else "Replaced"
        state = "enabled" if self.task.enabled else "disabled"
        line = f'{verb} task "{self.task.name}" ({self.task.id}), {state}'
        if self.missing:
            line += f"; missing required options: {', '.join(self.missing)}"
        return line


@dataclass
class PreparedTask:
    """A checked task export, ready to store (no database access to build one)."""

    fields: dict
    path: str
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.fields["name"]

    @property
    def missing(self) -> list[str]:
        return missing_required(self.fields["options"])


def load_payload(text: str | bytes, source_name: str = "upload") -> list[tuple[str, Any]]:
    """Parse payload text into ``[(json_path, task_value), ...]``.

    One object → ``[("$", obj)]``; an array → ``$[0]``, ``$[1]``...; several objects one after
    another → ``$[0]``... as if they were an array (§7.2 decision). Raises ``TaskImportError``
    for invalid JSON (with line and column) and for an empty payload.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TaskImportError(source_name, "", f"not UTF-8 text ({exc.reason})") from None
    decoder = json.JSONDecoder()
    values, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise TaskImportError(
                source_name, "", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        values.append(value)
    if not values:
        raise TaskImportError(source_name, "", "no task in the file")
    return split_payload(values[0] if len(values) == 1 else values, source_name)


def split_payload(payload: Any, source_name: str = "upload") -> list[tuple[str, Any]]:
    """``[(json_path, task_value), ...]`` for a parsed payload: one object or a non-empty array."""
    if isinstance(payload, list):
        if not payload:
            raise TaskImportError(source_name, "$", "an empty array: no task in the file")
        return [(f"$[{index}]", value) for index, value in enumerate(payload)]
    return [("$", payload)]


def prepare_task(
    value: Any,
    *,
    path: str = "$",
    shop_data: dict,
    timezone: str = "UTC",
    options_override: dict | None = None,
    source_name: str = "upload",
) -> PreparedTask:
    """Check one task export and derive what Hub stores (§7.2).

    Options are re-discovered from the texts and valued from the file's ``options``, then
    ``options_override``, coerced (§7.3.4); ``subscriptions`` are rendered from the template
    with ``shop`` (``shop_data``, the Liquid shop hash) and ``options`` and parsed (§7.5).
    Raises ``TaskImportError`` naming the JSON path under ``path``.
    """

    def fail(where: str, reason: str) -> TaskImportError:
        return TaskImportError(source_name, f"{path}{where}", reason)

    if not isinstance(value, dict):
        raise fail("", f"expected a task object, got {_kind(value)}")
    warnings = [
        f"{source_name}: {path}: unknown key {key!r} ignored" for key in value if key not in KNOWN_FIELDS
    ]
    name, script = _check_fields(value, fail)
    tags = _string_list(value.get("tags"), fail, ".tags")
    lines = _string_list(value.get("subscriptions"), fail, ".subscriptions")
    definitions = preview_definitions(value.get("preview_event_definitions"), fail)
    stored = value.get("options")
    if stored is not None and not isinstance(stored, dict):
        raise fail(".options", f"expected an object, got {_kind(stored)}")
    stored = dict(stored or {})

    texts = {
        key: value.get(key)
        for key in ("subscriptions_template", "online_store_javascript", "order_status_javascript")
    }
    keys = discover_options(script, *texts.values())
    options = _coerced_options(keys, {**stored, **(options_override or {})}, fail)
    warnings += [
        f"{source_name}: {path}.options.{key}: {w.split(': ', 1)[1]}"
        for key in keys
        for w in parse_option_key(key).warnings
    ]
    warnings += [
        f"{source_name}: {path}.options.{key}: not referenced by the task, dropped"
        for key in stored
        if key not in options
    ]
    _check_script(script, fail)

    template = texts["subscriptions_template"]
    where = ".subscriptions_template"
    if template is None or (not template.strip() and lines):
        template, where = "\n".join(lines), ".subscriptions"
    subscriptions = render_subscriptions(
        template, options, shop_data, timezone, fail=lambda reason: fail(where, reason)
    )

    fields = {
        "name": name,
        "script": script,
        "options": options,
        "subscriptions_template": template,
        "subscriptions": [sub.line for sub in subscriptions],
        "docs": value.get("docs") or "",
        "tags": tags,
        "preview_event_definitions": definitions,
        "perform_action_runs_in_sequence": bool(value.get("perform_action_runs_in_sequence")),
        "halt_action_run_sequence_on_error": bool(value.get("halt_action_run_sequence_on_error")),
        "online_store_javascript": texts["online_store_javascript"],
        "order_status_javascript": texts["order_status_javascript"],
        "shopify_api_version": value.get("shopify_api_version") or default_api_version(),
        "liquid_profiling": bool(value.get("liquid_profiling")),
    }
    fields["shopify_access_scopes_required"] = scopes_for_fields(fields)
    return PreparedTask(fields=fields, path=path, warnings=warnings)


def _check_fields(value: dict, fail: Callable[[str, str], Exception]) -> tuple[str, str]:
    """``(name, script)`` of a task export whose name, script, texts and flags have their types."""
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail(
            ".name",
            "a task needs a non-empty name"
            if name in (None, "")
            else f"expected a string, got {_kind(name)}",
        )
    if len(name) > 255:
        raise fail(".name", "longer than 255 characters")
    script = value.get("script")
    if not isinstance(script, str):
        raise fail(".script", f"expected a string, got {_kind(script)}")
    for key in TEXT_FIELDS:
        if value.get(key) is not None and not isinstance(value[key], str):
            raise fail(f".{key}", f"expected a string or null, got {_kind(value[key])}")
    for key in BOOLEAN_FIELDS:
        if value.get(key) is not None and not isinstance(value[key], bool):
            raise fail(f".{key}", f"expected true, false or null, got {_kind(value[key])}")
    return name, script


def _coerced_options(keys: list[str], values: dict, fail: Callable[[str, str], Exception]) -> dict:
    """The discovered option ``keys`` with their coerced ``values`` (§7.3.4)."""
    try:
        check_option_names(keys)
    except OptionKeyError as exc:
        raise fail(".script", f"option {exc}") from None
    options = {}
    for key in keys:
        try:
            options[key] = coerce_option_value(key, values.get(key))
        except OptionKeyError as exc:
            raise fail(".script", f"option {exc}") from None
        except OptionValueError as exc:
            raise fail(f".options.{key}{exc.path}", exc.reason) from None
    return options


def _check_script(script: str, fail: Callable[[str, str], Exception]) -> None:
    """Refuse a script whose ``{% permissions %}`` block is invalid or that does not parse."""
    try:
        declared_scopes(script)
    except PermissionsError as exc:
        raise fail(".script", str(exc)) from None
    try:
        parse_liquid(script)
    except LiquidError as exc:
        # A script that cannot parse would fail every run; refuse it like Mechanic refuses the save.
        raise fail(".script", exc.message) from None


def scopes_for_fields(fields: dict) -> list[str]:
    """The Shopify scopes a task with these stored fields requires (spec/platform.md §7.9):
    its ``{% permissions %}`` block ∪ what its previews (built-in preview shop, empty
    required options filled) detect. The block must already be valid."""
    from tasks_app.permissions import task_scopes  # the preview imports this module

    return task_scopes(
        {
            key: fields.get(key)
            for key in (
                "name",
                "script",
                "options",
                "subscriptions_template",
                "subscriptions",
                "preview_event_definitions",
            )
        }
    )


def render_subscriptions(
    template: str,
    options: dict,
    shop_data: dict,
    timezone: str = "UTC",
    *,
    fail: Callable[[str], Exception] | None = None,
) -> list[Subscription]:
    """Render a subscriptions template with ``shop`` and ``options`` only and parse it (§7.5).

    Options are passed as stored (coerced, never Liquid-rendered; spec/runtime.md §3.2).
    Returns ``events.topics.Subscription`` objects. Liquid and line errors raise
    ``fail(reason)`` when given, else ``SubscriptionError``.
    """
    try:
        text = render_text(
            template, {"shop": shop_data, "options": options}, RenderSettings(timezone=timezone)
        )
        return parse_subscriptions(text)
    except Exception as exc:  # noqa: BLE001  (any render failure is the template's error to report)
        if isinstance(exc, TaskRenderError):
            reason = exc.message
        elif isinstance(exc, SubscriptionError):
            reason = str(exc)
        else:
            reason = f"internal error while rendering: {type(exc).__name__}: {exc}"
        if fail is None:
            raise SubscriptionError(reason) from None
        raise fail(reason) from None


def refresh_subscriptions(task: Task) -> None:
    """Re-render ``task.subscriptions`` from its template, shop and stored options (§7.5).

    Sets the attribute without saving. Raises ``TaskImportError`` (source: the task name,
    path ``$.subscriptions_template``) for a Liquid error or an invalid line.
    """

    def fail(reason: str) -> TaskImportError:
        return TaskImportError(task.name, "$.subscriptions_template", reason)

    subscriptions = render_subscriptions(
        task.subscriptions_template or "",
        dict(task.options or {}),
        task.shop.liquid_data(),
        task.shop.timezone_name,
        fail=fail,
    )
    task.subscriptions = [sub.line for sub in subscriptions]


def refresh_required_scopes(task: Task) -> None:
    """Recompute ``task.shopify_access_scopes_required`` from its stored fields (§7.9).

    Sets the attribute without saving. Raises ``TaskImportError`` (source: the task name,
    path ``$.script``) for an invalid ``{% permissions %}`` block.
    """
    fields = task.export_data()
    try:
        declared_scopes(fields["script"])
    except PermissionsError as exc:
        raise TaskImportError(task.name, "$.script", str(exc)) from None
    task.shopify_access_scopes_required = scopes_for_fields(fields)


def _string_list(value: Any, fail, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(where, f"expected an array of strings, got {_kind(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise fail(f"{where}[{index}]", f"expected a string, got {_kind(item)}")
    return list(value)


def preview_definitions(value: Any, fail: Callable[[str, str], Exception]) -> list[dict]:
    """``[{description, event_attributes: {topic, data}}]`` (§7.6); data may be any JSON.

    Raises ``fail(json_path, reason)`` for the first wrong part, the path starting at
    ``.preview_event_definitions`` (e.g. ``.preview_event_definitions[0].event_attributes.topic``).
    """
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(".preview_event_definitions", f"expected an array, got {_kind(value)}")
    for index, item in enumerate(value):
        where = f".preview_event_definitions[{index}]"
        if not isinstance(item, dict):
            raise fail(where, f"expected an object, got {_kind(item)}")
        if item.get("description") is not None and not isinstance(item["description"], str):
            raise fail(f"{where}.description", f"expected a string, got {_kind(item['description'])}")
        attributes = item.get("event_attributes")
        if not isinstance(attributes, dict):
            raise fail(f"{where}.event_attributes", f"expected an object, got {_kind(attributes)}")
        if not isinstance(attributes.get("topic"), str):
            raise fail(
                f"{where}.event_attributes.topic", f"expected a string, got {_kind(attributes.get('topic'))}"
            )
    return value


def kept_options(current: dict | None, incoming: dict | None) -> dict:
    """The options of a task replaced by an import: the file's keys, each with the file's value,
    or the task's current value where the file's is empty (§7.2: a replace keeps filled options)."""
    current = current or {}
    return {
        key: current[key] if is_empty(value) and key in current else value
        for key, value in (incoming or {}).items()
    }


def import_tasks(
    shop,
    payload: Any,
    *,
    options_override: dict | None = None,
    enable: bool = False,
    replace: bool = False,
    source_name: str = "upload",
) -> list[ImportedTask]:
    """Import every task of ``payload`` into ``shop``, all or nothing (§7.2).

    ``payload`` is the file's text (``str``/``bytes``) or already-parsed JSON (an object or an
    array of objects). New tasks are created disabled; ``enable`` enables each task whose
    required options are filled (the others stay disabled, see ``ImportedTask.missing``).
    ``replace`` updates the existing task with the same name instead of adding another: options
    the file leaves empty keep the task's filled values (``kept_options``), and the task stays
    enabled unless a required option is then missing (``enable`` enables it too).
    Raises ``TaskImportError`` (nothing stored) for any problem in the payload.
    """
    entries = (
        load_payload(payload, source_name)
        if isinstance(payload, (str, bytes))
        else split_payload(payload, source_name)
    )
    shop_data = shop.liquid_data()
    prepared = [
        prepare_task(
            value,
            path=path,
            shop_data=shop_data,
            timezone=shop.timezone_name,
            options_override=options_override,
            source_name=source_name,
        )
        for path, value in entries
    ]
    results = []
    with transaction.atomic():
        for item in prepared:
            missing = item.missing
            existing = (
                Task.objects.filter(shop=shop, name=item.name).order_by("created_at").first()
                if replace
                else None
            )
            if existing is None:
                task = Task(shop=shop, **item.fields)
                task.enabled = enable and not missing
            else:
                task = existing
                kept = kept_options(existing.options, item.fields.get("options"))
                for key, val in item.fields.items():
                    setattr(task, key, val)
                task.options = kept
                missing = missing_required(kept)
                task.enabled = not missing and (enable or task.enabled)
            task.save()
            results.append(
                ImportedTask(task=task, created=existing is None, missing=missing, warnings=item.warnings)
            )
    return results
