"""How the engine reacts to what the events app announces (spec/runtime.md §16).

An ingested event gets its event run, and a worker is woken for it after commit when it is due.
A ``shopify/bulk_operations/finish`` delivery makes the engine read that operation now, not at
its next poll (§14.3). A Shopify privacy request is handled after commit (spec/platform.md §10.1).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django_q.tasks import async_task

from events.models import Event, PrivacyRequest
from events.signals import event_ingested, privacy_request_received
from runs import bulk, dispatch, privacy
from runs.models import EventRun

FINISH_TOPIC = "shopify/bulk_operations/finish"


@receiver(event_ingested, dispatch_uid="runs.create_event_run")
def create_event_run(
    sender: type[Event], event: Event, run_at: datetime | None, enqueue: bool, **kwargs: Any
) -> None:
    """Create ``event``'s event run in the ingesting transaction; wake a worker after commit if due."""
    run = EventRun.create_for(event, run_at=run_at, queued=enqueue and settings.HUB_ENQUEUE_RUNS)
    if enqueue:
        dispatch.enqueue_due([run])
    if event.topic == FINISH_TOPIC:
        transaction.on_commit(lambda: bulk.finish_webhook_received(event))


@receiver(privacy_request_received, dispatch_uid="runs.handle_privacy_request")
def handle_privacy_request(sender: type[PrivacyRequest], request: PrivacyRequest, **kwargs: Any) -> None:
    """Handle a recorded privacy request after commit: on the queue, or here when runs are not
    queued (tests, ``--sync``)."""
    request_id = str(request.pk)
    if settings.HUB_ENQUEUE_RUNS:
        transaction.on_commit(
            lambda: async_task("runs.privacy.handle", request_id, task_name=f"privacy-{request_id}")
        )
    else:
        transaction.on_commit(lambda: privacy.handle(request_id))
