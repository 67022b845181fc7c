"""Importing an organisation list (.xlsx, .csv), synchronously: org lists are small (a few
thousand rows at most), so the check and the write run in the request.

The sheet is read by the ledger importer's reader (merged cells filled, CSV encodings
guessed) and its region names are resolved by the ledger importer's RegionResolver; the
columns are the organisation list's own. Every row is checked with the page form's rules
(OrgForm) and comes out ok or error with (column, reason) pairs; confirm writes the ok
rows through services.do_create_org, all in one transaction.
"""

import csv
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineError, CalamineWorkbook

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.choices import Religion
from tongzhan.ledgers.importer import reader
from tongzhan.ledgers.importer.columns import normalise_header
from tongzhan.ledgers.importer.regions import RegionResolver
from tongzhan.ledgers.importer.values import Problem, parse_date, text
from tongzhan.people.models import Person

from . import services
from .choices import ChamberKind, OrgType
from .forms import OrgForm
from .models import Organisation

HEADER_SCAN_ROWS = 20
# Checked and written in the request: 2,000 rows take about 9 s to check and 16 s to confirm
# (SQLite; 10 s and 26 s on PostgreSQL) on two shared cores, so 3,000 stay well inside
# gunicorn's 120 s. A bigger list is split into files.
MAX_ROWS = 3000
# field -> (label, header names as lists write them)
COLUMNS: dict[str, tuple] = {
    "seq": (gettext_lazy("序号"), ["序号", "编号", "序"]),
    "name": (
        gettext_lazy("名称"),
        ["名称", "组织名称", "单位名称", "组织全称", "场所名称", "企业名称", "商会名称"],
    ),
    "org_type": (gettext_lazy("类型"), ["类型", "组织类型", "类别", "组织类别"]),
    "region": (
        gettext_lazy("所属区域"),
        ["所属区域", "区域", "所在地", "村（社区）", "所在村（社区）", "村", "社区"],
    ),
    "township": (gettext_lazy("乡镇（街道）"), ["乡镇（街道）", "乡镇", "镇街", "所属乡镇"]),
    "region_code": (gettext_lazy("区划代码"), ["区划代码", "区域代码", "统计用区划代码"]),
    "parent": (gettext_lazy("上级组织"), ["上级组织", "上级单位", "主管组织"]),
    "leader": (
        gettext_lazy("负责人"),
        ["负责人", "负责人姓名", "会长", "法定代表人", "主要负责人", "主任委员"],
    ),
    "uscc": (gettext_lazy("统一社会信用代码"), ["统一社会信用代码", "社会信用代码", "信用代码"]),
    "venue_certificate": (
        gettext_lazy("登记证号"),
        ["登记证号", "宗教活动场所登记证号", "场所登记证号", "登记证编号"],
    ),
    "religion": (gettext_lazy("宗教"), ["宗教", "宗教类别", "教别"]),
    "chamber_kind": (gettext_lazy("商会类别"), ["商会类别", "商会类型"]),
    "founded_on": (gettext_lazy("成立时间"), ["成立时间", "成立日期", "成立年月"]),
    "address": (gettext_lazy("地址"), ["地址", "办公地址", "场所地址", "住所"]),
    "office_phone": (gettext_lazy("办公电话"), ["办公电话", "联系电话", "电话"]),
    "notes": (gettext_lazy("备注"), ["备注", "说明"]),
}
_ANNOTATION_RE = re.compile(r"[(\[【][^)\]】]*[)\]】]")
HEADER_INDEX = {normalise_header(n): key for key, (_l, names) in COLUMNS.items() for n in names}
TYPE_NAMES = {
    "民主党派": OrgType.PARTY_BRANCH,
    "民主党派基层组织": OrgType.PARTY_BRANCH,
    "党派基层组织": OrgType.PARTY_BRANCH,
    "工商联": OrgType.FEDERATION,
    "工商业联合会": OrgType.FEDERATION,
    "商会": OrgType.CHAMBER,
    "行业商会": OrgType.CHAMBER,
    "异地商会": OrgType.CHAMBER,
    "基层商会": OrgType.CHAMBER,
    "知联会": OrgType.INTELLECTUALS,
    "党外知识分子联谊会": OrgType.INTELLECTUALS,
    "新联会": OrgType.NEW_STRATUM,
    "新的社会阶层人士联谊会": OrgType.NEW_STRATUM,
    "侨联": OrgType.RETURNED_OVERSEAS,
    "归国华侨联合会": OrgType.RETURNED_OVERSEAS,
    "海外联谊会": OrgType.OVERSEAS_FRIENDSHIP,
    "海联会": OrgType.OVERSEAS_FRIENDSHIP,
    "乡土人才联谊会": OrgType.LOCAL_TALENT,
    "三胞联谊会": OrgType.THREE_COMPATRIOTS,
    "宗教活动场所": OrgType.RELIGIOUS_VENUE,
    "宗教场所": OrgType.RELIGIOUS_VENUE,
    "非公企业": OrgType.ENTERPRISE,
    "非公有制企业": OrgType.ENTERPRISE,
    "民营企业": OrgType.ENTERPRISE,
    "企业": OrgType.ENTERPRISE,
    "社会组织": OrgType.SOCIAL_ORG,
}
CHAMBER_NAMES = {str(label): code for code, label in ChamberKind.choices} | {
    "行业": ChamberKind.TRADE,
    "异地": ChamberKind.HOMETOWN,
    "基层": ChamberKind.AREA,
}


