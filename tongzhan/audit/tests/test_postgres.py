"""On PostgreSQL the database itself refuses to change or delete audit rows."""

import pytest
from django.db import DatabaseError, models, transaction

from tongzhan.audit.models import AuditAction, AuditEntry, AuditHead
from tongzhan.audit.services import record, verify_chain

from .tamper import postgres_only, raw, refused

pytestmark = [pytest.mark.django_db, postgres_only]


@pytest.fixture
def three():
    return [record(AuditAction.SECURITY, object_repr=f"事件{i}") for i in (1, 2, 3)]


def test_the_trigger_refuses_a_raw_update_of_an_entry(three):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE audit_auditentry SET username = 'mallory' WHERE seq = 2")
    assert AuditEntry.objects.get(seq=2).username == ""


def test_the_trigger_refuses_a_raw_delete_of_an_entry(three):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("DELETE FROM audit_auditentry WHERE seq = 3")
    assert AuditEntry.objects.count() == 3


def test_code_that_slips_past_the_model_guard_is_still_refused(three):
    plain = models.QuerySet(model=AuditEntry)  # not the append-only manager
    with pytest.raises(DatabaseError), transaction.atomic():
        plain.filter(seq=1).update(username="mallory")
    with pytest.raises(DatabaseError), transaction.atomic():
        plain.filter(seq=1)._raw_delete(plain.db)
    assert verify_chain().ok


def test_inserting_entries_is_allowed_because_that_is_how_the_log_grows(three):
    record(AuditAction.LOGIN, username="county_staff")
    assert AuditEntry.objects.count() == 4 and verify_chain().ok


def test_truncate_is_left_alone_for_the_test_framework_flush(three):
    with transaction.atomic():
        raw("TRUNCATE audit_auditentry, audit_audithead")
        assert not AuditEntry.objects.exists()
        transaction.set_rollback(True)
    assert AuditEntry.objects.count() == 3


def test_the_head_cannot_be_deleted(three):
    assert refused("DELETE FROM audit_audithead")
    assert AuditHead.objects.get(pk=1).seq == 3


def test_the_head_cannot_be_moved_back_to_hide_a_cut_tail(three):
    assert refused("UPDATE audit_audithead SET seq = 2, mac = %s", [three[1].mac])
    assert AuditHead.objects.get(pk=1).seq == 3


def test_the_head_cannot_name_an_entry_that_does_not_exist(three):
    assert refused("UPDATE audit_audithead SET seq = 4, mac = %s", ["ab" * 32])
    assert refused("UPDATE audit_audithead SET mac = %s", ["ab" * 32])


def test_the_writer_still_moves_the_head_forward(three):
    entry = record(AuditAction.LOGOUT, username="county_staff")
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.mac) == (4, entry.mac)
