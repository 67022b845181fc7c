"""Confirming an import: one transaction, the people services' rules in bulk, the audit
chain intact; the command line; the background worker."""

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from tongzhan.audit.models import AuditAction, AuditEntry, AuditResult
from tongzhan.audit.services import verify_chain
from tongzhan.ledgers import services
from tongzhan.ledgers.importer import write
from tongzhan.ledgers.models import ImportJob, ImportRow, RowState
from tongzhan.ledgers.tests import ledger_files as lf
from tongzhan.lib.crypto import blind_index
from tongzhan.people import search
from tongzhan.people import services as people_services
from tongzhan.people.models import Person, PersonSearchKey
from tongzhan.testing import TOWNSHIP_B, category_bits_drift, make_person


def checked_job(world, tmp_path, user="township_a", name="messy.xlsx") -> ImportJob:
    path = lf.write_messy_xlsx(tmp_path / name)
    return services.run_import(path, world.user(user), dry_run=True).job


def confirm_and_run(job, user, skip_duplicates=False) -> ImportJob:
    # With the immediate backend (tests) the write runs inside do_confirm.
    services.do_confirm(user, job, skip_duplicates=skip_duplicates)
    job.refresh_from_db()
    return job


def imported(name: str) -> Person:
    return Person.objects.get(name=name)


def test_confirming_writes_each_person_as_do_create_person_would(registry, tmp_path):
    job = checked_job(registry, tmp_path)
    job = confirm_and_run(job, registry.user("township_a"))
    assert job.status == ImportJob.Status.DONE
    person = imported("王建国")
    assert person.id_number == lf.ID_WANG and person.phone == "13812345678"
    assert person.id_number_index == blind_index(search.id_number_key(lf.ID_WANG))
    assert person.category_codes() == ["06"] and person.non_public.enterprise == "清溪建材有限公司"
    assert category_bits_drift() == {} and person.category_bits == 1 << 5
    assert person.created_by == registry.user("township_a")
    # The CREATE row carries exactly what people.services.snapshot() says of the record.
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(person.pk))
    detail = json.loads(entry.detail)
    fresh = people_services._fresh(person.pk)
    assert detail["after"] == json.loads(json.dumps(people_services.snapshot(fresh)))
    assert detail["import"] == {"job": job.pk, "line": 5}
    assert lf.ID_WANG not in entry.detail and "13812345678" not in entry.detail
    # Search keys and the pinyin sort key are what index_person writes.
    written = PersonSearchKey.objects.filter(person=person)
    columns = [f.attname for f in PersonSearchKey._meta.concrete_fields if f.name != "id"]
    keys = set(written.values_list(*columns))
    search.index_person(fresh)
    assert keys == set(written.values_list(*columns))
    assert fresh.name_pinyin == search.pinyin_sort_key("王建国")


def test_an_imported_person_is_found_by_initials_pinyin_and_id_number(registry, tmp_path):
    confirm_and_run(checked_job(registry, tmp_path), registry.user("township_a"))
    for query in ("wjg", "wangjianguo"):
        assert "王建国" in Person.objects.filter(search.search_q(query)).values_list(
            "name", flat=True
        )
    assert list(
        Person.objects.filter(search.search_q(lf.ID_WANG)).values_list("name", flat=True)
    ) == ["王建国"]


def test_one_import_audit_row_counts_the_rows_and_the_chain_verifies(registry, tmp_path):
    job = confirm_and_run(checked_job(registry, tmp_path), registry.user("township_a"))
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    detail = json.loads(entry.detail)
    assert detail["rows"] == job.rows_total == detail["imported"] + detail["not_imported"]
    assert AuditEntry.objects.filter(action=AuditAction.CREATE).count() == job.imported_count
    assert verify_chain().ok


@pytest.mark.parametrize("skip_duplicates", [False, True])
@pytest.mark.parametrize("size", [1, 2, 3, 1000])
def test_the_write_reads_every_importable_row_once_in_line_order(
    registry, tmp_path, size, skip_duplicates
):
    job = checked_job(registry, tmp_path)
    job.options = {"skip_duplicates": skip_duplicates}
    expected = ImportRow.objects.filter(job=job, state__in=["ok", "warning"])
    if skip_duplicates:
        expected = expected.filter(duplicate=False)
    expected = list(expected.order_by("line").values_list("line", "data"))
    assert expected and ImportRow.objects.filter(job=job, state="error").exists()
    pages = list(services.importable_chunks(job, size))
    assert all(0 < len(page) <= size for page in pages)
    assert [row for page in pages for row in page] == expected


