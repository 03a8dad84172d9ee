"""How tasks react to changes elsewhere: a shop's required access scopes and webhook subscriptions
follow its tasks (spec/platform.md §2.1, §2.2, §7.9).

When a task is saved or deleted, the shop's required scopes are recomputed at once
(``shop_scopes``). When a task is saved (created, edited, enabled, disabled, imported) or
deleted, and when a shop is installed or reinstalled, the shop's subscriptions are synced on the
queue after commit (``webhook_sync.sync_shop_by_id``). Without the queue (tests, ``--sync``)
nothing is sent to Shopify from here: ``python manage.py sync_webhooks`` and the hourly schedule
do it.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_q.tasks import async_task

from events.models import CustomWebhook
from integrations.models import Shop
from integrations.signals import shop_installed
from tasks_app.models import Task, TaskVersion
from tasks_app.shop_scopes import update_required_scopes


def queue_sync(shop_id: Any) -> None:
    """Sync the shop's webhook subscriptions on the queue once the transaction commits, when the
    shop is connected (installed, with a token; an install syncs it then)."""
    if not settings.HUB_ENQUEUE_RUNS:
        return
    connected = Shop.objects.filter(pk=shop_id, uninstalled_at__isnull=True).exclude(access_token="")
    if not connected.exists():
        return
    shop_id = str(shop_id)
    transaction.on_commit(
        lambda: async_task(
            "tasks_app.webhook_sync.sync_shop_by_id", shop_id, task_name=f"sync-webhooks-{shop_id}"
        )
    )


@receiver(post_save, sender=Task, dispatch_uid="tasks_app.task_saved_sync_webhooks")
def task_saved(sender: type[Task], instance: Task, **kwargs: Any) -> None:
    """A task was created or changed: a version keeps its definition, and its shop's required
    scopes and subscriptions may change."""
    TaskVersion.record(instance)
    update_required_scopes(instance.shop_id)
    queue_sync(instance.shop_id)


@receiver(post_delete, sender=Task, dispatch_uid="tasks_app.task_deleted_sync_webhooks")
def task_deleted(sender: type[Task], instance: Task, **kwargs: Any) -> None:
    """A task was deleted: scopes and topics only it needed go."""
    update_required_scopes(instance.shop_id)
    queue_sync(instance.shop_id)


@receiver(shop_installed, dispatch_uid="tasks_app.shop_installed_sync_webhooks")
def shop_was_installed(sender: type[Shop], shop: Shop, **kwargs: Any) -> None:
    """A shop installed (or reinstalled, or re-authorized) the app: subscribe what it needs."""
    queue_sync(shop.pk)


@receiver(post_save, sender=CustomWebhook, dispatch_uid="tasks_app.custom_webhook_saved")
@receiver(post_delete, sender=CustomWebhook, dispatch_uid="tasks_app.custom_webhook_deleted")
def custom_webhook_changed(sender: type[CustomWebhook], instance: CustomWebhook, **kwargs: Any) -> None:
    """A custom webhook was saved or deleted: the shop's scopes and subscriptions may follow."""
    update_required_scopes(instance.shop_id)
    queue_sync(instance.shop_id)
