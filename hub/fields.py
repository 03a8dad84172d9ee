"""Model fields of our own."""

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created


class JSONField(models.JSONField):
    """A JSON column that keeps hash key order and number text on every database.

    Liquid hashes are insertion-ordered (spec/liquid.md, conventions) and task
    results, options and event data must read back exactly as written.
    PostgreSQL's ``jsonb`` reorders keys and normalises numbers, so on
    PostgreSQL this field uses the ``json`` type, which stores the text as
    given. (``json`` has no equality operator: do not filter or DISTINCT on it.)
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        from psycopg.types.json import Json

        if not prepared:
            value = self.get_prep_value(value)
        encoder = self.encoder
        return Json(value, dumps=lambda obj: json.dumps(obj, cls=encoder))


def _load_json_as_text(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Let ``from_db_value`` decode ``json`` columns, as Django does for ``jsonb``."""
    if connection.vendor != "postgresql":
        return
    from psycopg.types.string import TextLoader

    connection.connection.adapters.register_loader("json", TextLoader)


connection_created.connect(_load_json_as_text)
