"""Slack Web API with a workspace's bot token (spec/actions.md §15)."""

from typing import Any

from django.conf import settings

from integrations.clients.base import ApiResponse, HttpClient


class SlackClient(HttpClient):
    """Calls Web API methods (``chat.postMessage``...) as Hub's bot in the connected workspace."""

    service_name = "Slack"
    raise_for_status = False  # callers read every answer

    def call(self, api_method: str, payload: Any, headers: dict[str, str] | None = None) -> ApiResponse:
        """``POST <HUB_SLACK_API_URL>/<api_method>`` with ``payload`` as JSON; any answer is returned.

        Slack reports method errors as HTTP 200 ``{"ok": false, "error": ...}``;
        those are returned like every other response. Raises ``ApiError``
        (transient) only when no response arrives.
        """
        return self.request_json(
            "POST",
            f"{settings.HUB_SLACK_API_URL}/{api_method.lstrip('/')}",
            payload,
            headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )
