"""Queries read the way the database does best: a list of ids handed over first, rows as it gives them."""

from django.db import connection
from django.db.models import BooleanField, Expression, F


def raw_rows(queryset) -> list[tuple]:
    """`queryset`'s rows as tuples straight from the database driver, without the ORM's conversion of each
    value: for figures of several hundred rows of ids and counts, where that conversion costs more than the
    query. Only for columns the driver already gives as Python wants them (ids, whole numbers, text): not
    dates, times or decimals, which SQLite gives as text or floats."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Among(Expression):
    """`column` is one of the ids `query` selects. PostgreSQL is handed them as one list, read first, so
    it goes through the index on `column` to the rows of those ids alone (an agency's people's register
    lines, a period's sessions' bookings); asked `IN (query)` it joins, and reads every row of the table
    to keep the few it needs."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, query):
        super().__init__()
        self.column, self.query = F(column), query

    def get_source_expressions(self):
        return [self.column, self.query]

    def set_source_expressions(self, exprs):
        self.column, self.query = exprs

    def as_sql(self, compiler, connection, template="%s IN %s"):
        column, column_params = compiler.compile(self.column)
        query, query_params = compiler.compile(self.query)
        return template % (column, query), (*column_params, *query_params)

    def as_postgresql(self, compiler, connection):
        return self.as_sql(compiler, connection, template="%s = ANY(ARRAY%s)")
