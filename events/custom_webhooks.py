"""Custom Shopify webhooks: save-time validation, import and export (spec/platform.md §2.4).

``check`` is the local preflight of §2.4's table; Shopify validates again when the webhook is
synced (``tasks_app.webhook_sync``), and its refusals show as the webhook's sync error. The
filter is only read as far as the rules need: the field paths its terms name
(``filter_paths``) and its ``type:`` values (``filter_types``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from events.models import CustomWebhook
from events.topics import WEBHOOK_TOPIC_RE
from integrations.shopify.webhooks import shopify_topic

METAOBJECT_TOPICS = ("shopify/metaobjects/create", "shopify/metaobjects/update", "shopify/metaobjects/delete")
KEYWORDS = {"AND", "OR", "NOT"}
# One term of a filter: an optional "-", a field path, ":" and a value (quoted or bare).
TERM = re.compile(r"""(?P<path>[A-Za-z_][A-Za-z0-9_.]*)\s*:\s*(?P<value>"[^"]*"|'[^']*'|[^\s()]+)""")
NAMESPACE_KEY = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
LIST_FIELDS = ("include_fields", "metafield_namespaces", "metafields")


def filter_terms(text: str) -> list[tuple[str, str]]:
    """``(path, value)`` of every ``path:value`` term of a filter, values unquoted."""
    return [(match["path"], match["value"].strip("\"'")) for match in TERM.finditer(text or "")]


def filter_paths(text: str) -> list[str]:
    """The field paths a filter's terms name, in order, without repeats."""
    return list(dict.fromkeys(path for path, _value in filter_terms(text)))


def filter_types(text: str) -> list[str]:
    """The values of the filter's ``type:`` terms (metaobject definitions)."""
    return [value for path, value in filter_terms(text) if path == "type"]


def covered(path: str, include_fields: Iterable[str]) -> bool:
    """Whether ``path`` or one of its ancestors is listed (``variants`` covers ``variants.price``)."""
    parts = path.split(".")
    listed = set(include_fields)
    return any(".".join(parts[:depth]) in listed for depth in range(1, len(parts) + 1))


def _list_errors(webhook: CustomWebhook) -> dict[str, str]:
    errors = {}
    for name in LIST_FIELDS:
        value = getattr(webhook, name)
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            errors[name] = "must be a list of non-empty strings"
    if not errors:
        bad = [item for item in webhook.metafields if not NAMESPACE_KEY.fullmatch(item)]
        if bad:
            errors["metafields"] = f"entries must be namespace.key: {', '.join(bad)}"
    return errors


def _topic_errors(webhook: CustomWebhook) -> dict[str, str]:
    errors = {}
    if webhook.shopify_topic not in METAOBJECT_TOPICS and shopify_topic(webhook.shopify_topic) is None:
        errors["shopify_topic"] = (
            f"{webhook.shopify_topic!r} is not a Shopify webhook topic Hub can subscribe to"
        )
    if not WEBHOOK_TOPIC_RE.fullmatch(webhook.event_topic or ""):
        errors["event_topic"] = "must be user/<subject>/<verb>, each part of a-z, 0-9 and _"
    return errors


def _filter_errors(webhook: CustomWebhook) -> dict[str, str]:
    text = webhook.filter.strip()
    if webhook.shopify_topic in METAOBJECT_TOPICS:
        types = filter_types(text)
        if not types or "*" in types:
            need = "a metaobject topic needs a filter naming its definitions: type:<name> (OR ...)"
            return {"filter": need}
    if webhook.include_fields:
        uncovered = [path for path in filter_paths(text) if not covered(path, webhook.include_fields)]
        if uncovered:
            return {"include_fields": f"must cover the paths the filter uses: {', '.join(uncovered)}"}
    return _metafield_filter_errors(webhook, text)


def _metafield_filter_errors(webhook: CustomWebhook, text: str) -> dict[str, str]:
    terms = [(path, value) for path, value in filter_terms(text) if path.startswith("metafields.")]
    if not terms:
        return {}
    namespaces = set(webhook.metafield_namespaces) | {item.split(".", 1)[0] for item in webhook.metafields}
    keys = {item.split(".", 1)[1] for item in webhook.metafields if "." in item}
    for path, value in terms:
        if path == "metafields.namespace" and value not in namespaces:
            return {"metafield_namespaces": f"the filter uses metafields of namespace {value!r}: select it"}
        if path == "metafields.key" and value not in keys and not webhook.metafield_namespaces:
            return {"metafields": f"the filter uses metafield key {value!r}: select that metafield"}
        if not namespaces:
            return {"metafields": "the filter uses metafields: select their namespace or the metafields"}
    if webhook.include_fields and "metafields" not in webhook.include_fields:
        return {"include_fields": "must list metafields, since the filter uses them"}
    return {}


def _unique_errors(webhook: CustomWebhook) -> dict[str, str]:
    if not webhook.enabled:
        return {}
    twins = CustomWebhook.objects.filter(
        shop_id=webhook.shop_id, enabled=True, shopify_topic=webhook.shopify_topic, filter=webhook.filter
    ).exclude(pk=webhook.pk)
    twin = twins.first()
    if twin is not None:
        return {"filter": f"the enabled webhook {twin.name!r} already has this Shopify topic and filter"}
    return {}


def check(webhook: CustomWebhook) -> None:
    """Validate ``webhook`` as §2.4's table says; raises ``ValidationError`` naming each field."""
    errors = {**_list_errors(webhook), **_topic_errors(webhook)}
    if not errors and not (webhook.filter.strip() or webhook.include_fields or webhook.metafield_namespaces
                           or webhook.metafields):  # fmt: skip
        errors["filter"] = "set at least one of filter, include fields, metafield namespaces or metafields"
    if not errors:
        errors.update(_filter_errors(webhook))
    if not errors:
        errors.update(_unique_errors(webhook))
    if errors:
        raise ValidationError(errors)


def warnings(webhook: CustomWebhook) -> list[str]:
    """Advice that does not block saving: include-field entries that look like metafields."""
    looks = [item for item in webhook.include_fields if NAMESPACE_KEY.fullmatch(item) and "." in item]
    return [
        f"include field {item!r} looks like a metafield (namespace.key): include fields do not select "
        "metafields; list it under metafields"
        for item in looks
    ]


def import_custom_webhooks(shop: Any, data: Any) -> list[CustomWebhook]:
    """Create or update the shop's custom webhooks from exported JSON (one object or a list),
    all or none. New ones are created disabled; one whose name exists is updated and keeps its
    enabled state. Raises ``ValidationError`` naming the entry (``[2] filter: ...``)."""
    entries = data if isinstance(data, list) else [data]
    saved = []
    with transaction.atomic():
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise ValidationError(f"[{index}] must be an object")
            unknown = set(entry) - set(CustomWebhook.EXPORTED)
            if unknown:
                raise ValidationError(f"[{index}] unknown keys: {', '.join(sorted(unknown))}")
            webhook = CustomWebhook.objects.filter(shop=shop, name=entry.get("name", "")).first()
            webhook = webhook or CustomWebhook(shop=shop, enabled=False)
            for name in CustomWebhook.EXPORTED:
                default = [] if name in LIST_FIELDS else ""
                setattr(webhook, name, entry.get(name, default) if entry.get(name) is not None else default)
            try:
                webhook.full_clean()
            except ValidationError as exc:
                details = "; ".join(
                    f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
                )
                raise ValidationError(f"[{index}] {details}") from None
            webhook.save()
            saved.append(webhook)
    return saved
