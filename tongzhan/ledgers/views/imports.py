"""Import pages: upload a 花名册, watch it being checked, read every row's state, confirm
(or give up), follow the write, download the report.

Only users who may create persons import (404 for others); a job is seen only by the
user who uploaded it (404 for anyone else, as for anything out of scope).
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhan.people.access import can_create, require

from .. import services
from ..import_forms import ImportConfirmForm, ImportUploadForm
from ..importer.report import outcome
from ..models import ImportJob, ImportRow, RowState

ROWS_PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def own_job(user, pk: int) -> ImportJob:
    """The user's own job, or 404 (someone else's job is as good as missing)."""
    require(can_create(user))
    job = ImportJob.objects.filter(user=user, pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
def import_list(request):
    require(can_create(request.user))
    jobs = ImportJob.objects.filter(user=request.user)[:50]
    return render(request, "ledgers/import_list.html", {"jobs": jobs})


@login_required
def import_new(request):
    require(can_create(request.user))
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.do_upload(request.user, upload, upload.name, upload.size, form.options())
        except services.ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("ledgers:import_detail", pk=job.pk)
    return render(request, "ledgers/import_new.html", {"form": form})


@login_required
def import_detail(request, pk):
    job = own_job(request.user, pk)
    state = request.GET.get("state", "")
    rows = ImportRow.objects.filter(job=job).order_by("line")
    if state in RowState.values:
        rows = rows.filter(state=state)
    elif state == "duplicate":
        rows = rows.filter(duplicate=True)
    page = Paginator(
        rows.only("line", "state", "duplicate", "issues", "summary", "matches"), ROWS_PER_PAGE
    )
    page = page.get_page(request.GET.get("page"))
    for row in page:
        row.outcome = outcome(job, row.state, row.duplicate)
        row.problems = [(column, message) for _level, column, message in row.issues]
    context = {
        "job": job,
        "page": page,
        "state": state,
        "states": [("", _("全部"))] + list(RowState.choices) + [("duplicate", _("疑似重复"))],
        "confirm_form": ImportConfirmForm(),
        "layout_columns": _layout_columns(job),
        **_progress_context(job),
    }
    return render(request, "ledgers/import_detail.html", context)


def _layout_columns(job: ImportJob) -> list[tuple[str, str]]:
    """(the file's header, the field it was read as) for the preview."""
    from ..importer.columns import label

    headers = job.layout.get("headers", [])
    return [
        (headers[index] if index < len(headers) else "", label(key))
        for key, index in sorted(job.layout.get("columns", {}).items(), key=lambda kv: kv[1])
    ]


def _progress_context(job: ImportJob) -> dict:
    done, total = services.read_progress(job)
    percent = min(100, round(100 * done / total)) if total else 0
    return {"progress_done": done, "progress_total": total, "progress_percent": percent}


@login_required
def import_progress(request, pk):
    """The progress bar, polled by htmx while the job runs; a finished job reloads the page."""
    job = own_job(request.user, pk)
    if not job.is_running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "ledgers/import_progress.html", {"job": job, **_progress_context(job)})


@login_required
@require_POST
def import_confirm(request, pk):
    job = own_job(request.user, pk)
    form = ImportConfirmForm(request.POST)
    skip = form.is_valid() and form.cleaned_data["skip_duplicates"]
    try:
        services.do_confirm(request.user, job, skip_duplicates=skip)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("ledgers:import_detail", pk=job.pk)


@login_required
@require_POST
def import_discard(request, pk):
    job = own_job(request.user, pk)
    try:
        services.do_discard(request.user, job)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:import_detail", pk=job.pk)
    messages.success(request, _("已放弃导入“%(f)s”，没有写入任何数据。") % {"f": job.file_name})
    return redirect("ledgers:import_list")


@login_required
def import_report(request, pk):
    job = own_job(request.user, pk)
    return report_response(job, request.user)


def report_response(job: ImportJob, user) -> FileResponse:
    """The report as a download; an export of personal data (masked), so it is audited."""
    if job.validated_at is None:
        raise Http404  # nothing checked yet (or the file could not be read)
    # FileResponse closes the file once it is sent; closing a TemporaryFile deletes it.
    handle = tempfile.TemporaryFile(dir=services.import_dir())  # noqa: SIM115
    services.do_write_report(user, job, handle)
    handle.seek(0)
    name = _("导入报告-%(f)s.xlsx") % {"f": job.file_name.rsplit(".", 1)[0]}
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
