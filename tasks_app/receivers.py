"""How tasks react to changes elsewhere: a shop's webhook subscriptions follow its tasks
(spec/platform.md §2.2, registration lifecycle).

When a task is saved (created, edited, enabled, disabled, imported) or deleted, and when a shop
is installed or reinstalled, the shop's subscriptions are synced on the queue after commit
(``webhook_sync.sync_shop_by_id``). Without the queue (tests, ``--sync``) nothing is sent to
Shopify from here: ``python manage.py sync_webhooks`` and the hourly schedule do it.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_q.tasks import async_task

from integrations.models import Shop
from integrations.signals import shop_installed
from tasks_app.models import Task


def queue_sync(shop_id: Any) -> None:
    """Sync the shop's webhook subscriptions on the queue once the transaction commits."""
    if not settings.HUB_ENQUEUE_RUNS:
        return
    shop_id = str(shop_id)
    transaction.on_commit(
        lambda: async_task(
            "tasks_app.webhook_sync.sync_shop_by_id", shop_id, task_name=f"sync-webhooks-{shop_id}"
        )
    )


@receiver(post_save, sender=Task, dispatch_uid="tasks_app.task_saved_sync_webhooks")
def task_saved(sender: type[Task], instance: Task, **kwargs: Any) -> None:
    """A task was created or changed: its shop's subscriptions may have to follow."""
    queue_sync(instance.shop_id)


@receiver(post_delete, sender=Task, dispatch_uid="tasks_app.task_deleted_sync_webhooks")
def task_deleted(sender: type[Task], instance: Task, **kwargs: Any) -> None:
    """A task was deleted: topics only it needed go."""
    queue_sync(instance.shop_id)


@receiver(shop_installed, dispatch_uid="tasks_app.shop_installed_sync_webhooks")
def shop_was_installed(sender: type[Shop], shop: Shop, **kwargs: Any) -> None:
    """A shop installed (or reinstalled, or re-authorized) the app: subscribe what it needs."""
    queue_sync(shop.pk)
