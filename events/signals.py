"""Signals the events app sends; the run engine (``runs``) listens.

``event_ingested`` is sent by ``Event.objects.ingest`` inside the transaction that stored
the event, with ``event`` (the new ``Event``), ``run_at`` (aware datetime or None: when its
processing may begin) and ``enqueue`` (whether runs made for it are handed to the queue).
``events`` knows nothing of runs: whoever reacts creates them (spec/runtime.md §16).
"""

from django.dispatch import Signal

event_ingested = Signal()

# Sent inside the transaction that stored a ``PrivacyRequest`` (``request``); the engine handles it
# after commit (spec/platform.md §10.1).
privacy_request_received = Signal()
