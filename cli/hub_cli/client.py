"""The HTTP side of hub-cli: one ``Client`` per run, talking to ``<api_url>/api/v1`` with a bearer token."""

from typing import Any

import requests


class ApiError(Exception):
    """An answer other than 2xx (or no answer): ``status`` (0 for a network failure), the server's
    message, and ``retry_after_seconds`` on a 429."""

    def __init__(
        self, message: str, status: int = 0, retry_after_seconds: int | None = None, body: Any = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after_seconds = retry_after_seconds
        self.body = body or {}

    def as_json(self) -> dict:
        """``{"error": {"message", "status", "retry_after_seconds"}}`` (§8.4's --json failure shape)."""
        return {
            "error": {
                "message": str(self),
                "status": self.status,
                "retry_after_seconds": self.retry_after_seconds,
            }
        }


class Client:
    """Calls of the task sync API (spec/platform.md §8.2)."""

    def __init__(self, api_url: str, token: str, *, shop: str | None = None, timeout: float = 60):
        self.base = api_url.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["User-Agent"] = "hub-cli/1.0"
        if shop:
            self.session.headers["X-Shop-Domain"] = shop
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, headers: dict | None = None) -> Any:
        """The parsed JSON answer (None for 204); raises ``ApiError``."""
        try:
            response = self.session.request(
                method, self.base + path, json=body, headers=headers or {}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise ApiError(f"could not reach {self.base}: {exc}") from None
        if response.status_code == 204:
            return None
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not response.ok:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise ApiError(
                error.get("message") or f"HTTP {response.status_code}",
                response.status_code,
                error.get("retry_after_seconds"),
                body=error,
            )
        return data

    def verify(self) -> dict:
        return self.call("GET", "/auth/verify")

    def tasks(self) -> list[dict]:
        return self.call("GET", "/tasks")["tasks"]

    def task(self, task_id: str) -> dict:
        return self.call("GET", f"/tasks/{task_id}")

    def create(self, task: dict, idempotency_key: str) -> dict:
        return self.call("POST", "/tasks", {"task": task}, {"Idempotency-Key": idempotency_key})

    def update(self, task_id: str, task: dict, previous_hash: str | None, *, force: bool = False) -> dict:
        body: dict[str, Any] = {"task": task}
        if force:
            body["force"] = True
        else:
            body["previous_content_hash"] = previous_hash
        return self.call("PUT", f"/tasks/{task_id}", body)

    def preview(self, task: dict, task_id: str | None = None) -> dict:
        path = f"/tasks/{task_id}/preview" if task_id else "/tasks/preview"
        return self.call("POST", path, {"task": task})

    def globals(self) -> list[dict]:
        return self.call("GET", "/globals")["globals"]

    def set_global(self, key: str, value: Any) -> dict:
        return self.call("PUT", f"/globals/{key}", {"global": {"value": value}})

    def delete_global(self, key: str) -> None:
        self.call("DELETE", f"/globals/{key}")

    def secrets(self) -> list[dict]:
        return self.call("GET", "/secrets")["secrets"]

    def set_secret(self, key: str, value: str) -> dict:
        return self.call("PUT", f"/secrets/{key}", {"secret": {"value": value}})

    def delete_secret(self, key: str) -> None:
        self.call("DELETE", f"/secrets/{key}")
