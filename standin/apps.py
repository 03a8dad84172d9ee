from django.apps import AppConfig


class StandinConfig(AppConfig):
    """The Shopify stand-in: installed only so ``manage.py shopify_standin`` is found."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "standin"
    verbose_name = "Shopify stand-in (development and test tool)"
