"""A fake Shopify (Admin GraphQL and REST, OAuth, bulk files, signed webhooks) for tests and local runs.

A development and test tool: production code never imports it (``tests/standin/test_boundaries.py``).

``StandinServer(Store.from_file()).start()`` serves the default seed on a free
port; point ``HUB_SHOPIFY_ADMIN_URL`` at ``server.url``.
"""

from standin.server import StandinServer
from standin.store import DEFAULT_SEED, Store
from standin.webhooks import DeliveryIds, deliver_webhook, delivery_headers

__all__ = ["DEFAULT_SEED", "DeliveryIds", "StandinServer", "Store", "deliver_webhook", "delivery_headers"]
