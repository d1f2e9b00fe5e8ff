"""INSERT ... SELECT ... ON CONFLICT DO NOTHING from a queryset, on PostgreSQL and SQLite alike.

The ORM writes rows one VALUES list at a time (bulk_create); a step that adds a
row for each of 100,000 loops that a query already names is one statement this
way, and its RETURNING says which rows were new (a row whose unique key exists
is skipped, so the statement is safe to repeat). Table and column names come
from the models, never typed out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet


def insert_select(
    model: type[models.Model],
    columns: dict[str, str],
    source: QuerySet,
    params: Sequence[Any] = (),
    *,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Insert a `model` row per row of `source`, skipping rows whose unique key exists; return `returning` of new rows.

    `columns` maps each field to its SQL value: a column of `source` as `src.<name>` (source is a
    `.values(...)` queryset), a `%s` placeholder (filled from `params`, in order) or a literal such as NULL.
    """
    meta = model._meta
    names = ", ".join(connection.ops.quote_name(meta.get_field(field).column) for field in columns)
    values = ", ".join(columns.values())
    source_sql, source_params = source.query.sql_with_params()
    # "WHERE true": SQLite would read ON CONFLICT as the join constraint of the FROM clause otherwise.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) "
        f"SELECT {values} FROM ({source_sql}) AS src WHERE true ON CONFLICT DO NOTHING"
    )
    if returning:
        sql += " RETURNING " + ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_adapted(value) for value in params] + list(source_params))
        return cursor.fetchall() if returning else []


def _adapted(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