class OrgFileError(ValueError):
    """The file as a whole cannot be read; str() is a Chinese message."""


def label(key: str) -> str:
    return str(COLUMNS[key][0]) if key in COLUMNS else key


def match_header(cell) -> str | None:
    name = normalise_header(cell) if isinstance(cell, str) else ""
    if not name:
        return None
    return HEADER_INDEX.get(name) or HEADER_INDEX.get(_ANNOTATION_RE.sub("", name))


# --- reading the sheet ------------------------------------------------------------------------


def _raw_rows(path: Path, file_name: str):
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        handle = open(path, encoding=reader.detect_encoding(path), newline="")  # noqa: SIM115
        first = handle.readline()
        handle.seek(0)
        return reader._csv_rows(handle, "\t" if first.count("\t") > first.count(",") else ",")
    if suffix not in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise OrgFileError(_("不支持的文件类型：请上传 .xlsx 或 .csv 文件"))
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError, IndexError) as exc:
        raise OrgFileError(_("无法读取该表格文件（文件损坏、加密或不是 Excel 文件）")) from exc
    if sheet.start is None:
        raise OrgFileError(_("表格是空的"))
    return reader._sheet_rows(sheet)


def read_rows(path: Path, file_name: str) -> tuple[dict[str, int], list[tuple[int, list]]]:
    """(field -> column index, [(line as Excel shows it, cells)]) of the data rows."""
    try:
        rows = _raw_rows(path, file_name)
        head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
        scored = [(_header_columns(row), index) for index, row in enumerate(head)]
        columns, header = max(scored, key=lambda s: (len(s[0]), -s[1]), default=({}, 0))
        if "name" not in columns or "org_type" not in columns:
            raise OrgFileError(
                _("没有找到表头：前 %(n)d 行中没有一行同时含有“名称”和“类型”列")
                % {"n": HEADER_SCAN_ROWS}
            )
        data = list(itertools.islice(rows, MAX_ROWS + 1))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise OrgFileError(_("无法读取该 CSV 文件：%(e)s") % {"e": type(exc).__name__}) from exc
    numbered = list(enumerate(head[header + 1 :] + data, start=header + 2))
    if len(numbered) > MAX_ROWS:
        raise OrgFileError(_("一次最多导入 %(n)d 个组织，请分成几个文件") % {"n": MAX_ROWS})
    return columns, numbered


def _header_columns(row: list) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = match_header(cell)
        if key is not None and key not in columns:
            columns[key] = index
    return columns


