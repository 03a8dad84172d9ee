"""The ``google`` action: an authenticated Drive, Sheets or Docs REST call (spec/actions.md §13)."""

from dataclasses import replace
from typing import Any, cast

from integrations.clients import ApiError
from integrations.clients.google import GoogleClient, google_url, query_text
from tasks_app.actions.base import Action, ActionContext, OptionError, describe, register
from tasks_app.actions.http import header_lookup
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
class GoogleAction(Action):
    """Sends one request to the Google host its ``url_path`` prefix selects, with the account's token.

    ``GET``: the keys of an object ``body`` become query parameters, unless
    ``url_path`` already has a query string (then ``body`` is ignored). Other
    methods: object/array bodies go as JSON, strings verbatim. With an
    object/array ``body``, missing ``Accept``/``Content-Type`` default to
    ``application/json``. Result ``{"status", "body"}`` for every response.
    """

    type = "google"

    def validate(self, options: Any) -> WrapperOptions:
        cleaned = validate_wrapper(options, methods=WRAPPER_METHODS, json_content_type=False)
        if google_url(cleaned.url_path) is None:
            raise OptionError(
                "url_path",
                f"{cleaned.url_path!r} is not a supported Google API path "
                "(use /drive/..., /upload/..., /sheets/v4/... or /v1/documents...)",
            )
        body = cleaned.body
        if body is not None and not isinstance(body, dict | list | str):
            raise OptionError("body", f"must be an object, an array or a string, got {describe(body)}")
        if isinstance(body, dict | list):
            headers = dict(cleaned.headers)
            for name in ("Accept", "Content-Type"):
                if header_lookup(headers, name) is None:
                    headers[name] = "application/json"
            cleaned = replace(cleaned, headers=headers)
        return cleaned

    def perform(self, context: ActionContext) -> WrapperResult:
        options: WrapperOptions = context.options
        connection = connection_for(context.shop, "google", options.account)
        body, params = options.body, None
        if options.method == "GET":
            if isinstance(body, dict) and "?" not in options.url_path:
                params = [(key, query_text(value)) for key, value in body.items()]
            body = None
        try:
            response = GoogleClient(connection).send(
                options.method,
                cast(str, google_url(options.url_path)),  # validate() refused paths it maps to None
                headers=options.headers,
                body=body,
                params=params,
            )
        except ApiError as exc:
            raise action_error(exc) from exc
        return wrapper_result(response)
