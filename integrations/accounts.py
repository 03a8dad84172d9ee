"""Who may create an account (django-allauth adapters).

Staff accounts are made by operators (``createsuperuser``, the admin); nobody
signs up with a password. Merchants sign in through their Shopify store, so a
Shopify OAuth login may create its user; the Slack, Google and Airtable
providers only connect accounts to an existing login.
"""

from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin


class AccountAdapter(DefaultAccountAdapter):
    """Password sign-up is closed unless ``HUB_OPEN_SIGNUP`` is set."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.HUB_OPEN_SIGNUP


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Only a Shopify store login creates a user; other providers connect to an existing one.

    A login allauth parks in the session (re-authentication, pending sign-up)
    carries its ``SocialToken`` encrypted, like the database row (spec/platform.md §6.1).
    """

    def is_open_for_signup(self, request: HttpRequest, sociallogin: "SocialLogin") -> bool:
        return sociallogin.account.provider == "shopify" or settings.HUB_OPEN_SIGNUP

    def serialize_instance(self, instance: Model) -> dict[str, Any]:
        """allauth's serialization, with the token fields of a ``SocialToken`` encrypted."""
        from allauth.socialaccount.models import SocialToken

        from integrations.sealed import seal_text

        data = super().serialize_instance(instance)
        if isinstance(instance, SocialToken):
            for field in ("token", "token_secret"):
                if isinstance(data.get(field), str):
                    data[field] = seal_text(data[field])
        return data
