"""The ``flow`` action: send one of Hub's four Shopify Flow triggers (spec/actions.md §9, platform §6.6).

Decision (spec/actions.md §9): Hub's Shopify app declares the four trigger
extensions (handles in ``HUB_SHOPIFY_FLOW_TRIGGER_HANDLES``) and the action
calls the Admin GraphQL mutation ``flowTriggerReceive``. The payload holds the
resource reference (``customer_id``/``order_id``/``product_id``), all five
``user_*`` fields with their defaults, and ``mechanic_task_id``,
``mechanic_event_topic``, ``mechanic_event_inspector_url``.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.urls import reverse

from integrations.shopify import ShopifyClient, ShopifyError, graphql_errors
from tasks_app.actions.base import (
    Action,
    ActionContext,
    OptionError,
    PermanentActionError,
    TransientActionError,
    compact_json,
    register,
    require_object,
    to_bool,
)

RESOURCE_OPTIONS = {"customer_id": "customer", "order_id": "order", "product_id": "product"}
USER_DEFAULTS = {
    "user_boolean": False,
    "user_email": "hey@mechanic.invalid",
    "user_number": 0,
    "user_string": "",
    "user_url": "https://mechanic.invalid/",
}
FLOW_TRIGGER_MUTATION = (
    "mutation flowTriggerReceive($handle: String, $payload: JSON) { "
    "flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } } }"
)
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+")
URL_RE = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def resource_id(value: Any, name: str) -> int:
    """A numeric resource id (integer or digit string); global ids are refused."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, str) and value.strip().startswith("gid://"):
        raise OptionError(name, f"takes a numeric id, not a global id ({value})")
    raise OptionError(name, f"must be a numeric id, got {compact_json(value)}")


def user_number(value: Any) -> int | float:
    """A number, or a numeric string taken as its number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return int(number) if number == number.to_integral_value() else float(number)
    raise OptionError("user_number", f"must be a number, got {compact_json(value)}")


def text_option(value: Any, name: str, pattern: re.Pattern | None = None, what: str = "a string") -> str:
    """``value`` checked as the string option ``name``.

    Raises ``OptionError`` (``must be <what>``) when it is not a string or, with ``pattern``, its
    stripped text does not fully match; with ``pattern`` the stripped text is returned.
    """
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value.strip())):
        raise OptionError(name, f"must be {what}, got {compact_json(value)}")
    return value.strip() if pattern is not None else value


@register
class FlowAction(Action):
    """Triggers "Mechanic sent customer/order/product/general data" in Shopify Flow.

    Result: the GraphQL response body of ``flowTriggerReceive``. Validation
    errors and Shopify ``userErrors``/GraphQL errors are permanent; network
    failures and 5xx transient. Usage counters go to the run's ``result_meta``.
    """

    type = "flow"

    def validate(self, options: Any) -> dict:
        options = require_object(options)
        known = {*RESOURCE_OPTIONS, *USER_DEFAULTS}
        for name in options:
            if name not in known:
                raise OptionError(name, f"is not a flow option (expected {', '.join(sorted(known))})")
        resources = [name for name in RESOURCE_OPTIONS if options.get(name) is not None]
        if len(resources) > 1:
            raise PermanentActionError(
                f"give at most one of customer_id, order_id, product_id; got {', '.join(resources)}"
            )
        payload: dict[str, Any] = {}
        kind = "general"
        if resources:
            name = resources[0]
            payload[name] = resource_id(options[name], name)
            kind = RESOURCE_OPTIONS[name]
        values = {name: default for name, default in USER_DEFAULTS.items()}
        values.update({name: options[name] for name in USER_DEFAULTS if options.get(name) is not None})
        payload["user_boolean"] = to_bool(values["user_boolean"], "user_boolean")
        payload["user_email"] = text_option(values["user_email"], "user_email", EMAIL_RE, "an email address")
        payload["user_number"] = user_number(values["user_number"])
        payload["user_string"] = text_option(values["user_string"], "user_string")
        payload["user_url"] = text_option(values["user_url"], "user_url", URL_RE, "an http(s) URL")
        return {"trigger": kind, "payload": payload}

    def perform(self, context: ActionContext) -> dict:
        shop, run = context.shop, context.run
        if not shop.access_token:
            raise PermanentActionError(
                f"{shop.myshopify_domain} has no Shopify access token; install Hub's Shopify app first"
            )
        task_run = run.task_run
        event = task_run.event
        inspector = reverse("admin:events_event_change", args=[event.pk])
        payload = {
            **context.options["payload"],
            "mechanic_task_id": str(task_run.task_id),
            "mechanic_event_topic": event.topic,
            "mechanic_event_inspector_url": f"{settings.HUB_BASE_URL}{inspector}?task_run_id={task_run.pk}",
        }
        handle = settings.HUB_SHOPIFY_FLOW_TRIGGER_HANDLES[context.options["trigger"]]
        if not isinstance(run.result_meta, dict):
            run.result_meta = {}
        client = ShopifyClient(
            shop, run.shopify_api_version or None, usage=run.result_meta, clock=context.clock
        )
        try:
            body = client.graphql(FLOW_TRIGGER_MUTATION, {"handle": handle, "payload": payload})
        except ShopifyError as exc:
            raise (PermanentActionError if exc.permanent else TransientActionError)(str(exc)) from exc
        errors = graphql_errors(body)
        if errors:
            messages = "; ".join(str(error.get("message")) for error in errors)
            raise PermanentActionError(f"Shopify Flow refused the trigger: {messages}")
        user_errors = ((body.get("data") or {}).get("flowTriggerReceive") or {}).get("userErrors") or []
        if user_errors:
            messages = "; ".join(str(error.get("message")) for error in user_errors)
            raise PermanentActionError(f"Shopify Flow refused the trigger: {messages}")
        return body
