"""``manage.py shopify_standin [--port PORT] [--host HOST] [--seed FILE] [--require-token]``.

Serves the Shopify stand-in until interrupted (``bin/run-hub`` starts it for the demo shop).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from standin.server import StandinServer
from standin.store import DEFAULT_SEED, Store


class Command(BaseCommand):
    """``shopify_standin``: serve the Shopify stand-in until interrupted."""

    help = (
        "Serve the Shopify stand-in (Admin GraphQL + REST, OAuth, bulk files) until interrupted. "
        "Point HUB_SHOPIFY_ADMIN_URL at the printed URL."
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

    def handle(self, *args, **opts):
        try:
            store = Store.from_file(opts["seed"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot load the seed {opts['seed']}: {exc}") from None
        server = StandinServer(
            store, host=opts["host"], port=opts["port"], require_token=opts["require_token"]
        )
        self.stdout.write(f"Shopify stand-in serving {opts['seed'].name} at {server.url}")
        self.stdout.write(f"  HUB_SHOPIFY_ADMIN_URL={server.url}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.httpd.server_close()
