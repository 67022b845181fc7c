"""record() numbers and chains entries; verify_chain finds every kind of tampering."""

import json

import pytest
from django.db import IntegrityError, transaction

from tongzhan.audit.context import RequestContext, current
from tongzhan.audit.models import AuditAction, AuditEntry, AuditHead, AuditResult
from tongzhan.audit.services import entry_mac, record, verify_chain

from .tamper import ON_POSTGRES, raw, tamper

INSERT = (
    "INSERT INTO audit_auditentry (seq, time, username, ip, action, object_type, object_id,"
    " object_repr, result, detail, mac) VALUES (%s, %s, 'mallory', '', 'login', '', '', '',"
    " 'success', '', %s)"
)


def insert_forged(seq, time, mac) -> None:
    # INSERT is what the application itself does, so no trigger can refuse it: only the
    # missing key stops a forger from making a MAC that verifies.
    raw(INSERT, [seq, time, mac])


pytestmark = pytest.mark.django_db


def chain(n: int) -> list[AuditEntry]:
    return [record(AuditAction.SECURITY, object_repr=f"事件{i}") for i in range(1, n + 1)]


def kinds(report) -> list[tuple[str, int]]:
    return [(p.kind, p.seq) for p in report.problems]


def test_entries_are_numbered_from_one_without_gaps():
    entries = chain(5)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.mac) == (5, entries[-1].mac)


def test_each_mac_chains_to_the_mac_before_it():
    first, second = chain(2)
    stored_second = AuditEntry.objects.get(seq=2)
    assert stored_second.mac == entry_mac(stored_second, first.mac)
    assert stored_second.mac != entry_mac(stored_second, "")
    assert len(second.mac) == 64


def test_an_entry_rolled_back_with_its_change_leaves_no_gap():
    chain(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(AuditAction.UPDATE, object_repr="会回滚")
        raise RuntimeError("the change failed")
    chain(1)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
    assert verify_chain().ok


def test_record_keeps_user_object_ip_and_detail(world):
    person = world.person_a1
    token = current.set(RequestContext(ip="10.1.2.3"))
    try:
        entry = record(
            AuditAction.UPDATE,
            user=world.user("county_staff"),
            obj=person,
            detail={"changes": {"name": {"before": "张三", "after": "张青山"}}},
        )
    finally:
        current.reset(token)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.username, stored.ip, stored.object_type) == (
        "county_staff",
        "10.1.2.3",
        "people.person",
    )
    assert stored.object_id == str(person.pk) and stored.object_repr == "张青山"
    assert json.loads(stored.detail)["changes"]["name"]["after"] == "张青山"


def test_record_trims_over_long_text_and_nul_so_the_write_never_fails():
    entry = record(AuditAction.LOGIN_FAILED, username="a\x00" + "b" * 300, object_repr="x" * 500)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.username == "a" + "b" * 149
    assert len(stored.object_repr) == 200
    assert verify_chain().ok


def test_the_orm_refuses_to_change_or_delete_an_entry():
    chain(2)
    entry = AuditEntry.objects.get(seq=1)
    entry.username = "someone"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(seq=1).update(username="someone")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(seq=1).delete()
    assert AuditEntry.objects.get(seq=1).username == ""