# --- checking rows -----------------------------------------------------------------------------


@dataclass
class RowResult:
    line: int
    name: str = ""
    issues: list[tuple[str, str]] = field(default_factory=list)  # (column label, reason)
    data: dict = field(default_factory=dict)  # OrgForm's cleaned values, when ok

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass
class CheckedFile:
    file_name: str
    rows: list[RowResult]

    @property
    def good(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]


class Checker:
    """Checks the rows of one file for one user: regions through the ledger resolver,
    parents among the user's organisations and the file's earlier rows, leaders among the
    persons the user sees, then every rule of OrgForm."""

    def __init__(self, user):
        self.user, self.today = user, timezone.localdate()
        self.regions = RegionResolver(user)
        visible = Organisation.objects.restrict(user, "view")
        self.orgs = Counter(visible.values_list("name", flat=True))
        self.org_ids = dict(visible.values_list("name", "pk"))
        self.existing = set(visible.values_list("name", "region_id"))
        self.usccs = set(visible.exclude(uscc="").values_list("uscc", flat=True))
        self.seen_names: set[tuple[str, str]] = set()
        self.seen_usccs: set[str] = set()
        self.leaders: dict[str, int | None] = {}

    def check(self, line: int, cells: dict[str, str]) -> RowResult:
        result = RowResult(line, cells.get("name", ""))
        values = self._values(cells, result)
        if result.issues:
            return result
        form = OrgForm(self._form_data(values), user=self.user, suggest=False)
        if not form.is_valid():
            for name, messages in form.errors.items():
                column = label(name) if name in COLUMNS else label("name")
                result.issues += [(column, str(m)) for m in messages]
            return result
        self._check_unique(form.cleaned_data, result)
        if result.ok:
            result.data = {**form.service_data(), "parent_name": values.get("parent_name")}
        return result

    def _values(self, cells: dict[str, str], result: RowResult) -> dict:
        values = {k: cells.get(k, "") for k in ("name", "uscc", "address", "office_phone", "notes")}
        values["venue_certificate"] = cells.get("venue_certificate", "")
        for key, parse in (
            ("org_type", self._type),
            ("region", lambda v: self._region(v, cells)),
            ("religion", _religion),
            ("chamber_kind", _chamber_kind),
            ("founded_on", self._date),
            ("parent", self._parent),
            ("leader", self._leader),
        ):
            raw = cells.get(key, "")
            if key == "region":
                raw = cells.get("region_code") or raw or cells.get("township", "")
            try:
                values.update(parse(raw) if raw or key in ("org_type", "region") else {})
            except Problem as problem:
                result.issues.append((label(key), str(problem)))
        if not values["name"]:
            result.issues.append((label("name"), _("名称为空")))
        return values

    def _type(self, raw: str) -> dict:
        if not raw:
            raise Problem(_("类型为空"))
        key = raw.replace("“", "").replace("”", "").replace('"', "")
        code = TYPE_NAMES.get(key) or (key if key in OrgType.values else None)
        code = code or next((c for c, lbl in OrgType.choices if str(lbl) == raw), None)
        if code is None:
            raise Problem(_("无法识别的组织类型“%(v)s”") % {"v": raw})
        extra = (
            {"chamber_kind": CHAMBER_NAMES[key]}
            if key in ("行业商会", "异地商会", "基层商会")
            else {}
        )
        return {"org_type": code, **extra}

    def _region(self, raw: str, cells: dict) -> dict:
        if not raw:
            raise Problem(_("所属区域为空"))
        township = cells.get("township", "") if raw != cells.get("township") else ""
        code = self.regions.resolve(raw, township)
        if not any(g.low <= code <= g.high for g in self.regions.grants):
            name = self.regions.name_of(code)
            raise Problem(_("区域“%(v)s”不在您的管辖范围内，不能导入到该区域") % {"v": name})
        return {"region": code}

    def _date(self, raw) -> dict:
        value, _month_only, _note = parse_date(raw, today=self.today)
        return {"founded_on": value.isoformat()}

    def _parent(self, raw: str) -> dict:
        if self.orgs.get(raw, 0) > 1:
            raise Problem(_("有多个名为“%(v)s”的组织，无法确定上级组织") % {"v": raw})
        if raw in self.org_ids:
            return {"parent": self.org_ids[raw]}
        if any(raw == name for name, _r in self.seen_names):
            return {"parent_name": raw}  # an earlier row of this file: linked when written
        raise Problem(_("未找到上级组织“%(v)s”（应为已有组织或本文件前面的行）") % {"v": raw})

    def _leader(self, raw: str) -> dict:
        if raw not in self.leaders:
            found = Person.objects.restrict(self.user, "view").filter(name=raw)
            pks = list(found.values_list("pk", flat=True)[:2])
            self.leaders[raw] = pks[0] if len(pks) == 1 else None
        if self.leaders[raw] is not None:
            return {"leader": self.leaders[raw]}
        return {"leader_name": raw}  # not in the registry (or a namesake): the name only

    def _form_data(self, values: dict) -> dict:
        data = {k: v for k, v in values.items() if k != "parent_name" and v not in (None, "")}
        data["active"] = "on"
        return data

    def _check_unique(self, cleaned: dict, result: RowResult) -> None:
        key = (cleaned["name"], cleaned["region"].pk)
        if key in self.existing:
            result.issues.append((label("name"), _("该区域已有同名组织")))
        elif key in self.seen_names:
            result.issues.append((label("name"), _("与文件中前面的行重复")))
        code = cleaned.get("uscc")
        if code and (code in self.usccs or code in self.seen_usccs):
            result.issues.append((label("uscc"), _("统一社会信用代码已被其他组织使用")))
        if result.ok:
            self.seen_names.add(key)
            if code:
                self.seen_usccs.add(code)


