"""Many rows of one model in one executemany: the import's bulk writes.

Measured on 10,000 persons, Django's bulk_create spent about 1.9 ms a person preparing
the 60 columns of Person one value at a time (in batches of 16 rows: SQLite's 999
parameters), against a few microseconds for the database. Here the values arrive ready
for the database — text, numbers, booleans, dates as ISO text (SQLite stores dates as
text; PostgreSQL casts untyped text) — and each column is filled from the row or from
the field's default, so a column added to a model later still gets its default.
"""

import operator

from django.db import connection
from django.utils import timezone


class Inserter:
    """INSERT rows (dicts of attname → value ready for the database) into a model's table."""

    def __init__(self, model, with_pk: bool = False):
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        # Names from the model's metadata; every value is a bound parameter.
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        self.names = [f.attname for f in self.fields]
        pick = operator.itemgetter(*self.names)
        # A tuple for every table, even one of a single column (itemgetter gives the value).
        self.values_of = pick if len(self.names) > 1 else lambda row: (pick(row),)
        self.stamped = {
            f.attname
            for f in self.fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        self.defaults = {
            f.attname: f.get_default() for f in self.fields if f.attname not in self.stamped
        }

    def insert(self, rows: list[dict]) -> int:
        return self.write(self.params(rows))

    def params(self, rows: list[dict], now=None) -> list[tuple]:
        """The rows as parameter tuples, in column order. `now` is the value for auto_now
        columns as the database takes it (connection.ops.adapt_datetimefield_value);
        given, nothing here touches a database connection (the import builds its
        parameters in a second thread, and connections belong to their thread)."""
        if now is None:
            now = stamp()
        defaults = {**self.defaults, **dict.fromkeys(self.stamped, now)}
        # Each row over the defaults, its values picked in column order by one itemgetter:
        # half the time of a .get() per column (1.7 s of a 100,000-person write).
        return [self.values_of({**defaults, **row}) for row in rows]

    def write(self, params: list[tuple]) -> int:
        if params:
            write_rows(self.sql, self.copy_sql, params)
        return len(params)


def stamp():
    """The time now, as this thread's connection stores a datetime."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def write_rows(insert_sql: str, copy_sql: str, rows: list) -> None:
    """executemany on SQLite (inside a transaction it is fast); COPY on PostgreSQL, where
    Django's client-side binding would quote every value of every row in Python (measured:
    two thirds of the write of 10,000 persons)."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    with connection.cursor() as cursor:
        cursor.executemany(insert_sql, rows)


def allocate_ids(model, count: int) -> list[int]:
    """The next `count` primary keys of a table, reserved for explicit inserts.

    Runs inside the import's transaction. PostgreSQL draws them from the column's
    sequence; SQLite's write lock (taken at BEGIN IMMEDIATE) is held by that transaction,
    so the numbers after the largest ever used (AUTOINCREMENT's sqlite_sequence) are ours.
    """
    if count == 0:
        return []
    meta = model._meta
    table, column = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":  # pragma: no cover - the project runs on these two
            raise NotImplementedError(connection.vendor)
        quote = connection.ops.quote_name
        cursor.execute(  # the table's own names; the value is a bound parameter
            f"SELECT MAX(COALESCE((SELECT MAX({quote(column)}) FROM {quote(table)}), 0),"  # noqa: S608
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


class IdSource:
    """Primary keys for explicit inserts, handed out in order over one transaction.

    PostgreSQL: drawn from the sequence each time. SQLite: allocate_ids once, then counted
    on here — the import takes the next chunk's ids before the previous chunk is in the
    table, so the table's largest id lags behind (the transaction holds SQLite's write lock,
    so no one else takes numbers meanwhile)."""

    def __init__(self, model):
        self.model = model
        self.next: int | None = None

    def take(self, count: int) -> list[int]:
        if self.next is None or connection.vendor == "postgresql":
            ids = allocate_ids(self.model, count)
        else:
            ids = list(range(self.next, self.next + count))
        if ids:
            self.next = ids[-1] + 1
        return ids