def test_a_new_instance_with_an_existing_pk_cannot_overwrite_that_row():
    original = chain(1)[0]
    forged = AuditEntry(
        pk=original.pk, seq=99, time=original.time, action="login", result="success"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditEntry.objects.get(pk=original.pk).seq == 1


def test_an_intact_chain_verifies():
    chain(7)
    report = verify_chain(chunk_size=3)
    assert report.ok and report.checked == 7 and report.last_seq == 7
    assert report.problems == []


def test_an_empty_log_verifies():
    report = verify_chain()
    assert report.ok and report.checked == 0


def test_a_changed_row_fails_its_own_mac_only():
    chain(5)
    tamper("UPDATE audit_auditentry SET username = %s WHERE seq = 3", ["mallory"])
    report = verify_chain(chunk_size=2)
    assert not report.ok
    assert kinds(report) == [("changed", 3)]
    assert "第 3 条校验失败" in str(report.problems[0])


def test_a_row_whose_mac_was_replaced_is_found():
    chain(4)
    tamper("UPDATE audit_auditentry SET mac = %s WHERE seq = 2", ["0" * 64])
    assert ("changed", 2) in kinds(verify_chain())


def test_a_row_deleted_in_the_middle_is_found():
    chain(5)
    tamper("DELETE FROM audit_auditentry WHERE seq = 3")
    report = verify_chain(chunk_size=2)
    assert kinds(report) == [("missing", 3)]
    assert str(report.problems[0]) == "第 3 条缺失（被删除）"


def test_several_rows_deleted_in_the_middle_are_named_as_a_range():
    chain(6)
    tamper("DELETE FROM audit_auditentry WHERE seq IN (2, 3, 4)")
    report = verify_chain()
    assert kinds(report) == [("missing", 2)]
    assert "第 2–4 条缺失" in str(report.problems[0])


def test_a_deleted_last_row_is_found_against_the_head():
    chain(5)
    tamper("DELETE FROM audit_auditentry WHERE seq = 5")
    report = verify_chain()
    assert kinds(report) == [("head", 5)]
    assert "末尾第 5 条缺失" in str(report.problems[0])


def test_an_inserted_row_with_a_forged_mac_is_found():
    entries = chain(3)
    insert_forged(4, entries[-1].time, "ab" * 32)
    report = verify_chain()
    assert ("changed", 4) in kinds(report)
    assert ("head", 4) in kinds(report)  # the head still names entry 3
    assert "链头为第 3 条，但存在第 4 条：不是由系统写入的" in [str(p) for p in report.problems]


def test_a_deleted_row_replaced_by_a_forgery_is_found():
    entries = chain(4)
    tamper("DELETE FROM audit_auditentry WHERE seq = 2")
    # The forger even copies the old MAC, so entry 3 still links; entry 2 cannot.
    insert_forged(2, entries[1].time, entries[1].mac)
    assert kinds(verify_chain()) == [("changed", 2)]


def test_rows_the_ordered_walk_cannot_reach_are_counted():
    chain(2)
    insert_forged(0, AuditEntry.objects.get(seq=1).time, "")
    assert ("extra", 0) in kinds(verify_chain())


def test_a_deleted_head_is_found():
    chain(2)
    tamper("DELETE FROM audit_audithead")
    assert kinds(verify_chain()) == [("head", 2)]


def test_a_wholly_emptied_log_is_found_while_the_head_remembers_it():
    chain(3)
    tamper("DELETE FROM audit_auditentry")
    report = verify_chain()
    assert report.checked == 0 and kinds(report) == [("head", 1)]
    assert str(report.problems[0]) == "末尾第 1–3 条缺失（被删除）"


def test_a_different_key_makes_every_entry_fail_and_says_so(settings):
    from tongzhan.lib.crypto import _subkey

    chain(3)
    settings.AUDIT_CHAIN_KEY = "11" * 32
    _subkey.cache_clear()
    try:
        report = verify_chain()
    finally:
        _subkey.cache_clear()
    assert report.key_suspect and report.problem_count == 3


def test_the_problem_list_is_capped_but_every_problem_is_counted():
    chain(5)
    tamper("UPDATE audit_auditentry SET username = 'x'")
    report = verify_chain(max_listed=2)
    assert report.problem_count == 5 and len(report.problems) == 2 and report.unlisted == 3


def test_an_entry_written_while_verification_runs_is_not_called_tampering(monkeypatch):
    from tongzhan.audit import services

    chain(3)
    walk = services._walk
    calls = []

    def walk_then_someone_logs_in(report, chunk_size):
        walked = walk(report, chunk_size)
        if not calls:
            record(AuditAction.LOGIN, username="late")  # lands after the walk, before the head read
        calls.append(walked)
        return walked

    monkeypatch.setattr(services, "_walk", walk_then_someone_logs_in)
    report = verify_chain()
    assert report.ok and report.checked == 4, report.problems


def test_the_report_never_shows_the_key_in_its_repr():
    report = verify_chain()
    assert "key" not in repr(report)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite has no trigger; PostgreSQL's is tested apart")
def test_on_sqlite_raw_sql_can_change_a_row_which_is_why_the_chain_exists():
    chain(1)
    raw("UPDATE audit_auditentry SET result = %s WHERE seq = 1", [AuditResult.FAILURE])
    assert not verify_chain().ok
