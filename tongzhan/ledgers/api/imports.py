"""Ledger imports over the API: upload (multipart), status with every row's result,
confirm, discard, report. The same services and rules as the pages; a job is seen only
by the user who uploaded it (404 for anyone else)."""

from datetime import datetime

from django.http import Http404
from ninja import Field, File, Form, Query, Schema, Status, UploadedFile

from tongzhan.people.access import can_create

from .. import services
from ..import_forms import ImportUploadForm
from ..models import ImportJob, ImportRow, RowState
from ..views.imports import report_response
from . import router


class Message(Schema):
    detail: str


class FieldErrors(Schema):
    detail: list[dict]


class Issue(Schema):
    level: str = Field(description="error / warning / skipped")
    column: str = Field(description="文件中的列名")
    message: str


class RowOut(Schema):
    line: int = Field(description="Excel 中的行号")
    state: str = Field(description="ok / warning / error / skipped")
    duplicate: bool = Field(description="疑似重复（同名或同拼音且出生日期相同）")
    name: str
    id_number_masked: str
    region: str
    issues: list[Issue]
    matches: list[dict] = Field(description="可能重复的已有记录；管辖范围外的不含姓名")


class JobOut(Schema):
    id: int
    file_name: str
    status: str = Field(
        description="uploaded / validating / validated / importing / done / failed / discarded"
    )
    message: str
    progress_done: int
    progress_total: int
    rows_total: int = Field(description="数据行（不含空行）= 已导入 + 未导入")
    rows_blank: int
    ok: int
    warning: int
    error: int
    skipped: int
    duplicates: int
    importable: int = Field(description="确认后将写入的行数")
    imported: int
    created_at: datetime
    validated_at: datetime | None
    finished_at: datetime | None


class JobDetailOut(JobOut):
    rows: list[RowOut]
    rows_matching: int = Field(description="符合 state 条件的行数（分页前）")


class RowQuery(Schema):
    state: str = Field(
        "", description="只列出该状态的行：ok / warning / error / skipped / duplicate"
    )
    offset: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=1000)


class ConfirmQuery(Schema):
    skip_duplicates: bool = Field(False, description="疑似重复的行不导入")


def _own(request, job_id: int) -> ImportJob:
    if not can_create(request.auth):
        raise Http404
    job = ImportJob.objects.filter(user=request.auth, pk=job_id).first()
    if job is None:
        raise Http404
    return job


def job_out(job: ImportJob) -> dict:
    done, total = services.read_progress(job)
    return {
        "id": job.pk,
        "file_name": job.file_name,
        "status": job.status,
        "message": job.message,
        "progress_done": done,
        "progress_total": total,
        "rows_total": job.rows_total,
        "rows_blank": job.rows_blank,
        "ok": job.ok_count,
        "warning": job.warning_count,
        "error": job.error_count,
        "skipped": job.skipped_count,
        "duplicates": job.duplicate_count,
        "importable": job.importable_count if job.validated_at else 0,
        "imported": job.imported_count,
        "created_at": job.created_at,
        "validated_at": job.validated_at,
        "finished_at": job.finished_at,
    }


def row_out(row: ImportRow) -> dict:
    return {
        "line": row.line,
        "state": row.state,
        "duplicate": row.duplicate,
        "name": row.summary.get("name", ""),
        "id_number_masked": row.summary.get("id", ""),
        "region": row.summary.get("region", ""),
        "issues": [{"level": lv, "column": col, "message": msg} for lv, col, msg in row.issues],
        "matches": row.matches,
    }


@router.get("/imports", response=list[JobOut], summary="我的导入任务")
def list_imports(request):
    if not can_create(request.auth):
        raise Http404
    return [job_out(job) for job in ImportJob.objects.filter(user=request.auth)[:50]]


@router.post(
    "/imports",
    response={201: JobOut, 422: FieldErrors},
    summary="上传花名册（.xlsx / .csv），逐行检查",
)
def create_import(
    request,
    file: File[UploadedFile],
    default_region: Form[str] = "",
    default_categories: Form[list[str]] = None,
):
    if not can_create(request.auth):
        raise Http404
    data = {"default_region": default_region, "default_categories": default_categories or []}
    form = ImportUploadForm(data, {"file": file}, user=request.auth)
    if not form.is_valid():
        errors = [
            {"loc": ["body", name], "msg": str(message)}
            for name, messages in form.errors.items()
            for message in messages
        ]
        return Status(422, {"detail": errors})
    job = services.do_upload(request.auth, file, file.name, file.size, form.options())
    return Status(201, job_out(job))


@router.get(
    "/imports/{int:job_id}", response=JobDetailOut, summary="导入任务的状态、计数和逐行结果"
)
def get_import(request, job_id: int, query: Query[RowQuery]):
    job = _own(request, job_id)
    rows = ImportRow.objects.filter(job=job).order_by("line")
    if query.state in RowState.values:
        rows = rows.filter(state=query.state)
    elif query.state == "duplicate":
        rows = rows.filter(duplicate=True)
    page = rows.defer("data")[query.offset : query.offset + query.limit]
    return {**job_out(job), "rows": [row_out(r) for r in page], "rows_matching": rows.count()}


@router.post(
    "/imports/{int:job_id}/confirm",
    response={202: JobOut, 409: Message},
    summary="确认导入（后台一次写入，全部成功或全部撤销）",
)
def confirm_import(request, job_id: int, query: Query[ConfirmQuery]):
    job = _own(request, job_id)
    try:
        job = services.do_confirm(request.auth, job, skip_duplicates=query.skip_duplicates)
    except services.ImportRefused as exc:
        return Status(409, {"detail": str(exc)})
    return Status(202, job_out(job))


@router.post(
    "/imports/{int:job_id}/discard",
    response={200: JobOut, 409: Message},
    summary="放弃导入（删除检查结果，不写入）",
)
def discard_import(request, job_id: int):
    job = _own(request, job_id)
    try:
        job = services.do_discard(request.auth, job)
    except services.ImportRefused as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, job_out(job))


@router.get(
    "/imports/{int:job_id}/report",
    summary="下载导入报告（xlsx，身份证号脱敏；写审计记录）",
    openapi_extra={
        "responses": {
            200: {
                "description": "导入报告",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    }
                },
            }
        }
    },
)
def import_report(request, job_id: int):
    return report_response(_own(request, job_id), request.auth)
