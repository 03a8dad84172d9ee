"""A shop's required Shopify access scopes: the union of what its enabled tasks need
(``Task.shopify_access_scopes_required``, spec/platform.md §7.9), kept on ``Shop.required_scopes``
so that installs ask for them and the shop admin can show what is missing (§2.1)."""

from integrations.models import Shop
from tasks_app.models import Task


def required_scopes(shop_id: object) -> list[str]:
    """The union of the scopes the shop's enabled tasks need, sorted."""
    rows = Task.objects.filter(shop_id=shop_id, enabled=True).values_list(
        "shopify_access_scopes_required", flat=True
    )
    return sorted({scope for row in rows for scope in (row or [])})


def update_required_scopes(shop_id: object) -> list[str]:
    """Store the shop's required scopes (after a task changed); returns them."""
    scopes = required_scopes(shop_id)
    stored = Shop.objects.filter(pk=shop_id).values_list("required_scopes", flat=True).first()
    if stored != scopes:  # compared here: PostgreSQL's json type has no equality operator
        Shop.objects.filter(pk=shop_id).update(required_scopes=scopes)
    return scopes
