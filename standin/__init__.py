"""A fake Shopify (Admin GraphQL and REST, OAuth, bulk files, signed webhooks) for tests and local runs.

A development and test tool: production code never imports it (``tests/standin/test_boundaries.py``).
This package imports nothing, so installing the app loads only ``apps.py``.

``StandinServer(Store.from_file()).start()`` (``standin.server``, ``standin.store``) serves the
default seed on a free port; point ``HUB_SHOPIFY_ADMIN_URL`` at ``server.url``.
"""
