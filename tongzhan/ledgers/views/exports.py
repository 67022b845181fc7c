"""Export pages: the 名册 (xlsx) and 登记表 (PDF) of the person list's current filter,
and one person's 登记表. Only roles with the EXPORT permission see them (404 otherwise)."""

import logging
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhan.core.models import Region
from tongzhan.core.scope import OutOfScope, access_object
from tongzhan.lib import pdf
from tongzhan.people.models import Person

from .. import exports

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_export(user) -> None:
    if not exports.can_export(user):
        raise Http404


class ExportForm(forms.Form):
    """What to export; the unmasked choice exists only for roles that may use it."""

    kind = forms.ChoiceField(
        label=gettext_lazy("导出内容"),
        widget=forms.RadioSelect,
        initial=exports.ROSTER,
        choices=[
            (exports.ROSTER, gettext_lazy("统战对象名册（Excel）")),
            (exports.REPRESENTATIVES, gettext_lazy("党外代表人士名册（Excel）")),
            (exports.REGISTRATION, gettext_lazy("登记表（PDF，每人一页）")),
        ],
    )
    unmasked = forms.BooleanField(
        label=gettext_lazy("导出完整的身份证号和联系电话（不脱敏）"),
        required=False,
        help_text=gettext_lazy("仅限确有工作需要时选择；导出记录写入审计日志。登记表始终脱敏。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        if exports.can_export_unmasked(user):
            self.fields["unmasked"].widget.attrs["class"] = "form-check-input"
        else:
            del self.fields["unmasked"]

    def clean(self):
        data = super().clean()
        if data.get("unmasked") and data.get("kind") == exports.REGISTRATION:
            self.add_error("unmasked", _("登记表只提供脱敏版本。"))
        return data


@login_required
def export_people(request):
    """GET: what will be exported (the list's filter, the count); POST: the file."""
    user = request.user
    require_export(user)
    people, filters = exports.filtered_people(user, request.GET)
    form = ExportForm(request.POST or None, user=user)
    if request.method == "POST" and people is not None and form.is_valid():
        response = _export_response(request, form, people, filters)
        if response is not None:
            return response
    return render(
        request,
        "ledgers/export_people.html",
        {
            "form": form,
            "filters": filters,
            "count": people.count() if people is not None else None,
            "summary": filter_summary(filters),
            "query": request.GET.urlencode(),
            "limit": exports.BATCH_LIMIT,
        },
    )


def _export_response(request, form, people, filters):
    kind, unmasked = form.cleaned_data["kind"], form.cleaned_data.get("unmasked", False)
    logged = exports.audit_filters(filters)
    if kind == exports.REGISTRATION:
        return _batch_response(request, form, people, logged)
    region = filters.cleaned_data.get("region", "")
    path = exports.export_people(
        request.user, people, kind, unmasked, filters=logged, region_code=region
    )
    meta = exports.sheet_meta(request.user, kind, region)
    return file_response(path, exports.download_name(meta, "xlsx"), XLSX)


def _batch_response(request, form, people, filters):
    """The batch 登记表, or None with a form error when the filter holds none or too many."""
    problem = exports.batch_problem(people.count())
    if problem:
        form.add_error(None, problem)
        return None
    persons = list(exports.registration_people(people))
    name = _("登记表-%(date)s.pdf") % {"date": f"{timezone.localtime():%Y%m%d}"}
    return pdf_response(request, persons, name, filters=filters)


@login_required
def registration_pdf(request, pk):
    """One person's 登记表, in scope only (404 otherwise)."""
    require_export(request.user)
    person = registration_person(request.user, pk)
    name = _("%(name)s-登记表.pdf") % {"name": person.name}
    return pdf_response(request, [person], name)


def registration_person(user, pk) -> Person:
    queryset = exports.registration_people(Person.objects.all())
    try:
        return access_object(queryset, user, pk, "view")
    except OutOfScope as exc:
        raise Http404 from exc


def pdf_response(request, persons, filename, *, filters=None):
    """The PDF inline (the browser shows it; printing is one click), or a page that says
    why it cannot be made when the CJK font is missing."""
    try:
        content = exports.export_registration(request.user, persons, filters=filters)
    except pdf.CJKFontMissing as exc:
        logger.error("登记表 PDF unavailable: %s", exc)
        return render(request, "ledgers/pdf_unavailable.html", {"reason": str(exc)}, status=503)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def file_response(path: Path, filename: str, content_type: str) -> FileResponse:
    """Send a temporary file and delete it: unlinked now, freed when the response closes."""
    handle = path.open("rb")
    path.unlink(missing_ok=True)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def filter_summary(form) -> list[tuple[str, str]]:
    """The list's filter as (label, value) pairs for the page, choices by their labels."""
    summary = []
    for name, field in form.fields.items():
        value = str(form.data.get(name, "")).strip()
        if not value:
            continue
        choices = {str(k): str(v) for k, v in getattr(field, "choices", [])}
        if isinstance(field, forms.BooleanField):
            value = _("是")
        elif name == "region":
            # A code means little to the reader: its name with it, as the region picker shows.
            found = Region.objects.filter(code=value).values_list("name", flat=True).first()
            value = _("%(name)s（%(code)s）") % {"name": found, "code": value} if found else value
        summary.append((str(field.label), choices.get(value, value)))
    return summary
