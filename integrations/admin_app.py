"""Django's admin, with Hub's site as the default one (``INSTALLED_APPS`` names this config)."""

from django.contrib.admin.apps import AdminConfig


class HubAdminConfig(AdminConfig):
    """Django's admin with ``integrations.admin_site.HubAdminSite`` as ``admin.site``."""

    default_site = "integrations.admin_site.HubAdminSite"
