"""The ``slack`` action: a Slack Web API chat call as Hub's bot (spec/actions.md §15)."""

from typing import Any

from integrations.clients import ApiError
from integrations.clients.slack import SlackClient
from tasks_app.actions.base import Action, ActionContext, OptionError, describe, register
from tasks_app.actions.integrations import (
    WrapperOptions,
    WrapperResult,
    action_error,
    connection_for,
    validate_wrapper,
    wrapper_result,
)

SUPPORTED_METHODS = ("/chat.postMessage", "/chat.update", "/chat.delete")


@register
class SlackAction(Action):
    """Posts, updates or deletes a message in a workspace where Hub's Slack app is installed.

    Options: ``account`` (workspace name), ``method`` (``POST``), ``url_path``
    (one of ``SUPPORTED_METHODS``), ``headers`` (with ``Content-Type:
    application/json``), ``body`` (object). Result ``{"status", "body"}``:
    every HTTP response is a result, Slack's ``"ok": false`` included.
    Unknown workspace and validation errors are permanent; no response is
    transient.
    """

    type = "slack"

    def validate(self, options: Any) -> WrapperOptions:
        cleaned = validate_wrapper(options, methods=("POST",), json_content_type=True)
        if cleaned.url_path not in SUPPORTED_METHODS:
            raise OptionError(
                "url_path", f"{cleaned.url_path!r} is not supported; use {', '.join(SUPPORTED_METHODS)}"
            )
        if not isinstance(cleaned.body, dict):
            raise OptionError("body", f"must be an object, got {describe(cleaned.body)}")
        return cleaned

    def perform(self, context: ActionContext) -> WrapperResult:
        options: WrapperOptions = context.options
        connection = connection_for(context.shop, "slack", options.account)
        try:
            response = SlackClient(connection).call(options.url_path, options.body, headers=options.headers)
        except ApiError as exc:
            raise action_error(exc) from exc
        return wrapper_result(response)
