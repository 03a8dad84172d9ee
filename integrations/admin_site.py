"""Hub's admin site: platform staff and shop members are let in (spec/platform.md §9.1)."""

from django.contrib import admin
from django.http import HttpRequest

from integrations.admin_scope import is_merchant


class HubAdminSite(admin.AdminSite):
    """The console: staff as Django's admin allows, and merchants (members of a shop) who then see
    only their shops (``admin_scope.ShopScopedAdmin``)."""

    site_header = "Hub"
    site_title = "Hub"
    index_title = "Console"

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, or an active member of at least one shop."""
        return super().has_permission(request) or is_merchant(request.user)
