"""The few statements the engine runs for every run, written once as SQL.

Concluding a run updates a dozen columns, gives back a slot and records an attempt: three
statements per run, three runs per event. Through the ORM, building each statement costs more
than the database spends on it, so these are kept here as plain ``UPDATE``/``INSERT`` text (made
once per model and set of columns) with values converted by each field's own
``get_db_prep_value``, exactly as the ORM would send them. Behaviour is the ORM's: the tests run
the same code on SQLite and PostgreSQL.
"""

from functools import cache
from typing import Any

from django.db import connection, models


def field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    """The concrete field ``name`` of ``model``."""
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return found


def column(model: type[models.Model], name: str) -> str:
    """The quoted column of field ``name``."""
    return connection.ops.quote_name(str(field(model, name).column))


@cache
def _update_sql(model: type[models.Model], columns: tuple[str, ...], conditions: tuple[str, ...]) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{column(model, name)} = %s" for name in columns)
    where = " AND ".join(f"{column(model, name)} = %s" for name in conditions)
    return f"UPDATE {table} SET {sets} WHERE {where}"  # noqa: S608  (names from our models only)


@cache
def _insert_sql(model: type[models.Model], columns: tuple[str, ...]) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(column(model, name) for name in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608


def db_value(model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` of field ``name`` as the database takes it (UUID hex on SQLite, JSON adapted...)."""
    return field(model, name).get_db_prep_value(value, connection, prepared=False)


def update(model: type[models.Model], values: dict[str, Any], where: dict[str, Any]) -> int:
    """``UPDATE ... SET <values> WHERE <where>`` (equality on each field); the rows changed."""
    sql = _update_sql(model, tuple(values), tuple(where))
    params = [db_value(model, name, value) for name, value in values.items()]
    params += [db_value(model, name, value) for name, value in where.items()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert(model: type[models.Model], values: dict[str, Any]) -> None:
    """``INSERT INTO ... (<columns>) VALUES (...)`` of one row."""
    sql = _insert_sql(model, tuple(values))
    with connection.cursor() as cursor:
        cursor.execute(sql, [db_value(model, name, value) for name, value in values.items()])
