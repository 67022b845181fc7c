"""The 组织名册 (xlsx) of the organisation list's current filter: the ledger layout of
lib.xlsx (title, merged header, frozen panes, watermark) and an audit row naming the
filter and the row count. Only roles with the EXPORT permission export."""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhan.accounts.roles import EXPORT
from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.scope import regions_for
from tongzhan.ledgers.exports import exporter_name, title_region
from tongzhan.lib import masking
from tongzhan.lib.xlsx import Column, LedgerWriter, SheetMeta

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


def sheet_meta(user, region_code: str = "") -> SheetMeta:
    region = title_region(user, region_code)
    place = region.name if region else ""
    title = _("组织名册")
    return SheetMeta(
        title=f"{place}{title}",
        unit=user.unit or place,
        exported_by=exporter_name(user),
        exported_at=timezone.now(),
        sheet_name=title,
    )


def download_name(meta: SheetMeta) -> str:
    return f"{meta.title}-{timezone.localtime(meta.exported_at):%Y%m%d}.xlsx"


def audit_filters(form) -> dict:
    values = {name: str(form.data.get(name, "")).strip() for name in form.fields}
    return {name: masking.mask_text(value) for name, value in values.items() if value}


def export_orgs(user, queryset, *, filters: dict, region_code: str = "") -> tuple[Path, SheetMeta]:
    """Write the book to a temporary file (the caller deletes it) and the audit row."""
    if not can_export(user):
        raise PermissionDenied(_("您没有导出的权限。"))
    queryset = queryset.restrict(user, "view")  # a caller cannot widen the scope
    meta = sheet_meta(user, region_code)
    handle, name = tempfile.mkstemp(prefix="tongzhan-orgs-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        rows = _write(path, queryset, meta, user)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    record(
        AuditAction.EXPORT,
        user=user,
        object_type="orgs.organisation",
        object_repr=meta.title,
        detail={"kind": "org_roster", "format": "xlsx", "rows": rows, "filters": filters},
    )
    return path, meta


def _write(path: Path, queryset, meta: SheetMeta, user) -> int:
    regions = dict(regions_for(user, "view").order_by().values_list("code", "name"))
    types = {c: str(label) for c, label in OrgType.choices}
    chambers = {c: str(label) for c, label in ChamberKind.choices}
    rows = (
        queryset.select_related("parent", "leader")
        .annotate(members=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
        .iterator(chunk_size=CHUNK)
    )
    with LedgerWriter(path, columns(), meta, freeze_cols=2) as writer:
        writer.write_rows(
            _cells(number, org, regions, types, chambers) for number, org in enumerate(rows, 1)
        )
    return writer.rows_written


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
