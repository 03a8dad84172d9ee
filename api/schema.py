"""The OpenAPI schema covers ``/api/v1`` only (the ingress endpoints are DRF views too, but not API)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer <API token>`` in the schema."""

    target_class = "api.authentication.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token of the shop (admin: API tokens).",
        }


def only_api(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list[tuple[str, str, str, Any]]:
    """drf-spectacular preprocessing hook: the endpoints under ``/api/v1/``, schema views left out."""
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith("/api/v1/")
        and not endpoint[0].startswith(("/api/v1/schema", "/api/v1/docs"))
    ]
