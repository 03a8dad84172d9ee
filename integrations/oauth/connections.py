"""Binding what allauth connected to Hub's shops (spec/platform.md §6.1, §2.1).

allauth reports a connected integration account with ``social_account_added``
(new account) or ``social_account_updated`` (an account it already knew, before
it stores the new token); the OAuth state carries the shop the flow was started
for. A Shopify install stores the shop's offline token on the ``Shop``.
"""

import logging

from allauth.account.signals import user_logged_in
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.signals import pre_social_login, social_account_added, social_account_updated
from django.dispatch import receiver
from django.http import HttpRequest

from integrations.oauth.base import STATE_SHOP_KEY, ShopConnectProvider
from integrations.oauth.tokens import access_token_of
from integrations.signals import shop_installed

logger = logging.getLogger("integrations.oauth")


def bind_connection(request: HttpRequest, sociallogin: SocialLogin):
    """Create or update the shop's ``Connection`` for a just-connected account; None when not ours.

    The label is unique per (shop, service): connecting an account with a
    label the shop already has rebinds that connection to the new account.
    """
    from integrations.admin_scope import visible_shops
    from integrations.models import Connection, Shop

    provider = sociallogin.account.get_provider(request)
    shop_id = ((sociallogin.state or {}).get("data") or {}).get(STATE_SHOP_KEY)
    if not isinstance(provider, ShopConnectProvider) or not shop_id:
        return None
    shop = Shop.objects.get(pk=shop_id)
    if not (request.user.is_authenticated and visible_shops(request).filter(pk=shop.pk).exists()):
        logger.warning("connection for shop %s refused: %s does not belong to it", shop, request.user)
        return None
    extra_data = sociallogin.account.extra_data
    token = sociallogin.token
    user = request.user if request.user.is_authenticated else None
    connection, created = Connection.objects.update_or_create(
        shop=shop,
        service=provider.service,
        label=provider.connection_label(extra_data),
        defaults={
            "social_account": sociallogin.account,
            "scopes": provider.granted_scopes(extra_data),
            "token_expires_at": token.expires_at if token else None,
        },
        create_defaults={
            "social_account": sociallogin.account,
            "scopes": provider.granted_scopes(extra_data),
            "token_expires_at": token.expires_at if token else None,
            "created_by": user,
        },
    )
    logger.info("%s %s", "connected" if created else "reconnected", connection)
    return connection


@receiver(social_account_added, dispatch_uid="hub_connection_added")
def _account_added(sender, request: HttpRequest, sociallogin: SocialLogin, **kwargs) -> None:
    bind_connection(request, sociallogin)


@receiver(social_account_updated, dispatch_uid="hub_connection_updated")
def _account_updated(sender, request: HttpRequest, sociallogin: SocialLogin, **kwargs) -> None:
    # allauth sends this on every login of a known account, and before it refuses to
    # connect an account that belongs to another user: bind only what it will connect.
    if (sociallogin.state or {}).get("process") != AuthProcess.CONNECT:
        return
    if request is None or sociallogin.user != request.user:
        return
    bind_connection(request, sociallogin)


@receiver(pre_social_login, dispatch_uid="hub_shopify_install")
def _shopify_installed(sender, request: HttpRequest, sociallogin: SocialLogin, **kwargs) -> None:
    """Keep the shop's offline access token (with its end, refresh token and granted scopes) and
    Shop resource from a Shopify install."""
    from integrations.models import Shop, ShopConnection
    from integrations.shopify.tokens import store_grant

    if sociallogin.account.provider != "shopify" or sociallogin.token is None:
        return
    resource = sociallogin.account.extra_data.get("shop") or {}
    domain = resource.get("myshopify_domain")
    if not domain:
        return
    shop, created = Shop.objects.update_or_create(
        myshopify_domain=domain, defaults={"data": resource, "uninstalled_at": None}
    )
    answer = getattr(sociallogin.token, "shopify_answer", None) or {
        "access_token": access_token_of(sociallogin.token)
    }
    store_grant(shop, answer, ShopConnection.OAUTH)
    logger.info("%s shop %s", "installed" if created else "reinstalled", shop)
    shop_installed.send(sender=Shop, shop=shop)


@receiver(user_logged_in, dispatch_uid="hub_shopify_owner_member")
def _shop_owner_signed_in(
    sender, request: HttpRequest, user, sociallogin: SocialLogin | None = None, **kwargs
) -> None:
    """A Shopify sign-in (not a staff user connecting a shop) makes the user an owner member of
    the shop it installed (spec/platform.md §2.1, §9.1)."""
    from integrations.models import Shop, ShopMember

    if sociallogin is None or sociallogin.account.provider != "shopify":
        return
    if (sociallogin.state or {}).get("process") == AuthProcess.CONNECT:
        return
    domain = (sociallogin.account.extra_data.get("shop") or {}).get("myshopify_domain")
    shop = Shop.objects.filter(myshopify_domain=domain).first() if domain else None
    if shop is not None:
        ShopMember.objects.get_or_create(user=user, shop=shop, defaults={"role": ShopMember.Role.OWNER})
