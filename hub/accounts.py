"""Who may create an account (django-allauth adapters).

Staff accounts are made by operators (``createsuperuser``, the admin); nobody
signs up with a password. Merchants sign in through their Shopify store, so a
Shopify OAuth login may create its user; the Slack, Google and Airtable
providers only connect accounts to an existing login.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Password sign-up is closed unless ``HUB_OPEN_SIGNUP`` is set."""

    def is_open_for_signup(self, request) -> bool:
        return settings.HUB_OPEN_SIGNUP


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Only a Shopify store login creates a user; other providers connect to an existing one."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return sociallogin.account.provider == "shopify" or settings.HUB_OPEN_SIGNUP
