"""A Shopify stand-in for tests and local runs: Admin GraphQL and REST, OAuth, bulk files, signed webhooks.

``StandinServer(Store.from_file()).start()`` serves the default seed on a free
port; point ``HUB_SHOPIFY_ADMIN_URL`` at ``server.url``.
"""

from integrations.standin.server import StandinServer
from integrations.standin.store import DEFAULT_SEED, Store
from integrations.standin.webhooks import deliver_webhook, delivery_headers

__all__ = ["DEFAULT_SEED", "StandinServer", "Store", "deliver_webhook", "delivery_headers"]
