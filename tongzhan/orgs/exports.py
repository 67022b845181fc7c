"""The 组织名册 (xlsx) of the organisation list's current filter: the ledger layout of
lib.xlsx (title, merged header, frozen panes, watermark) and an audit row naming the
filter and the row count. Only roles with the EXPORT permission export."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tongzhan.accounts.roles import EXPORT
from tongzhan.core.scope import regions_for
from tongzhan.ledgers.exports import Book, export_book
from tongzhan.lib.xlsx import Column, SheetMeta

from .choices import ChamberKind, OrgType
from .models import Organisation

CHUNK = 2000


def can_export(user) -> bool:
    return user.is_authenticated and user.has_job(EXPORT)


def columns() -> list[Column]:
    place, numbers = _("所属区域"), _("登记信息")
    return [
        Column(_("序号"), 5),
        Column(_("名称"), 28),
        Column(_("类型"), 14),
        Column(_("乡镇（街道）"), 10, place),
        Column(_("村/社区"), 10, place),
        Column(_("上级组织"), 20),
        Column(_("负责人"), 9),
        Column(_("统一社会信用代码"), 21, numbers),
        Column(_("宗教活动场所登记证号"), 24, numbers),
        Column(_("宗教"), 8),
        Column(_("商会类别"), 10),
        Column(_("成立时间"), 10),
        Column(_("地址"), 24),
        Column(_("办公电话"), 14),
        Column(_("现有成员"), 8),
        Column(_("存续"), 6),
    ]


def export_orgs(user, queryset, *, filters: dict, region_code: str = "") -> tuple[Path, SheetMeta]:
    """Write the book to a temporary file (the caller deletes it) and the audit row."""
    if not can_export(user):  # before reading anything
        raise PermissionDenied(_("您没有导出的权限。"))
    queryset = queryset.restrict(user, "view")  # a caller cannot widen the scope
    book = Book(_("组织名册"), "org_roster", "orgs.organisation", columns())
    return export_book(user, book, _rows(queryset, user), filters=filters, region_code=region_code)


def _rows(queryset, user):
    regions = dict(regions_for(user, "view").order_by().values_list("code", "name"))
    types = {c: str(label) for c, label in OrgType.choices}
    chambers = {c: str(label) for c, label in ChamberKind.choices}
    rows = (
        queryset.select_related("parent", "leader")
        .annotate(members=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
        .iterator(chunk_size=CHUNK)
    )
    for number, org in enumerate(rows, 1):
        yield _cells(number, org, regions, types, chambers)


def _cells(number: int, org: Organisation, regions, types, chambers) -> list:
    code = org.region_id
    township = regions.get(code[:9] + "000", "") if code[6:9] != "000" else ""
    village = regions.get(code, "") if code[9:] != "000" else ""
    return [
        number,
        org.name,
        types.get(org.org_type, org.org_type),
        township,
        village,
        org.parent.name if org.parent else "",
        org.leader.name if org.leader else org.leader_name,
        org.uscc,
        org.venue_certificate,
        org.get_religion_display() if org.religion else "",
        chambers.get(org.chamber_kind, ""),
        f"{org.founded_on:%Y.%m}" if org.founded_on else "",
        org.address,
        org.office_phone,
        org.members,
        _("是") if org.active else _("否"),
    ]
