"""``{% current_activity as activity %}``: the home page's "current activity" panel data."""

from django import template

from integrations.admin_scope import visible_shops
from runs.activity import current

register = template.Library()


@register.simple_tag(takes_context=True)
def current_activity(context: template.Context) -> dict[str, int]:
    """Runs running, waiting and backed up in the signed-in user's shops."""
    return current(visible_shops(context["request"]))
