"""Hub's admin site: platform staff and shop members are let in (spec/platform.md §9.1)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from integrations.admin_scope import is_merchant


class HubAdminSite(admin.AdminSite):
    """The console: staff as Django's admin allows, and merchants (members of a shop) who then see
    only their shops (``admin_scope.ShopScopedAdmin``)."""

    site_header = "Hub"
    site_title = "Hub"
    index_title = "Console"

    # Hub's own sections first, in the order work flows (tasks, then what comes in, then the runs,
    # then the shops and accounts); the framework's sections (auth, axes, queue) after them.
    APP_ORDER = ("tasks_app", "events", "runs", "integrations", "api", "account", "socialaccount")

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        """The sidebar and home page sections, Hub's first (``APP_ORDER``), the rest by name."""
        apps = super().get_app_list(request, app_label)
        rank = {label: index for index, label in enumerate(self.APP_ORDER)}
        return sorted(apps, key=lambda app: (rank.get(app["app_label"], len(rank)), app["name"]))

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, or an active member of at least one shop."""
        return super().has_permission(request) or is_merchant(request.user)