def test_the_write_of_a_job_without_rows_reads_nothing(registry, tmp_path):
    job = checked_job(registry, tmp_path)
    ImportRow.objects.filter(job=job).delete()
    assert list(services.importable_chunks(job, 10)) == []


def test_a_row_outside_the_writers_scope_fails_the_write_and_writes_nothing(registry, tmp_path):
    """The write checks again, inside its transaction, that every person it created is in
    the confirming user's scope: here a row's region was changed after the check."""
    job = checked_job(registry, tmp_path)
    before = Person.objects.count()
    row = ImportRow.objects.filter(job=job, state="ok").order_by("line").last()
    row.data = {**row.data, "region_id": TOWNSHIP_B}
    row.save(update_fields=["data"])
    job = confirm_and_run(job, registry.user("township_a"))
    assert job.status == ImportJob.Status.FAILED and "没有写入任何数据" in job.message
    assert Person.objects.count() == before
    assert not AuditEntry.objects.filter(action=AuditAction.CREATE).exists()
    assert verify_chain().ok


def test_a_failure_in_the_middle_of_the_write_writes_nothing(registry, tmp_path, monkeypatch):
    job = checked_job(registry, tmp_path)
    before = Person.objects.count()
    calls = []
    real = write.insert_chunk

    def fail_on_second_chunk(chunk, user):
        calls.append(len(chunk.ids))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(chunk, user)

    monkeypatch.setattr(services, "WRITE_CHUNK", 5)
    monkeypatch.setattr(write, "insert_chunk", fail_on_second_chunk)
    job = confirm_and_run(job, registry.user("township_a"))
    assert len(calls) == 2 and calls[0] > 0  # the first chunk was written, the second failed
    assert job.status == ImportJob.Status.FAILED and "没有写入任何数据" in job.message
    assert Person.objects.count() == before
    assert not AuditEntry.objects.filter(action=AuditAction.CREATE).exists()
    failure = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert failure.result == AuditResult.FAILURE
    assert verify_chain().ok
    # The rows are still there: the user may confirm again.
    assert ImportRow.objects.filter(job=job).count() == job.rows_total


@pytest.mark.parametrize("fork", [False, True])
def test_a_write_in_many_chunks_chains_the_audit_rows_in_line_order(
    registry, tmp_path, monkeypatch, fork
):
    """Chunks are prepared ahead (for a large ledger in a forked process) of the previous
    one's insert: ids, CREATE rows and the chain come out as one chunk would make them."""
    monkeypatch.setattr(services, "WRITE_CHUNK", 2)
    monkeypatch.setattr(write, "_prepares_forked", lambda job: fork)
    forked = spy_on_forked_preparing(monkeypatch)
    job = confirm_and_run(checked_job(registry, tmp_path), registry.user("township_a"))
    assert job.status == ImportJob.Status.DONE and job.imported_count > 4
    created = list(
        AuditEntry.objects.filter(action=AuditAction.CREATE)
        .order_by("seq")
        .values_list("object_id", "detail")
    )
    lines = [json.loads(detail)["import"]["line"] for _id, detail in created]
    ids = [int(object_id) for object_id, _detail in created]
    assert len(created) == job.imported_count and lines == sorted(lines) and ids == sorted(ids)
    written = Person.objects.filter(pk__in=ids)
    assert written.count() == len(ids) and set(written.values_list("pk", flat=True)) == set(ids)
    assert category_bits_drift() == {} and verify_chain().ok
    # Prepared by another process when asked to (else the test would pass without one).
    assert forked() == fork


def spy_on_forked_preparing(monkeypatch):
    """() -> whether any chunk came back prepared by a process other than this one."""
    real, pids = write.prepare_chunk, []

    def prepare_chunk(*args):
        chunk = real(*args)
        chunk.audit[0]["preparing_pid"] = os.getpid()  # not a column: insert_chained skips it
        return chunk

    monkeypatch.setattr(write, "prepare_chunk", prepare_chunk)
    real_insert = write.insert_chunk

    def insert_chunk(chunk, user):
        pids.append(chunk.audit[0].pop("preparing_pid"))
        return real_insert(chunk, user)

    monkeypatch.setattr(write, "insert_chunk", insert_chunk)
    return lambda: any(pid != os.getpid() for pid in pids)


