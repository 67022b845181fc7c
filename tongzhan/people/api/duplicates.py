"""Duplicates and merge over the API: groups in the caller's scope, the merge itself, and
the duplicate check that person create answers with 409 (records.py imports it from here,
so this module does not import records)."""

from datetime import date

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from tongzhan.core.scope import OutOfScope, ReadOnly, access_object

from .. import duplicates, merge
from ..access import can_view_any
from ..models import Person
from ..services import VersionConflict
from ..views.duplicates import GROUPS_PER_PAGE
from . import router


class PersonBrief(Schema):
    """A person as duplicates are compared: no sensitive field, the ID number masked."""

    id: int
    name: str
    gender: str
    birth_date: date | None
    region: str
    region_name: str
    categories: list[str]
    status: str
    id_number_masked: str
    phone_masked: str
    version: int


class MatchOut(Schema):
    visible: bool = Field(description="调用者能否查看该人员；不能查看时只给出所在乡镇")
    reasons: list[str] = Field(description="id_number / name_birth / pinyin_birth")
    reason_labels: list[str]
    region_name: str = Field(description="登记所在乡镇（街道）")
    message: str = Field(description="不能查看时的提示")
    person: PersonBrief | None = None


class DuplicatesFound(Schema):
    detail: str
    duplicates: list[MatchOut]


class GroupOut(Schema):
    kind: str
    label: str
    members: list[PersonBrief]


class GroupPage(Schema):
    kind: str
    count: int
    page: int
    pages: int
    groups: list[GroupOut]


class GroupFilters(Schema):
    kind: str = Field(duplicates.ID_NUMBER, pattern="^(id_number|name_birth|pinyin_birth)$")
    page: int = Field(1, ge=1)


class MergeIn(Schema):
    keep_id: int = Field(description="保留的记录")
    remove_id: int = Field(description="合并后删除的记录")
    keep_version: int = Field(description="读取时保留记录的版本号；他人已修改时返回 409")
    remove_version: int = Field(description="读取时被合并记录的版本号")
    choices: dict[str, str] = Field(
        default_factory=dict,
        description='逐项选择：{"字段名": "keep" | "remove"}；未列出的保留 keep 记录的值',
    )


class Detail(Schema):
    detail: str


class Problems(Schema):
    detail: list[dict]


def brief(person: Person) -> dict:
    return {
        "id": person.pk,
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "region": person.region_id,
        "region_name": person.region.name,
        "categories": person.category_codes(),
        "status": person.status,
        "id_number_masked": person.id_number_masked,
        "phone_masked": person.phone_masked,
        "version": person.version,
    }


def match_out(match: duplicates.Match) -> dict:
    return {
        "visible": match.visible,
        "reasons": list(match.reasons),
        "reason_labels": match.reason_labels,
        "region_name": match.region_name,
        "message": match.message,
        "person": brief(match.person) if match.visible else None,
    }


def duplicate_conflict(request, data: dict, confirmed: bool):
    """The 409 answer for a create that looks like a registered person, or None."""
    if confirmed:
        return None
    found = duplicates.find_duplicates_for(data, request.auth)
    if not found:
        return None
    prefetch_related_objects([m.person for m in found if m.visible], "categories")
    detail = _("可能已经登记过此人；确认不是同一人时请带 confirm_duplicate: true 重新提交。")
    return Status(409, {"detail": detail, "duplicates": [match_out(m) for m in found]})


@router.get("/duplicates", response=GroupPage, summary="查找重复人员（本人管辖范围内，分组）")
def list_duplicates(request, filters: Query[GroupFilters]):
    if not can_view_any(request.auth):
        raise Http404
    user, kind = request.auth, filters.kind
    page, groups = duplicates.group_page(user, kind, filters.page, GROUPS_PER_PAGE)
    return {
        "kind": filters.kind,
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "groups": [
            {
                "kind": g.kind,
                "label": g.label,
                "members": [brief(p) for p in g.members],
            }
            for g in groups
        ],
    }


@router.post(
    "/merge",
    response={200: PersonBrief, 409: Detail, 422: Problems},
    summary="合并两条重复记录（保留全部关联记录，写审计）",
)
def merge_people(request, payload: MergeIn):
    user = request.auth
    keep, remove = _pair(user, payload.keep_id, payload.remove_id)
    versions = (payload.keep_version, payload.remove_version)
    try:
        kept = merge.do_merge_persons(user, keep, remove, payload.choices, versions=versions)
    except VersionConflict as exc:
        return Status(409, {"detail": str(exc)})
    except merge.MergeError as exc:
        return Status(422, {"detail": [{"loc": ["body", "choices"], "msg": str(exc)}]})
    except OutOfScope:
        msg = _("不能把记录移出您的管辖范围。")
        return Status(422, {"detail": [{"loc": ["body", "choices", "region"], "msg": msg}]})
    return Status(200, brief(Person.objects.select_related("region").get(pk=kept.pk)))


def _pair(user, keep_id: int, remove_id: int) -> tuple[Person, Person]:
    """404 unless the caller sees both records, 403 unless it may change both."""
    if keep_id == remove_id:
        raise Http404
    queryset = Person.objects.select_related("region").prefetch_related("categories")
    keep = access_object(queryset, user, keep_id)
    remove = access_object(queryset, user, remove_id)
    if Person.objects.restrict(user, "change").filter(pk__in=[keep_id, remove_id]).count() != 2:
        raise ReadOnly(_("您没有修改这两条记录的权限。"))
    return keep, remove