def _religion(raw: str) -> dict:
    for code, name in Religion.choices:
        if raw in (code, str(name), str(name).rstrip("教")):
            return {"religion": code}
    raise Problem(
        _("无法识别的宗教“%(v)s”（应为佛教、道教、伊斯兰教、天主教或基督教）") % {"v": raw}
    )


def _chamber_kind(raw: str) -> dict:
    code = CHAMBER_NAMES.get(raw) or (raw if raw in ChamberKind.values else None)
    if code is None:
        raise Problem(_("无法识别的商会类别“%(v)s”") % {"v": raw})
    return {"chamber_kind": code}


def check_file(user, path: Path, file_name: str) -> CheckedFile:
    """Read and check every row; OrgFileError when the file cannot be read at all."""
    columns, rows = read_rows(path, file_name)
    checker = Checker(user)
    results = []
    for line, cells in rows:
        values = {
            key: text(cells[index]) if index < len(cells) else "" for key, index in columns.items()
        }
        if not any(v for k, v in values.items() if k != "seq"):
            continue  # a blank row
        results.append(checker.check(line, values))
    return CheckedFile(file_name, results)


# --- writing -----------------------------------------------------------------------------------


def do_import_orgs(user, checked: CheckedFile) -> int:
    """Write the checked file's ok rows in ONE transaction (any failure writes nothing),
    through the create service (its audit row each), and one IMPORT audit row."""
    created: dict[str, Organisation] = {}
    with transaction.atomic():
        for row in checked.good:
            data = dict(row.data)  # cleaned by OrgForm in this request: instances
            parent_name = data.pop("parent_name", None)
            if parent_name:
                data["parent"] = created[parent_name]
            created[row.name] = services.do_create_org(user, data)
        record(
            AuditAction.IMPORT,
            user=user,
            object_type="orgs.organisation",
            object_repr=str(gettext_lazy("组织名单导入")),
            detail={
                "file": checked.file_name,
                "rows": len(checked.rows),
                "imported": len(created),
                "not_imported": len(checked.bad),
                "date": date.today().isoformat(),
            },
        )
    return len(created)
