"""Exports over the API: the 名册 (xlsx) and 登记表 (PDF), with the person list's
filters. Roles without the EXPORT permission get 404, like anything out of scope."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.errors import HttpError

from tongzhan.lib import pdf
from tongzhan.people.api.lists import PersonFilters
from tongzhan.people.models import Person

from .. import exports
from ..views.exports import XLSX, file_response, registration_person
from . import router


class Problem(Schema):
    detail: str


class QueryErrors(Schema):
    detail: list[dict]


class ExportQuery(PersonFilters):
    """The person list's parameters (the page is ignored), and the unmasked choice."""

    unmasked: bool = Field(
        False,
        description="导出完整的身份证号和联系电话；需“查看完整证件号码”和“导出”权限，写入审计日志",
    )

    def form_data(self) -> dict[str, str]:
        data = super().form_data()
        data.pop("unmasked", None)
        return data


def _binary(content_type: str, description: str) -> dict:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _people(request, params: dict):
    """(persons, form, None), or (None, form, a 422 answer) when a filter is invalid."""
    if not exports.can_export(request.auth):
        raise Http404
    people, form = exports.filtered_people(request.auth, params)
    if people is None:
        errors = [
            {"loc": ["query", name] if name != "__all__" else ["query"], "msg": str(message)}
            for name, messages in form.errors.items()
            for message in messages
        ]
        return None, form, Status(422, {"detail": errors})
    return people, form, None


def _book(request, query: ExportQuery, kind: str):
    people, form, error = _people(request, query.form_data())
    if error is not None:
        return error
    if query.unmasked and not exports.can_export_unmasked(request.auth):
        raise HttpError(403, _("您没有导出未脱敏数据的权限。"))
    region = form.cleaned_data.get("region", "")
    path = exports.export_people(
        request.auth,
        people,
        kind,
        query.unmasked,
        filters=exports.audit_filters(form),
        region_code=region,
    )
    meta = exports.sheet_meta(request.auth, kind, region)
    return file_response(path, exports.download_name(meta, "xlsx"), XLSX)


@router.get(
    "/exports/people.xlsx",
    response={403: Problem, 422: QueryErrors},
    summary="导出统战对象名册（xlsx，按人员列表的筛选条件；默认脱敏）",
    openapi_extra=_binary(XLSX, "统战对象名册"),
)
def export_people_xlsx(request, query: Query[ExportQuery]):
    return _book(request, query, exports.ROSTER)


@router.get(
    "/exports/representatives.xlsx",
    response={403: Problem, 422: QueryErrors},
    summary="导出党外代表人士名册（xlsx，按人员列表的筛选条件；默认脱敏）",
    openapi_extra=_binary(XLSX, "党外代表人士名册"),
)
def export_representatives_xlsx(request, query: Query[ExportQuery]):
    return _book(request, query, exports.REPRESENTATIVES)


@router.get(
    "/exports/registration.pdf",
    response={422: QueryErrors, 503: Problem},
    summary=f"批量导出登记表（PDF，每人一页，按人员列表的筛选条件，最多 {exports.BATCH_LIMIT} 人）",
    openapi_extra=_binary("application/pdf", "登记表"),
)
def export_registration_pdf(request, query: Query[PersonFilters]):
    people, form, error = _people(request, query.form_data())
    if error is not None:
        return error
    message = exports.batch_problem(people.count())
    if message:
        return Status(422, {"detail": [{"loc": ["query"], "msg": message}]})
    persons = list(exports.registration_people(people))
    filename = _("登记表-%(date)s.pdf") % {"date": f"{timezone.localtime():%Y%m%d}"}
    return _pdf(request, persons, filename, filters=exports.audit_filters(form))


@router.get(
    "/registration/{person_id}.pdf",
    response={503: Problem},
    summary="一名统战对象的登记表（PDF，A4 一页；证件号码和电话始终脱敏）",
    openapi_extra=_binary("application/pdf", "登记表"),
)
def registration_pdf(request, person_id: int):
    if not exports.can_export(request.auth):
        raise Http404
    person: Person = registration_person(request.auth, person_id)
    return _pdf(request, [person], _("%(name)s-登记表.pdf") % {"name": person.name})


def _pdf(request, persons, filename, *, filters=None):
    try:
        content = exports.export_registration(request.auth, persons, filters=filters)
    except pdf.CJKFontMissing as exc:
        return Status(503, {"detail": str(exc)})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response
