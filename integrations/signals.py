"""Signals the integrations app sends; apps above it listen.

``shop_installed`` is sent, with ``shop`` (the ``Shop``), after an install, reinstall or
re-authorization through Shopify OAuth stored the shop's new token (spec/platform.md §2.1).
"""

from django.dispatch import Signal

shop_installed = Signal()
