"""``manage.py connect_shop DOMAIN --client-credentials``: connect a shop of the operator's own
organization through the client-credentials grant (spec/platform.md §2.1)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from integrations.models import Shop
from integrations.shopify import ShopifyClient, ShopifyError
from integrations.shopify.tokens import TokenRefused, app_credentials, client_credentials
from integrations.shops import ShopError, normalize_domain
from integrations.signals import shop_installed


class Command(BaseCommand):
    """``connect_shop``: get a shop's access token with the app's client id and secret."""

    help = (
        "Connect DOMAIN, a store of the app's own organization, through Shopify's client-credentials "
        "grant: the app's client id and secret (HUB_SHOPIFY_API_KEY, HUB_SHOPIFY_API_SECRET) buy a token "
        "valid for 24 hours, which Hub renews before it ends. The scopes are those of the app's "
        "configuration. Other stores install the app through OAuth (/accounts/shopify/login/?shop=DOMAIN)."
    )

    def add_arguments(self, parser):
        parser.add_argument("domain", help="the store's myshopify domain (or its handle)")
        parser.add_argument(
            "--client-credentials", action="store_true", help="use the client-credentials grant (required)"
        )

    def handle(self, *args, **opts):
        if not opts["client_credentials"]:
            raise CommandError(
                "say --client-credentials (the only grant a command can use); other stores install the app "
                f"through OAuth at /accounts/shopify/login/?shop={opts['domain']}"
            )
        if not app_credentials()["client_id"]:
            raise CommandError(
                "set HUB_SHOPIFY_API_KEY to the app's client id (and HUB_SHOPIFY_API_SECRET to its secret): "
                "the client-credentials grant sends both"
            )
        try:
            domain = normalize_domain(opts["domain"])
        except ShopError as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic():
            shop, _ = Shop.objects.get_or_create(myshopify_domain=domain)
            shop.uninstalled_at = None
            shop.save(update_fields=["uninstalled_at", "updated_at"])
        try:
            client_credentials(shop)
            answer = ShopifyClient(shop).rest("GET", "shop.json")
        except (TokenRefused, ShopifyError) as exc:
            raise CommandError(str(exc)) from None
        if isinstance(answer, dict) and isinstance(answer.get("shop"), dict):
            shop.update_from_resource(answer["shop"])
        shop_installed.send(sender=Shop, shop=shop)
        granted = ", ".join(shop.granted_scopes) or "none"
        self.stdout.write(
            f"Connected {domain} through the client-credentials grant; token valid until "
            f"{shop.token_expires_at:%Y-%m-%d %H:%M} UTC; granted scopes: {granted}."
        )
        if shop.missing_scopes:
            self.stdout.write(
                f"Enabled tasks need scopes the app does not grant: {', '.join(shop.missing_scopes)}. Add "
                "them to the app's access scopes in the Dev Dashboard, release a new version, and run this "
                "again."
            )
