"""Database sessions that do not hold up a page while SQLite's one writer is busy.

Most requests rewrite their session only to move the idle timeout's last-seen time
(at most every 30 s: accounts.middleware). While a large import holds SQLite's write
lock, that update would wait the whole busy timeout and then fail the request, which had
done its work, with a 400 (Django's SessionInterrupted). Here an update waits a moment
at most and, if the database is still busy, is left for the next request to write.
A new session (logging in) is not skipped: that fails like any other write
(core.middleware answers 503).
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import connections, router

from tongzhan.core.middleware import is_database_busy

logger = logging.getLogger(__name__)

UPDATE_WAIT_MS = 200


class SessionStore(db.SessionStore):
    def save(self, must_create=False):
        if must_create:
            return super().save(must_create=True)
        alias = router.db_for_write(self.model)
        try:
            with _short_busy_wait(connections[alias]):
                super().save()
        except UpdateError as exc:
            if not is_database_busy(exc.__context__):
                raise
            logger.info("session update left for later: the database is busy")


@contextmanager
def _short_busy_wait(connection):
    """SQLite's busy timeout lowered to UPDATE_WAIT_MS for the block (not in a
    transaction: a session update inside one waits as long as the transaction's
    statements do)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {UPDATE_WAIT_MS:d}")
    try:
        yield
    finally:
        # Back to the connection's own, which settings.py gives it.
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {settings.SQLITE_BUSY_SECONDS * 1000:d}")
