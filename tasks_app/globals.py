"""The shop-level Liquid objects ``globals`` and ``secrets`` (spec/platform.md §5, spec/liquid.md §5.1)."""

from tasks_app.secrets import liquid_secrets, new_nonce


def liquid_scope(shop, nonce: str | None = None) -> dict:
    """``{"globals": {key: value}, "secrets": {key: reference}}`` for a stored ``shop``, the
    ``scope`` of ``rendering.task_variables``; ``{}`` when ``shop`` is None (the built-in preview
    shop has neither). References carry ``nonce``, a fresh throwaway one by default (previews)."""
    if shop is None:
        return {}
    from tasks_app.models import Global

    return {"globals": Global.snapshot(shop), "secrets": liquid_secrets(shop, nonce or new_nonce())}


def run_scope(shop, nonce: str) -> tuple[dict, dict]:
    """``(cache, scope)`` for a task run of the stored ``shop``: the live cache entries as
    ``{key: value}`` (the Liquid ``cache``) and the ``liquid_scope`` (``globals``, ``secrets`` whose
    references carry ``nonce``), read in one query rather than three (a task run reads them every
    time; spec/platform.md §4, §5)."""
    from django.db import connection
    from django.utils import timezone

    from tasks_app.models import CacheEntry, Global, Secret
    from tasks_app.secrets import secret_reference

    value_field = CacheEntry._meta.get_field("value")
    shop_id = CacheEntry._meta.get_field("shop").get_db_prep_value(shop.pk, connection)
    now = CacheEntry._meta.get_field("expires_at").get_db_prep_value(timezone.now(), connection)
    tables = [model._meta.db_table for model in (CacheEntry, Global, Secret)]
    sql = (
        f"SELECT 0, key, value FROM {tables[0]} WHERE shop_id = %s AND expires_at > %s "  # noqa: S608
        f"UNION ALL SELECT 1, key, value FROM {tables[1]} WHERE shop_id = %s "
        f"UNION ALL SELECT 2, key, NULL FROM {tables[2]} WHERE shop_id = %s ORDER BY 1, 2"
    )
    parts: tuple[dict, dict, dict] = ({}, {}, {})
    with connection.cursor() as cursor:
        cursor.execute(sql, [shop_id, now, shop_id, shop_id])
        for part, key, value in cursor.fetchall():
            parts[part][key] = value_field.from_db_value(value, None, connection) if part < 2 else None
    cache, globals_, secret_keys = parts
    return cache, {"globals": globals_, "secrets": {key: secret_reference(key, nonce) for key in secret_keys}}
