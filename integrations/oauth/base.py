"""What Hub's OAuth providers share (spec/platform.md §6.1).

Integration accounts belong to a shop, not to the staff user who clicks
Connect: the login URL names the shop (``?shop=<domain>``), the provider puts
it into allauth's OAuth state, and ``integrations.oauth.connections`` binds the
account to that shop when allauth reports it connected. Endpoints are read from
settings when used, so tests can point them at local stand-ins.
"""

from typing import Any

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from integrations.oauth.tokens import access_token_of

STATE_SHOP_KEY = "hub_shop"


class OrderedScopeClient(OAuth2Client):
    """allauth's client, but scopes keep their configured order (allauth joins a set)."""

    def get_redirect_url(self, authorization_url: str, scope: list[str], extra_params: dict) -> str:
        """The provider's authorize URL with client id, redirect URI, scopes, ``code`` and state."""
        params = {
            self.client_id_parameter: self.consumer_key,
            "redirect_uri": self.callback_url,
            "scope": self.scope_delimiter.join(dict.fromkeys(scope)),
            "response_type": "code",
        }
        if self.state:
            params["state"] = self.state
        params.update(extra_params)
        return f"{authorization_url}?{urlencode(params)}"


class HubOAuth2Adapter(OAuth2Adapter):
    """Base adapter: ordered scopes; subclasses define ``authorize_url``/``access_token_url`` properties."""

    client_class = OrderedScopeClient

    @property
    def authorize_url(self) -> str:
        raise NotImplementedError

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        raise NotImplementedError

    @property
    def identity_url(self) -> str:
        """Where the new token identifies its account (a JSON ``GET`` with the bearer token)."""
        raise NotImplementedError

    #: The service and endpoint named in a failed identity lookup (``Google userinfo``).
    identity_label = ""

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        """Identify the account at ``identity_url``; raises ``OAuth2Error`` when the service refuses.

        The granted ``scope`` of the token response travels with the account data.
        """
        with get_adapter().get_requests_session() as session:
            response = session.get(
                self.identity_url, headers={"Authorization": f"Bearer {access_token_of(token)}"}
            )
        if response.status_code != 200:
            raise OAuth2Error(f"{self.identity_label} failed with HTTP {response.status_code}")
        extra_data = response.json()
        extra_data["scope"] = kwargs["response"].get("scope", "")
        return self.get_provider().sociallogin_from_response(request, extra_data)

    def refresh_request(self, app, refresh_token: str) -> tuple[dict[str, str], tuple[str, str] | None]:
        """The form fields and HTTP basic credentials (or None) of a refresh-token grant (RFC 6749 §6)."""
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if self.basic_auth:
            return data, (app.client_id, app.secret)
        return {**data, "client_id": app.client_id, "client_secret": app.secret}, None


class ShopConnectProvider(OAuth2Provider):
    """A provider whose logins always connect an integration account to a shop.

    The flow starts at ``/accounts/<service>/login/?process=connect&shop=<domain>``
    for a signed-in staff user of that shop (platform staff: any shop); other users get 403,
    unknown shops and shops the user does not belong to 404.
    Subclasses say how the account is labelled and which scopes were granted.
    """

    @property
    def service(self) -> str:
        """The ``integrations.Connection.service`` value: the provider id."""
        return self.id

    def get_redirect_from_request_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        """allauth's redirect arguments, forced to ``connect`` and carrying the shop in the OAuth state."""

        if not (request.user.is_authenticated and request.user.is_staff):
            raise PermissionDenied("only staff users connect integration accounts")
        from integrations.admin_scope import visible_shops

        domain = (request.POST.get("shop") or request.GET.get("shop") or "").strip().lower()
        shop = visible_shops(request).filter(myshopify_domain=domain).first() if domain else None
        if shop is None:  # unknown, or a shop this staff user does not belong to
            raise Http404(f"no shop {domain!r}")
        kwargs = super().get_redirect_from_request_kwargs(request)
        kwargs["process"] = AuthProcess.CONNECT
        kwargs["data"] = {STATE_SHOP_KEY: str(shop.pk)}
        kwargs.setdefault("next_url", reverse("admin:integrations_connection_changelist"))
        return kwargs

    def connection_label(self, extra_data: dict) -> str:
        """The label actions use for this account (spec/platform.md §6.1)."""
        raise NotImplementedError

    def granted_scopes(self, extra_data: dict) -> list[str]:
        """The scopes the service granted, as a list."""
        raise NotImplementedError


def split_scopes(value: Any, delimiter: str = " ") -> list[str]:
    """``"a b"`` / ``"a,b"`` / ``["a", "b"]`` → ``["a", "b"]``; anything else → ``[]``."""
    if isinstance(value, list):
        return [str(item) for item in value if item]
    if isinstance(value, str):
        return [item.strip() for item in value.split(delimiter) if item.strip()]
    return []
