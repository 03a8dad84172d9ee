"""Airtable REST API with a connected account's OAuth token (spec/actions.md §10)."""

from typing import Any

from django.conf import settings

from integrations.clients.base import ApiResponse, HttpClient


class AirtableClient(HttpClient):
    """Sends authenticated requests to ``<HUB_AIRTABLE_API_URL><url_path>``."""

    service_name = "Airtable"
    raise_for_status = False  # callers read every answer

    def send(
        self, method: str, url_path: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> ApiResponse:
        """Send ``body`` (JSON, omitted when None) and return whatever Airtable answers.

        Raises ``ApiError``: transient when no response arrives, permanent or
        transient per the token refresh outcome.
        """
        return self.request_json(
            method.upper(), f"{settings.HUB_AIRTABLE_API_URL}{url_path}", body, headers=headers
        )
