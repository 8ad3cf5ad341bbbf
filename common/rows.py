"""A query's rows as the database gives them."""

from django.db import connection


def raw_rows(queryset) -> list[tuple]:
    """`queryset`'s rows as tuples straight from the database driver, without the ORM's conversion of each
    value: for figures of several hundred rows of ids and counts, where that conversion costs more than the
    query. Only for columns the driver already gives as Python wants them (ids, whole numbers, text): not
    dates, times or decimals, which SQLite gives as text or floats."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