@pytest.mark.parametrize("fork", [False, True])
def test_a_failure_while_preparing_a_chunk_writes_nothing(registry, tmp_path, monkeypatch, fork):
    monkeypatch.setattr(write, "_prepares_forked", lambda job: fork)
    job = checked_job(registry, tmp_path)
    before = Person.objects.count()
    real = write.prepare_chunk

    # The third chunk of two rows fails (told by its lines: a forked process has its own
    # copy of anything this test would count in).
    importable = ImportRow.objects.filter(job=job, state__in=[RowState.OK, RowState.WARNING])
    third = sorted(importable.values_list("line", flat=True))[4]

    def fail_on_third_chunk(rows, *args):
        if rows[0][0] >= third:
            raise ValueError("bad value")
        return real(rows, *args)

    monkeypatch.setattr(services, "WRITE_CHUNK", 2)
    monkeypatch.setattr(write, "prepare_chunk", fail_on_third_chunk)
    job = confirm_and_run(job, registry.user("township_a"))
    assert job.status == ImportJob.Status.FAILED
    assert Person.objects.count() == before
    assert not AuditEntry.objects.filter(action=AuditAction.CREATE).exists()
    assert verify_chain().ok


def test_a_failed_write_can_be_confirmed_again(registry, tmp_path, monkeypatch):
    job = checked_job(registry, tmp_path)
    monkeypatch.setattr(write, "insert_chunk", lambda *a: (_ for _ in ()).throw(RuntimeError))
    job = confirm_and_run(job, registry.user("township_a"))
    assert job.status == ImportJob.Status.FAILED
    monkeypatch.undo()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATED)
    job.refresh_from_db()
    job = confirm_and_run(job, registry.user("township_a"))
    assert job.status == ImportJob.Status.DONE and job.imported_count > 0


def test_a_person_registered_after_the_preview_is_reported_not_imported_twice(registry, tmp_path):
    job = checked_job(registry, tmp_path)
    importable = job.importable_count
    late = make_person("王建国", "330599101201", ["06"])
    late.id_number = lf.ID_WANG
    late.save()
    job = confirm_and_run(job, registry.user("township_a"))
    assert job.imported_count == importable - 1
    assert Person.objects.filter(id_number_index=late.id_number_index).count() == 1
    row = ImportRow.objects.get(job=job, line=5)
    assert row.state == "error" and "预览之后" in row.issues[-1][2]
    assert job.rows_total == job.imported_count + job.not_imported_count


def test_likely_duplicates_are_left_out_when_the_user_says_so(registry, tmp_path):
    job = checked_job(registry, tmp_path)
    assert job.duplicate_count == 2  # 赵德明 (name + birth), 柳扬 (pinyin + birth)
    job = confirm_and_run(job, registry.user("township_a"), skip_duplicates=True)
    assert job.imported_count == job.ok_count + job.warning_count - 2
    assert not Person.objects.filter(name="柳扬").exists()
    assert Person.objects.filter(name="赵德明").count() == 1  # only the registry's


def test_a_job_is_confirmed_once(registry, tmp_path):
    job = confirm_and_run(checked_job(registry, tmp_path), registry.user("township_a"))
    with pytest.raises(services.ImportRefused):
        services.do_confirm(registry.user("township_a"), job)


def test_discarding_drops_the_rows_and_writes_nothing(registry, tmp_path):
    job = checked_job(registry, tmp_path)
    before = Person.objects.count()
    services.do_discard(registry.user("township_a"), job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DISCARDED
    assert not ImportRow.objects.filter(job=job).exists() and Person.objects.count() == before
    with pytest.raises(services.ImportRefused):
        services.do_confirm(registry.user("township_a"), job)


def test_the_report_lists_every_row_with_outcome_and_masked_id(registry, tmp_path):
    job = confirm_and_run(checked_job(registry, tmp_path), registry.user("township_a"))
    path = tmp_path / "report.xlsx"
    written = services.do_write_report(registry.user("township_a"), job, path)
    assert written == job.rows_total
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert "township_a" in rows[1][0]  # the watermark line: who exported, when
    table = {int(r[0]): r for r in rows[4:]}
    assert table[5][1] == "已导入" and table[5][4] == lf.ID_WANG[:6] + "********" + lf.ID_WANG[-4:]
    assert table[7][1] == "未导入" and "被电子表格当成数字" in table[7][7]
    assert table[17][1] == "未导入" and "合计/小计行" in table[17][7]
    assert sum(1 for r in table.values() if r[1] == "已导入") == job.imported_count
    assert lf.ID_WANG not in repr(rows)
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(job.pk)).exists()


# --- the command line --------------------------------------------------------------------------


