"""The task editor's options form: one labelled field per option key (spec/platform.md §7.3, §9.3).

Each key of the task's options (and each ``options.<key>`` its script and subscriptions template
reference) becomes a form field named ``option__<key>``, labelled as Mechanic shows it (``Email
subject`` for ``email_subject__required``), of a kind its flags say: a checkbox for booleans, a
text area for multiline, code, key-value and array options (the last two as JSON), a select for
choices, checkboxes for multiselect, a text box otherwise. Values are checked with the rules the
preview uses (``coerce_option_value``); required options must be filled before the task can be
enabled.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms

from tasks_app.options import (
    OptionKeyError,
    OptionSpec,
    OptionValueError,
    coerce_option_value,
    discover_options,
    is_empty,
    parse_option_key,
)

PREFIX = "option__"
JSON_TYPES = ("keyval", "array")
TEXTAREA_TYPES = ("multiline", "code", *JSON_TYPES)


def option_keys(
    options: dict[str, Any] | None, script: str = "", subscriptions_template: str = ""
) -> list[str]:
    """The task's option keys: those it stores, then those its texts reference, without repeats;
    keys that do not parse are left to the raw options field."""
    keys = list(dict.fromkeys([*(options or {}), *discover_options(script, subscriptions_template)]))
    usable = []
    for key in keys:
        try:
            parse_option_key(key)
        except OptionKeyError:
            continue
        usable.append(key)
    return usable


def initial_text(spec: OptionSpec, value: Any) -> Any:
    """A stored value as its field shows it."""
    if value is None:
        return None
    if spec.type in JSON_TYPES:
        return json.dumps(value, indent=2, ensure_ascii=False)
    if spec.type == "boolean":
        return bool(value)
    return value


def option_field(spec: OptionSpec, value: Any) -> forms.Field:
    """The form field of one option, holding ``value``."""
    common: dict[str, Any] = {"label": spec.label, "required": False, "initial": initial_text(spec, value)}
    if spec.required:
        common["help_text"] = "Required before the task can be enabled."
    if spec.type in JSON_TYPES:
        kind = "key → value object" if spec.type == "keyval" else "list"
        common["help_text"] = f"{common.get('help_text', '')} JSON ({kind}).".strip()
    if spec.type == "boolean":
        return forms.BooleanField(**common)
    if spec.type in ("choice", "select"):
        return forms.ChoiceField(choices=[("", "---------"), *[(c, c) for c in spec.choices]], **common)
    if spec.type == "multiselect":
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in spec.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if spec.type in TEXTAREA_TYPES:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), strip=False, **common)
    return forms.CharField(strip=False, **common)


def option_fields(keys: list[str], options: dict[str, Any] | None) -> dict[str, forms.Field]:
    """``option__<key>`` → field, in the order of ``keys``."""
    return {PREFIX + key: option_field(parse_option_key(key), (options or {}).get(key)) for key in keys}


def read_value(spec: OptionSpec, raw: Any) -> Any:
    """A submitted field value as the option's stored value; raises ``OptionValueError``."""
    if spec.type in JSON_TYPES:
        text = (raw or "").strip()
        if not text:
            return None
        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise OptionValueError(spec.key, f"not JSON: {exc}") from None
    elif spec.type == "multiselect":
        raw = list(raw or [])
    elif spec.type == "boolean":
        raw = bool(raw)
    elif isinstance(raw, str):
        raw = raw.replace("\r\n", "\n")
        if raw == "":
            raw = None
    return coerce_option_value(spec.key, raw)


def read_options(
    data: dict[str, Any], keys: list[str], *, enabled: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The options a submitted form sets, and errors by field name (a value that does not fit its
    flags; a required option left empty on an enabled task)."""
    options: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in keys:
        spec = parse_option_key(key)
        try:
            value = read_value(spec, data.get(PREFIX + key))
        except OptionValueError as exc:
            errors[PREFIX + key] = exc.reason
            continue
        if enabled and spec.required and is_empty(value):
            errors[PREFIX + key] = "This option is required to enable the task."
        options[key] = value
    return options, errors
