"""``manage.py create_shop DOMAIN``: create or update a shop."""

from django.core.management.base import BaseCommand, CommandError

from integrations.models import Shop
from integrations.shops import ShopError, normalize_domain, validate_timezone


class Command(BaseCommand):
    """``create_shop``: create or update a shop."""

    help = "Create or update a shop (its myshopify domain, name, email, time zone and access token)."

    def add_arguments(self, parser):
        parser.add_argument("domain", help="example.myshopify.com (a bare handle gets .myshopify.com)")
        parser.add_argument("--name", help="Shop name (Liquid shop.name)")
        parser.add_argument("--email", help="Sets both shop.email and shop.customer_email")
        parser.add_argument("--timezone", help="IANA time zone, e.g. America/Chicago")
        parser.add_argument("--access-token", help="Shopify Admin API access token")
        parser.add_argument(
            "--no-email", action="store_true", help="Do not approve email sending for this shop"
        )

    def handle(self, *args, **opts):
        try:
            domain = normalize_domain(opts["domain"])
            tz = validate_timezone(opts["timezone"]) if opts["timezone"] else None
        except ShopError as exc:
            raise CommandError(str(exc)) from None
        shop, created = Shop.objects.get_or_create(myshopify_domain=domain)
        data = dict(shop.data or {})
        data.setdefault("name", domain.split(".", 1)[0])
        data.setdefault("domain", domain)
        data.setdefault("currency", "USD")
        data.setdefault("iana_timezone", "UTC")
        if opts["name"]:
            data["name"] = opts["name"]
        if opts["email"]:
            data["email"] = data["customer_email"] = opts["email"]
        if tz:
            data["iana_timezone"] = tz
        shop.data = data
        if opts["access_token"] is not None:
            shop.access_token = opts["access_token"]
        shop.email_sending_approved = not opts["no_email"]
        shop.save()
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} shop {shop.myshopify_domain} ({shop.id})")
