"""Ledger imports: the only code that writes ImportJob, ImportRow and (through
importer.write) the persons an import creates.

upload → (worker) check every row → preview → confirm → (worker) write, one transaction
→ report. Nothing reaches the registry before confirm; the stored file is removed once
its rows are checked (the rows keep ID and phone numbers only encrypted).
"""

import logging
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhan.audit.context import RequestContext, current
from tongzhan.audit.models import AuditAction, AuditResult
from tongzhan.audit.services import record

from . import tasks
from .importer.fastsql import write_rows
from .importer.reader import SUPPORTED, LedgerFileError, read_ledger
from .importer.rows import JSON
from .importer.validate import CHUNK, check_ledger
from .importer.write import drop_late_conflicts, write_all
from .models import STALE_AFTER, ImportJob, ImportRow, RowState

logger = logging.getLogger(__name__)
MAX_FILE_BYTES = 50 * 1024 * 1024
WRITE_CHUNK = CHUNK  # persons created per bulk statement group
Status = ImportJob.Status


class ImportRefused(ValueError):
    """The upload or the action cannot be accepted; str() is a Chinese message."""


def import_dir() -> Path:
    path = Path(settings.IMPORT_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def progress_file(job: ImportJob) -> Path:
    return import_dir() / f"{job.pk}.progress"


# --- upload ---------------------------------------------------------------------------------


def check_upload(file_name: str, size: int) -> str:
    """The file's suffix, or ImportRefused with the reason."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUPPORTED:
        raise ImportRefused(_("不支持的文件类型：请上传 .xlsx、.xls、.xlsm、.ods 或 .csv 文件"))
    if size == 0:
        raise ImportRefused(_("文件是空的"))
    if size > MAX_FILE_BYTES:
        raise ImportRefused(
            _("文件超过 %(n)d MB，请分成几个文件导入") % {"n": MAX_FILE_BYTES >> 20}
        )
    return suffix


def do_upload(user, source, file_name: str, size: int, options: dict) -> ImportJob:
    """Store the file outside the web root, create the job and queue its check.

    `source` is an uploaded file (chunks()) or a path on disk (the CLI)."""
    suffix = check_upload(file_name, size)
    sweep_stale_files()
    with transaction.atomic():
        job = ImportJob.objects.create(
            user=user, file_name=Path(file_name).name[:200], file_size=size, options=options
        )
        job.stored_file = f"{job.pk}-{secrets.token_hex(8)}{suffix}"
        _store_file(source, import_dir() / job.stored_file)
        job.save(update_fields=["stored_file"])
        tasks.validate_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def sweep_stale_files(max_age_hours: int = 24) -> int:
    """Remove files a day old that no waiting job needs: an upload whose transaction
    rolled back, a worker that died. Returns how many were removed."""
    waiting = set(
        ImportJob.objects.filter(status__in=[Status.UPLOADED, Status.VALIDATING]).values_list(
            "stored_file", flat=True
        )
    )
    limit, removed = time.time() - max_age_hours * 3600, 0
    for path in import_dir().iterdir():
        if path.is_file() and path.name not in waiting and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _store_file(source, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        if isinstance(source, str | Path):
            with open(source, "rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 20)
        else:
            for chunk in source.chunks():
                out.write(chunk)


# --- checking (in the worker) ------------------------------------------------------------------


def validate_job(job_id: int, progress=None) -> ImportJob:
    """Check every row and store the results; the job ends validated or failed."""
    updated = ImportJob.objects.filter(pk=job_id, status=Status.UPLOADED).update(
        status=Status.VALIDATING
    )
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not updated:
        return job  # already checked (a task run twice)
    path = import_dir() / job.stored_file
    try:
        _check(job, path, progress)
    except LedgerFileError as exc:
        _fail(job, str(exc))
    except Exception:
        logger.exception("checking import job %s failed", job.pk)
        _fail(job, _("检查文件时出错，未写入任何数据。请确认文件能用 Excel 正常打开后重新上传。"))
    finally:
        path.unlink(missing_ok=True)
    return job


def _check(job: ImportJob, path: Path, progress) -> None:
    ledger = read_ledger(path, job.file_name)
    job.layout = {
        "sheet": ledger.sheet,
        "header_line": ledger.header_line,
        **ledger.layout.to_json(),
    }
    job.progress_total = max(ledger.estimated_rows - ledger.header_line, 0)
    job.save(update_fields=["layout", "progress_total"])

    def store(results) -> None:
        insert_rows(job, results)

    def advance(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress_done=done)
        if progress:
            progress(done, job.progress_total)

    totals = check_ledger(ledger, job.user, job.options, store, advance)
    job.rows_blank = totals.blank
    _recount(job)
    job.status, job.validated_at = Status.VALIDATED, timezone.now()
    job.save()


def insert_rows(job: ImportJob, results) -> None:
    """Store a chunk of row results with one executemany (COPY on PostgreSQL):
    bulk_create spends more time preparing 1,000 model instances' JSON fields than the
    database spends inserting them (a third of the whole check on 100,000 rows). Values are
    what the JSONFields read back."""
    table = connection.ops.quote_name(ImportRow._meta.db_table)
    columns = "job_id, line, state, duplicate, issues, summary, data, matches"
    # The table's own name; every value is a bound parameter.
    insert = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
    importable = (RowState.OK, RowState.WARNING)
    rows = [
        (
            job.pk,
            r.line,
            r.state,
            r.duplicate,
            # Most rows have neither issues nor matches: "[]" is their JSON, without the
            # encoder's call (two per row; profiled: 1.2 s of this process's 8.6 s CPU).
            JSON.encode(r.issues) if r.issues else "[]",
            r.summary_json or JSON.encode(r.summary),
            (r.data_json or JSON.encode(r.data)) if r.state in importable else "{}",
            JSON.encode(r.matches) if r.matches else "[]",
        )
        for r in results
    ]
    # One transaction: in autocommit, SQLite would commit each row of executemany alone.
    with transaction.atomic():
        write_rows(insert, f"COPY {table} ({columns}) FROM STDIN", rows)


def _recount(job: ImportJob) -> None:
    """The counts, from the stored rows (one query)."""
    counts = ImportRow.objects.filter(job=job).aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in RowState.values},
        duplicates=Count("pk", filter=Q(duplicate=True, state__in=[RowState.OK, RowState.WARNING])),
    )
    job.ok_count, job.warning_count = counts["ok"], counts["warning"]
    job.error_count, job.skipped_count = counts["error"], counts["skipped"]
    job.duplicate_count = counts["duplicates"]
    job.rows_total = sum(counts[state] for state in RowState.values)


def _fail(job: ImportJob, message: str) -> None:
    ImportRow.objects.filter(job=job).delete()
    job.status, job.message, job.finished_at = Status.FAILED, message[:500], timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])


# --- confirming and writing ----------------------------------------------------------------------


def do_confirm(user, job: ImportJob, skip_duplicates: bool = False) -> ImportJob:
    """Queue the write of a checked job; ImportRefused unless it is checked and unwritten."""
    options = {**job.options, "skip_duplicates": bool(skip_duplicates)}
    excluded = job.duplicate_count if skip_duplicates else 0
    if job.can_confirm and job.ok_count + job.warning_count - excluded <= 0:
        raise ImportRefused(_("没有可以导入的行：请改正文件中的错误后重新上传。"))
    context = current.get()
    options.update(ip=context.ip, via=context.via)
    # Checked and unwritten: waiting, or a write that failed (rolled back), or a write whose
    # worker stopped an hour ago (its transaction rolled back with it).
    confirmable = Q(status__in=[Status.VALIDATED, Status.FAILED], validated_at__isnull=False)
    stale = Q(status=Status.IMPORTING, confirmed_at__lt=timezone.now() - STALE_AFTER)
    with transaction.atomic():
        updated = ImportJob.objects.filter(confirmable | stale, pk=job.pk, user=user).update(
            status=Status.IMPORTING, confirmed_at=timezone.now(), options=options, message=""
        )
        if not updated:
            raise ImportRefused(_("该导入任务当前不能确认（可能已确认、已放弃或仍在检查中）。"))
        tasks.run_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def import_job(job_id: int, progress=None) -> ImportJob:
    """Write every importable row in ONE transaction; any failure writes nothing."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != Status.IMPORTING:
        return job
    token = current.set(RequestContext(ip=job.options.get("ip", ""), via="worker"))
    try:
        with transaction.atomic():
            _write(job, progress)
    except Exception as exc:
        logger.exception("import job %s failed; nothing was written", job.pk)
        _import_failed(job, exc)
    finally:
        progress_file(job).unlink(missing_ok=True)
        current.reset(token)
    return job


def _write(job: ImportJob, progress) -> None:
    total = job.importable_count
    chunks = (drop_late_conflicts(job, rows) for rows in importable_chunks(job))
    created = write_all(
        chunks, job.user, job, done=lambda count: _report_progress(job, count, total, progress)
    )
    _recount(job)
    job.imported_count = created
    job.status, job.finished_at = Status.DONE, timezone.now()
    job.save()
    record(AuditAction.IMPORT, user=job.user, obj=job, detail=_audit_detail(job))


def importable_chunks(job: ImportJob, size: int | None = None):
    """(line, data) of the rows confirming writes, in line order, a window of `size` lines
    at a time (at most `size` rows: a line is one row).

    Windows of lines rather than "the next `size` rows after the last line": the job's
    rows were all inserted moments ago, so PostgreSQL's statistics do not know them and it
    planned "next rows" as a bitmap scan and sort of every row still to come (25 ms a page,
    4.7 s of a 100,000-row write); a window is a plain range of the (job, state, line)
    index whatever the statistics say."""
    size = size or WRITE_CHUNK
    rows = ImportRow.objects.filter(job=job, state__in=[RowState.OK, RowState.WARNING])
    if job.options.get("skip_duplicates"):
        rows = rows.filter(duplicate=False)
    lines = ImportRow.objects.filter(job=job).aggregate(first=Min("line"), last=Max("line"))
    if lines["first"] is None:
        return
    for start in range(lines["first"] - 1, lines["last"], size):
        window = rows.filter(line__gt=start, line__lte=start + size)
        page = list(window.order_by("line").values_list("line", "data"))
        if page:
            yield page


def _report_progress(job: ImportJob, done: int, total: int, progress) -> None:
    # The write is one transaction: other connections cannot see a counter in the
    # database until it ends, so the running count goes to a small file.
    temporary = progress_file(job).with_suffix(".tmp")
    temporary.write_text(f"{done} {total}")
    temporary.replace(progress_file(job))
    if progress:
        progress(done, total)


def _audit_detail(job: ImportJob) -> dict:
    return {
        "file": job.file_name,
        "rows": job.rows_total,
        "imported": job.imported_count,
        "not_imported": job.not_imported_count,
        "ok": job.ok_count,
        "warning": job.warning_count,
        "error": job.error_count,
        "skipped": job.skipped_count,
        "duplicates": job.duplicate_count,
        "skip_duplicates": bool(job.options.get("skip_duplicates")),
        "blank_rows": job.rows_blank,
    }


def _import_failed(job: ImportJob, exc: Exception) -> None:
    job.refresh_from_db()
    job.status, job.finished_at = Status.FAILED, timezone.now()
    job.message = _("导入时出错（%(e)s），已全部撤销，没有写入任何数据；可稍后重新确认导入。") % {
        "e": type(exc).__name__
    }
    job.save(update_fields=["status", "finished_at", "message"])
    record(
        AuditAction.IMPORT,
        user=job.user,
        obj=job,
        result=AuditResult.FAILURE,
        detail={"file": job.file_name, "error": type(exc).__name__},
    )


def read_progress(job: ImportJob) -> tuple[int, int]:
    """(done, total) of the running step."""
    if job.status == Status.IMPORTING:
        try:
            done, total = progress_file(job).read_text().split()
            return int(done), int(total)
        except (OSError, ValueError):
            return 0, job.importable_count
    return job.progress_done, job.progress_total


# --- giving up -------------------------------------------------------------------------------------


def do_discard(user, job: ImportJob) -> ImportJob:
    """Drop a checked (or failed, or stale) job and its rows; nothing had been written."""
    stale = timezone.now() - STALE_AFTER
    droppable = (
        Q(status__in=[Status.VALIDATED, Status.FAILED])
        | Q(status__in=[Status.UPLOADED, Status.VALIDATING], created_at__lt=stale)
        | Q(status=Status.IMPORTING, confirmed_at__lt=stale)
    )
    with transaction.atomic():
        updated = ImportJob.objects.filter(droppable, pk=job.pk, user=user).update(
            status=Status.DISCARDED, finished_at=timezone.now()
        )
        if not updated:
            raise ImportRefused(_("该导入任务当前不能放弃。"))
        ImportRow.objects.filter(job=job).delete()
    if job.stored_file:
        (import_dir() / job.stored_file).unlink(missing_ok=True)
    job.refresh_from_db()
    return job


# --- the report -------------------------------------------------------------------------------------


def do_write_report(user, job: ImportJob, target) -> int:
    """Write the report (.xlsx, IDs masked) to a path or binary file; an export of personal
    data, so it writes an EXPORT audit row. Returns the rows written."""
    from .importer.report import write_report

    written = write_report(job, target, user)
    record(
        AuditAction.EXPORT,
        user=user,
        obj=job,
        detail={"kind": "import_report", "file": job.file_name, "rows": written},
    )
    return written


# --- the command line and the benchmark --------------------------------------------------------------


@dataclass
class ImportRun:
    """An import run from start to end, with the time each step took."""

    job: ImportJob
    check_seconds: float
    write_seconds: float

    @property
    def rows_per_second(self) -> float:
        seconds = self.check_seconds + self.write_seconds
        return self.job.rows_total / seconds if seconds else 0.0


def run_import(path, user, dry_run: bool = False, options=None, progress=None) -> ImportRun:
    """Check (and unless dry_run, write) a ledger file in this process, without the worker:
    the CLI's path and what the benchmark times. The confirm step is implied."""
    path = Path(path)
    start = time.perf_counter()
    job = ImportJob.objects.create(
        user=user, file_name=path.name[:200], file_size=path.stat().st_size, options=options or {}
    )
    job.stored_file = f"{job.pk}-{secrets.token_hex(8)}{check_upload(path.name, job.file_size)}"
    _store_file(path, import_dir() / job.stored_file)
    job.save(update_fields=["stored_file"])
    job = validate_job(job.pk, progress=_phase(progress, "check"))
    checked = time.perf_counter()
    if not dry_run and job.status == Status.VALIDATED and job.importable_count:
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.IMPORTING,
            confirmed_at=timezone.now(),
            options={**job.options, "via": "cli"},
        )
        job = import_job(job.pk, progress=_phase(progress, "write"))
    return ImportRun(job, checked - start, time.perf_counter() - checked)


def _phase(progress, name: str):
    if progress is None:
        return None
    return lambda done, total: progress(name, done, total)
