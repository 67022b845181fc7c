"""SQLite takes one writer at a time: while a ledger import writes its persons in one
transaction, another save waits settings.SQLITE_BUSY_SECONDS and then fails with
"database is locked". The user gets a 503 that says why and to try again, never a 500,
and a page that only had to move the session's last-seen time is not held up at all.

The lock itself is played by the database call raising what SQLite raises; the real
thing (a second connection holding BEGIN IMMEDIATE on a file database) is in the note
of issue #3: the page answered 503 after 10.0 s, the API 503 after 10.1 s, page views 200.
"""

import time
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from tongzhan.accounts.sessions import UPDATE_WAIT_MS, SessionStore
from tongzhan.audit.models import AuditEntry
from tongzhan.core.middleware import RETRY_AFTER_SECONDS

LOCKED = OperationalError("database is locked")
BUSY_TEXT = "系统正在写入大批数据"


def locked_audit_write():
    """The audit row of an unmasking (a write) meets a database another writer holds."""
    return mock.patch.object(AuditEntry, "save", side_effect=LOCKED)


def test_a_page_whose_write_meets_a_busy_database_answers_503_and_writes_nothing(as_persona, world):
    client = as_persona("county_staff")
    url = reverse("people:reveal_phone", args=[world.person_a1.pk])
    before = AuditEntry.objects.count()
    with locked_audit_write():
        response = client.post(url, HTTP_REFERER="http://testserver/people/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert BUSY_TEXT in page and 'data-testid="database-busy"' in page
    assert 'href="http://testserver/people/"' in page  # back to the form, still filled in
    assert "13812345678" not in page
    assert AuditEntry.objects.count() == before


def test_the_back_link_of_the_busy_page_never_leads_to_another_site(as_persona, world):
    client = as_persona("county_staff")
    url = reverse("people:reveal_phone", args=[world.person_a1.pk])
    with locked_audit_write():
        response = client.post(url, HTTP_REFERER="https://evil.example/phish")
    assert response.status_code == 503
    assert "evil.example" not in response.content.decode()


def test_an_api_write_that_meets_a_busy_database_answers_503_json(as_persona, world):
    client = as_persona("county_staff")
    url = f"/api/v1/people/{world.person_a1.pk}/reveal-phone"
    with locked_audit_write():
        response = client.post(url)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert BUSY_TEXT in response.json()["detail"]


def test_other_database_errors_are_not_passed_off_as_busy(world):
    from tongzhan.testing import login_as

    client = login_as(Client(raise_request_exception=False), world.users["county_staff"])
    url = reverse("people:reveal_phone", args=[world.person_a1.pk])
    with mock.patch.object(AuditEntry, "save", side_effect=OperationalError("disk I/O error")):
        response = client.post(url)
    assert response.status_code == 500


def test_a_page_view_is_not_failed_by_a_session_update_the_busy_database_refused(as_persona, world):
    client = as_persona("township_a")
    session = client.session
    # Last seen a minute ago: this request moves the time, an update of the session row.
    session[settings.SESSION_IDLE_KEY] = int(time.time()) - 60
    session.save()
    with mock.patch.object(Session, "save", side_effect=LOCKED):
        response = client.get(reverse("people:list"))
    # Django's own store turns the refused update into SessionInterrupted: a 400.
    assert response.status_code == 200
    assert "张青山" in response.content.decode()


def test_other_session_update_failures_still_end_the_request(as_persona):
    client = as_persona("township_a")
    store = SessionStore(client.session.session_key)
    store["x"] = 1
    with (
        mock.patch.object(Session, "save", side_effect=OperationalError("disk I/O error")),
        pytest.raises(UpdateError),
    ):
        store.save()


def test_a_new_session_is_never_skipped(db):
    store = SessionStore()
    with mock.patch.object(Session, "save", side_effect=LOCKED), pytest.raises(OperationalError):
        store.save(must_create=True)


# Outside a transaction, as a request's session is saved: inside one (the test's own, by
# default) the update waits as long as the transaction's statements do.
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's busy timeout")
def test_a_session_update_waits_only_a_moment_and_leaves_the_timeout_as_it_was(as_persona):
    client = as_persona("township_a")

    def busy_timeout() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            return cursor.fetchone()[0]

    configured = busy_timeout()
    seen = []
    store = SessionStore(client.session.session_key)
    store["x"] = 1
    real_save = Session.save

    def save(*args, **kwargs):
        seen.append(busy_timeout())
        return real_save(*args, **kwargs)

    with mock.patch.object(Session, "save", save):
        store.save()
    assert seen == [UPDATE_WAIT_MS]
    assert busy_timeout() == configured
