"""Bearer-token authentication for ``/api/v1`` (spec/platform.md §8.1)."""

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.models import ApiToken


class TokenUser:
    """The caller of an authenticated request: the token's shop (``request.user.shop``)."""

    is_authenticated = True
    is_active = True

    def __init__(self, token: ApiToken):
        self.token = token
        self.shop = token.shop
        self.pk = self.id = token.pk  # throttles key by this


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``: an active token, whose use is recorded (at most once a
    minute). A missing header leaves the request unauthenticated (answered 401 by the permission);
    a wrong or revoked token is refused at once."""

    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[TokenUser, ApiToken] | None:
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        if not header:
            return None
        if scheme.lower() != self.keyword or not raw.strip():
            raise AuthenticationFailed("Send the API token as Authorization: Bearer <token>.")
        token = ApiToken.find(raw)
        if token is None:
            raise AuthenticationFailed("Invalid or revoked API token.")
        token.touch()
        return TokenUser(token), token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="Hub API"'
