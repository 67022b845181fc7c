"""What someone with database access might do to the audit tables, in raw SQL.

On PostgreSQL the append-only triggers refuse UPDATE and DELETE: `tamper` first proves
that, then does what a DBA could still do (switch the triggers off) so that
verify-audit can be shown to find the change anyway."""

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

ON_POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="the triggers exist on PostgreSQL")

TABLES = ("audit_auditentry", "audit_audithead")


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused(sql: str, params=()) -> bool:
    """True when the database refuses the statement (the transaction survives)."""
    try:
        with transaction.atomic():
            raw(sql, params)
    except DatabaseError:
        return True
    return False


@contextmanager
def triggers_disabled():
    """A DBA's move on PostgreSQL; nothing to do on SQLite, which has no trigger."""
    if not ON_POSTGRES:
        yield
        return
    for table in TABLES:
        raw(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        for table in TABLES:
            raw(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def tamper(sql: str, params=()) -> None:
    """Change the audit tables behind the application's back."""
    if ON_POSTGRES:
        assert refused(sql, params), f"the trigger let this through: {sql}"
    with triggers_disabled():
        raw(sql, params)