def test_the_command_imports_prints_the_summary_and_writes_the_report(registry, tmp_path):
    path = lf.write_messy_xlsx(tmp_path / "messy.xlsx")
    report = tmp_path / "out.xlsx"
    out, err = StringIO(), StringIO()
    call_command(
        "import_people",
        str(path),
        "--user",
        "township_a",
        "--report",
        str(report),
        stdout=out,
        stderr=err,
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    text = out.getvalue()
    assert f"数据行 {job.rows_total} = 正常 {job.ok_count}" in text
    assert f"已导入 {job.imported_count} 人" in text and str(report) in text
    assert "检查 [" in err.getvalue() and "100%" in err.getvalue()
    assert report.exists()
    assert Person.objects.filter(name="王建国").exists()


def test_the_command_dry_run_writes_no_person(registry, tmp_path):
    path = lf.write_csv(tmp_path / "a.csv")
    before = Person.objects.count()
    out = StringIO()
    call_command(
        "import_people",
        str(path),
        "--user",
        "township_a",
        "--dry-run",
        "--report",
        str(tmp_path / "r.xlsx"),
        stdout=out,
        stderr=StringIO(),
    )
    assert "未写入" in out.getvalue() and Person.objects.count() == before


def test_the_command_refuses_a_user_who_may_not_create_persons(registry, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有新增统战对象的权限"):
        call_command("import_people", str(lf.write_csv(tmp_path / "a.csv")), "--user", "leader")


# --- the background worker -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_checks_and_writes_a_queued_import(world, tmp_path, settings):
    pytest.importorskip("django_tasks_db")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = lf.write_csv(tmp_path / "a.csv")
    user = world.user("township_a")
    with open(path, "rb") as handle:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("a.csv", handle.read())
    job = services.do_upload(user, upload, "a.csv", upload.size, {})
    assert job.status == ImportJob.Status.UPLOADED  # queued, not run in the request
    call_command("worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED and job.rows_total == 4
    services.do_confirm(user, job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING
    assert not Person.objects.filter(name="欧阳明").exists()
    call_command("worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.imported_count == 2
    assert Person.objects.filter(name="欧阳明").exists()


def test_files_left_behind_are_swept_after_a_day(world, settings):
    import os
    import time

    folder = settings.IMPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / "9-old.xlsx", folder / "10-new.xlsx"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    assert services.sweep_stale_files() == 1
    assert not old.exists() and fresh.exists()


def test_a_job_whose_worker_stopped_can_be_discarded_after_an_hour(registry, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    job = checked_job(registry, tmp_path)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING)
    job.refresh_from_db()
    with pytest.raises(services.ImportRefused):
        services.do_discard(registry.user("township_a"), job)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=2))
    job.refresh_from_db()
    assert job.is_stale
    services.do_discard(registry.user("township_a"), job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DISCARDED


def test_record_many_chains_exactly_as_record_would(world):
    from tongzhan.audit.services import chain_mac, record, record_many

    record(AuditAction.LOGIN, user=world.user("township_a"))
    record_many(
        {"action": AuditAction.CREATE, "user": world.user("township_a"), "obj": person}
        for person in (world.person_a1, world.person_a2)
    )
    record(AuditAction.LOGOUT, user=world.user("township_a"))
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 5))
    previous = ""
    for entry in entries:  # read back from the database: what is stored is what was hashed
        fields = ("seq", "time", "user_id", "username", "ip", "action", "object_type")
        fields += ("object_id", "object_repr", "result", "detail")
        assert entry.mac == chain_mac([getattr(entry, f) for f in fields], previous)
        previous = entry.mac
    assert entries[1].object_repr == "张青山" and verify_chain().ok


def test_a_preparing_process_that_touches_the_database_fails_the_write_and_writes_nothing(
    registry, tmp_path, monkeypatch
):
    monkeypatch.setattr(write, "_prepares_forked", lambda job: True)
    real = write.prepare_chunk

    def prepare_that_queries(*args):
        Person.objects.count()  # forbidden in the preparing process: the socket is ours
        return real(*args)

    monkeypatch.setattr(write, "prepare_chunk", prepare_that_queries)
    job = checked_job(registry, tmp_path)
    before = Person.objects.count()
    job = confirm_and_run(job, registry.user("township_a"))
    assert job.status == ImportJob.Status.FAILED
    assert Person.objects.count() == before
    assert not AuditEntry.objects.filter(action=AuditAction.CREATE).exists()
    assert verify_chain().ok
