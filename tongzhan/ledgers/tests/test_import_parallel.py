"""Checking a large ledger in forked processes gives what checking it here gives."""

import os
import pickle
import subprocess
import sys
import time
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from tongzhan.ledgers import services
from tongzhan.ledgers.importer import validate
from tongzhan.ledgers.importer.rows import RowResult
from tongzhan.ledgers.models import ImportRow
from tongzhan.ledgers.tests import ledger_files as lf
from tongzhan.lib import crypto
from tongzhan.people.models import Person

ENCRYPTED = ("id_number_encrypted", "phone_encrypted")


def stored_rows(job) -> list[tuple]:
    """The stored row results; ciphertexts (random nonces) compared by their plaintext."""
    rows = []
    for row in ImportRow.objects.filter(job=job).order_by("line"):
        data = dict(row.data)
        for key in ENCRYPTED:
            if key in data:
                data[key] = crypto.decrypt(data[key])
        rows.append(
            (row.line, row.state, row.duplicate, row.issues, row.summary, data, row.matches)
        )
    return rows


def check(world, tmp_path, settings, processes: int, name: str):
    settings.IMPORT_CHECK_PROCESSES = processes
    path = lf.write_messy_xlsx(tmp_path / name)
    job = services.run_import(path, world.user("township_a"), dry_run=True).job
    return job, stored_rows(job)


def spy_on_checking_processes(monkeypatch, folder: Path):
    """A function giving the ids of the processes that checked rows: each process that
    checks a chunk writes its id to a file of `folder` (a result carries only its fields
    back across processes)."""
    real_check_rows = validate._check_rows
    log = folder / "checked_by.txt"

    def check_rows(chunk, checker):
        with log.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real_check_rows(chunk, checker)

    monkeypatch.setattr(validate, "_check_rows", check_rows)
    return lambda: {int(line) for line in log.read_text().split()} if log.exists() else set()


@pytest.fixture
def small_chunks(monkeypatch):
    # The messy ledger is a few dozen rows: chunks of 4 spread it over many processes'
    # work, and the duplicates within the file fall in different chunks.
    monkeypatch.setattr(validate, "CHUNK", 4)
    monkeypatch.setattr(validate, "PARALLEL_FROM_ROWS", 0)


def test_checking_in_processes_stores_the_same_results_in_file_order(
    registry, tmp_path, settings, small_chunks, monkeypatch
):
    here, expected = check(registry, tmp_path, settings, 0, "here.xlsx")
    checked_by = spy_on_checking_processes(monkeypatch, tmp_path)
    forked, results = check(registry, tmp_path, settings, 2, "forked.xlsx")
    # The rows were checked by the forked processes, not here.
    assert checked_by() and os.getpid() not in checked_by()
    assert len(expected) > 20
    assert results == expected
    counts = ("rows_total", "ok_count", "warning_count", "error_count", "skipped_count")
    counts += ("duplicate_count", "rows_blank")
    assert [getattr(forked, c) for c in counts] == [getattr(here, c) for c in counts]
    assert forked.status == here.status == "validated"
    # The messy ledger's defects are all still found (states as the single-process run).
    assert {state for _line, state, *_rest in results} >= {"ok", "warning", "error", "skipped"}


def test_a_row_result_comes_back_from_a_checking_process_whole():
    result = RowResult(
        line=7,
        state="warning",
        issues=[["warning", "民族", "无法识别"]],
        summary={"name": "许登记"},
        data={"name": "许登记"},
        duplicate=True,
        matches=[{"id": None, "name": "", "region": "", "rule": "name"}],
        id_index="f" * 64,
        name_key="许登记",
        pinyin=frozenset({"xudengji"}),
        birth=date(1971, 1, 1),
        month_only=True,
        summary_json="{}",
        data_json="{}",
    )
    # Every field set to something other than its default, so a field left out fails.
    defaults = RowResult(line=0)
    assert all(getattr(result, f.name) != getattr(defaults, f.name) for f in fields(RowResult))
    copy = pickle.loads(pickle.dumps(result, pickle.HIGHEST_PROTOCOL))  # noqa: S301
    assert copy == result and copy is not result


def test_a_checking_process_that_touches_the_database_fails_the_job_and_writes_nothing(
    registry, tmp_path, settings, small_chunks, monkeypatch
):
    from tongzhan.ledgers.importer.rows import RowChecker

    real_check = RowChecker.check

    def check_that_queries(self, line, row):
        Person.objects.count()  # forbidden in a checking process: the socket is the parent's
        return real_check(self, line, row)

    monkeypatch.setattr(RowChecker, "check", check_that_queries)
    settings.IMPORT_CHECK_PROCESSES = 2
    before = Person.objects.count()
    path = lf.write_messy_xlsx(tmp_path / "queries.xlsx")
    job = services.run_import(path, registry.user("township_a"), dry_run=False).job
    assert job.status == "failed"
    assert "未写入任何数据" in job.message
    assert Person.objects.count() == before
    # The importing process's own connection still works after its children's attempt.
    assert Person.objects.filter(pk__gt=0).exists()


def test_a_small_ledger_is_checked_in_the_importing_process(registry, tmp_path, settings):
    settings.IMPORT_CHECK_PROCESSES = 2

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for a small ledger")

    import multiprocessing

    context = multiprocessing.get_context("fork")
    original = type(context).Pool
    type(context).Pool = no_pool
    try:
        job, rows = check(registry, tmp_path, settings, 2, "small.xlsx")
    finally:
        type(context).Pool = original
    assert job.status == "validated" and rows


POOL_THEN_SLEEP = """
import multiprocessing, os, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzhan.settings")
import django
django.setup()
from tongzhan.ledgers.importer import validate
with validate.checked_chunks(object(), 2):
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(120)
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\\tZ" not in status.split("State:", 1)[1].splitlines()[0]  # a zombie has left


def test_checking_processes_leave_when_the_importing_process_is_killed():
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", POOL_THEN_SLEEP], stdout=subprocess.PIPE, text=True
    )
    try:
        workers = [int(pid) for pid in process.stdout.readline().split()]
        assert len(workers) == 2 and all(_running(pid) for pid in workers)
    finally:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_running(pid) for pid in workers)
