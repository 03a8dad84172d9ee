"""The ``airtable`` action: an authenticated Airtable REST call (spec/actions.md §10)."""

from typing import Any

from integrations.clients import ApiError
from integrations.clients.airtable import AirtableClient
from tasks_app.actions.base import Action, ActionContext, register
from tasks_app.actions.integrations import (
    WRAPPER_METHODS,
    WrapperOptions,
    WrapperResult,
    action_error,
    connection_for,
    validate_wrapper,
    wrapper_result,
)


@register
class AirtableAction(Action):
    """Sends ``<method> <HUB_AIRTABLE_API_URL><url_path>`` with the account's OAuth token.

    Options: ``account`` (the connected user's email), ``method``, ``url_path``,
    ``headers`` (with ``Content-Type: application/json``), ``body`` (JSON;
    optional for GET and DELETE). Result ``{"status", "body"}`` for every
    HTTP response, non-2xx included. Unknown account and refresh refusals are
    permanent; no response is transient.
    """

    type = "airtable"

    def validate(self, options: Any) -> WrapperOptions:
        return validate_wrapper(options, methods=WRAPPER_METHODS, json_content_type=True)

    def perform(self, context: ActionContext) -> WrapperResult:
        options: WrapperOptions = context.options
        connection = connection_for(context.shop, "airtable", options.account)
        try:
            response = AirtableClient(connection).send(
                options.method, options.url_path, headers=options.headers, body=options.body
            )
        except ApiError as exc:
            raise action_error(exc) from exc
        return wrapper_result(response)
