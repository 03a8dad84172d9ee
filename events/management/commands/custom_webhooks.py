"""``manage.py custom_webhooks import FILE [--shop DOMAIN]`` and ``custom_webhooks export [--shop
DOMAIN]``: custom Shopify webhooks as JSON (spec/platform.md §2.4)."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.custom_webhooks import import_custom_webhooks
from events.models import CustomWebhook
from integrations.shops import ShopError, resolve_shop


class Command(BaseCommand):
    """``custom_webhooks``: import or export custom Shopify webhooks."""

    help = (
        "import FILE: create or update custom Shopify webhooks from exported JSON (one object or a list); "
        "new ones are created disabled, one whose name exists is updated and keeps its enabled state; all "
        "or nothing. export: print the shop's custom webhooks as that JSON (never enabled state or sync "
        "status)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("verb", choices=["import", "export"])
        parser.add_argument("file", nargs="?", type=Path, help="the JSON file to import")
        parser.add_argument("--shop", help="shop domain (may be left out when there is one shop)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            shop = resolve_shop(opts["shop"])
        except ShopError as exc:
            raise CommandError(str(exc)) from None
        if opts["verb"] == "export":
            webhooks = CustomWebhook.objects.filter(shop=shop).order_by("name")
            self.stdout.write(json.dumps([webhook.export_data() for webhook in webhooks], indent=2))
            return
        if opts["file"] is None:
            raise CommandError("import needs a FILE")
        try:
            data = json.loads(opts["file"].read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {opts['file']}: {exc}") from None
        try:
            saved = import_custom_webhooks(shop, data)
        except ValidationError as exc:
            raise CommandError(f"{opts['file']}: {' '.join(exc.messages)}; nothing was imported") from None
        for webhook in saved:
            state = "enabled" if webhook.enabled else "disabled"
            self.stdout.write(f"Imported custom webhook {webhook.name!r} ({webhook.id}), {state}")
