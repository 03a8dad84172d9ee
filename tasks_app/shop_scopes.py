"""A shop's required Shopify access scopes: the union of what its enabled tasks need
(``Task.shopify_access_scopes_required``, spec/platform.md §7.9) and its active custom webhooks'
topics need (§2.4), kept on ``Shop.required_scopes``
so that installs ask for them and the shop admin can show what is missing (§2.1)."""

from events.models import CustomWebhook
from integrations.models import Shop
from tasks_app.models import Task
from tasks_app.permissions import topic_scopes


def required_scopes(shop_id: object) -> list[str]:
    """The union of the scopes the shop's enabled tasks need and of the Shopify topics of its
    active custom webhooks (enabled, with an enabled subscriber, spec/platform.md §2.4), sorted."""
    tasks = list(Task.objects.filter(shop_id=shop_id, enabled=True))
    scopes = {scope for task in tasks for scope in task.shopify_access_scopes_required or []}
    event_topics = {subscription.topic for task in tasks for subscription in task.subscription_objects()}
    for webhook in CustomWebhook.objects.filter(shop_id=shop_id, enabled=True):
        if webhook.event_topic in event_topics:
            scopes |= set(topic_scopes([webhook.shopify_topic]))
    return sorted(scopes)


def update_required_scopes(shop_id: object) -> list[str]:
    """Store the shop's required scopes (after a task changed); returns them."""
    scopes = required_scopes(shop_id)
    stored = Shop.objects.filter(pk=shop_id).values_list("required_scopes", flat=True).first()
    if stored != scopes:  # compared here: PostgreSQL's json type has no equality operator
        Shop.objects.filter(pk=shop_id).update(required_scopes=scopes)
    return scopes
