"""``manage.py sync_webhooks [--shop DOMAIN] [--dry-run]``: bring the Shopify webhook subscriptions
of connected shops in line with their enabled tasks (spec/platform.md §2.2)."""

from django.core.management.base import BaseCommand, CommandError

from integrations.models import Shop
from tasks_app.webhook_sync import connected_shops, sync_shop


class Command(BaseCommand):
    """``sync_webhooks``: create and delete Shopify webhook subscriptions so that each topic an
    enabled task (or the platform) needs has exactly one, and print what changed."""

    help = (
        "Create the Shopify webhook subscriptions (to HUB_BASE_URL/shopify/webhooks) that enabled "
        "tasks and the platform need and delete the others, for every connected shop or --shop DOMAIN; "
        "print what was created, deleted and kept. --dry-run only prints what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shop", metavar="DOMAIN", help="only this shop (its myshopify domain)")
        parser.add_argument("--dry-run", action="store_true", help="print what would change; change nothing")

    def handle(self, *args, **opts):
        if opts["shop"]:
            shop = Shop.objects.filter(myshopify_domain=opts["shop"].strip().lower()).first()
            if shop is None:
                raise CommandError(f"no shop {opts['shop']!r}; create it first (create_shop)")
            shops = [shop]
        else:
            shops = connected_shops()
            if not shops:
                self.stdout.write("No connected shop (installed, with an access token): nothing to sync.")
        failed = []
        for shop in shops:
            report = sync_shop(shop, dry_run=opts["dry_run"])
            for line in report.lines(dry_run=opts["dry_run"]):
                (self.stderr if report.error else self.stdout).write(line)
            if report.error:
                failed.append(shop.myshopify_domain)
        if failed:
            raise CommandError(f"not synced: {', '.join(failed)}")
