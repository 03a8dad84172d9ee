"""``manage.py shopify_standin [--port PORT] [--host HOST] [--seed FILE] [--shop-domain DOMAIN]
[--require-token] [--no-deliveries] [--delivery-attempts N] [--delivery-retry-s S]``, and
``manage.py shopify_standin --url URL --uninstall DOMAIN``.

Serves the Shopify stand-in until interrupted (``bin/run-hub`` starts it for the demo shop),
delivering signed webhooks of its changes to the subscriptions Hub made; or tells a running
stand-in that the merchant of DOMAIN uninstalled the app.
"""

from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from standin.deliveries import DeliveryOptions
from standin.server import StandinServer
from standin.store import DEFAULT_SEED, Store


class Command(BaseCommand):
    """``shopify_standin``: serve the Shopify stand-in until interrupted, or uninstall the app
    from a running one."""

    help = (
        "Serve the Shopify stand-in (Admin GraphQL + REST, OAuth, bulk files, webhook subscriptions "
        "and signed deliveries of its changes) until interrupted. Point HUB_SHOPIFY_ADMIN_URL at the "
        "printed URL. With --url and --uninstall DOMAIN: make a running stand-in deliver app/uninstalled "
        "and revoke the app."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765, help="TCP port (0: any free port)")
        parser.add_argument("--host", default="127.0.0.1", help="Interface to listen on")
        parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="Seed fixture (JSON)")
        parser.add_argument(
            "--require-token",
            action="store_true",
            help="Refuse Admin API requests without a token from the OAuth exchange or the seed",
        )
        parser.add_argument("--no-deliveries", action="store_true", help="Do not deliver webhooks of changes")
        parser.add_argument(
            "--delivery-attempts", type=int, default=3, help="Tries per delivery (Shopify: 8)"
        )
        parser.add_argument(
            "--delivery-retry-s",
            type=float,
            default=1.0,
            help="Seconds before the first retry (then doubling)",
        )
        parser.add_argument("--shop-domain", help="Serve the seed's shop under this myshopify domain")
        parser.add_argument("--url", help="A running stand-in's URL (with --uninstall)")
        parser.add_argument(
            "--uninstall", metavar="DOMAIN", help="Uninstall the app from DOMAIN (with --url)"
        )

    def handle(self, *args, **opts):
        if opts["uninstall"] or opts["url"]:
            return self.uninstall(opts["url"], opts["uninstall"])
        try:
            store = Store.from_file(opts["seed"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot load the seed {opts['seed']}: {exc}") from None
        if opts["shop_domain"]:
            store.shop["myshopifyDomain"] = opts["shop_domain"].strip().lower()
        server = StandinServer(
            store,
            host=opts["host"],
            port=opts["port"],
            require_token=opts["require_token"],
            api_secret=settings.HUB_SHOPIFY_API_SECRET,
            deliveries=None
            if opts["no_deliveries"]
            else DeliveryOptions(max(1, opts["delivery_attempts"]), max(0.0, opts["delivery_retry_s"])),
        )
        self.stdout.write(f"Shopify stand-in serving {opts['seed'].name} at {server.url}")
        self.stdout.write(f"  HUB_SHOPIFY_ADMIN_URL={server.url}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.httpd.server_close()

    def uninstall(self, url: str | None, domain: str | None) -> None:
        """Ask the stand-in at ``url`` to uninstall the app from ``domain``."""
        if not url or not domain:
            raise CommandError(
                "--uninstall DOMAIN needs --url URL of a running stand-in, and --url needs --uninstall"
            )
        try:
            response = requests.post(
                f"{url.rstrip('/')}/__standin/uninstall", json={"shop": domain}, timeout=60
            )
        except requests.RequestException as exc:
            raise CommandError(f"no stand-in answers at {url}: {exc}") from None
        if response.status_code != 200:
            detail = (
                response.json().get("errors") if "json" in response.headers.get("Content-Type", "") else ""
            )
            raise CommandError(
                f"the stand-in at {url} answered {response.status_code}: {detail or response.text[:200]}"
            )
        answer = response.json()
        to = ", ".join(answer.get("delivered_to") or []) or "no subscription"
        self.stdout.write(
            f"Uninstalled the app from {answer.get('shop')}: app/uninstalled delivered to {to}."
        )
