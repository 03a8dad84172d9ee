"""Hub's OAuth providers for django-allauth and the token life cycle (spec/platform.md §6.1, §2.1).

One allauth provider app per service (``airtable``, ``google``, ``slack``,
``shopify``); ``base`` holds what they share, ``connections`` binds a connected
account to a shop (``integrations.Connection``), ``tokens`` refreshes expired
access tokens, which allauth does not do.
"""
