"""The only code that writes regions: the yearly import of the division-code list.

An import is an upsert that keeps history. A region is never deleted (records and
children point to it with PROTECT); a code missing from a full list is marked
retired with the list's year, and a code that comes back is restored. Every line
is checked first; if any is wrong nothing is written.
"""

import getpass
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.lib import divisioncode
from tongzhan.lib.iterables import batched

from .choices import RegionLevel
from .models import Region
from .regioncsv import ParsedFile, RegionRow, line_error

CHUNK = 500  # well under SQLite's limit on query parameters
AUDIT_LIST_LIMIT = 200  # codes listed in the audit row per kind of change
WRITE_FIELDS = ["name", "urban_rural", "valid_year", "retired", "retired_year"]
KIND_LABELS = {
    "create": gettext_lazy("新增"),
    "update": gettext_lazy("更新"),
    "retire": gettext_lazy("撤销"),
    "restore": gettext_lazy("恢复"),
}


class RegionImportError(Exception):
    """The file has malformed lines or contradicts the tree; nothing was written."""

    def __init__(self, plan: "ImportPlan"):
        super().__init__("\n".join(plan.errors))
        self.plan = plan


@dataclass
class Change:
    """One region the import creates, updates, retires or restores."""

    kind: str
    code: str
    name: str
    before: dict = field(default_factory=dict)  # field -> old value, for updates

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def level_label(self) -> str:
        return RegionLevel(divisioncode.level_of(self.code)).label


@dataclass
class ImportPlan:
    """What an import would do, computed without writing; errors mean it must not run."""

    year: int
    partial: bool = False
    rows: int = 0
    roots: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    creates: list[Region] = field(default_factory=list, repr=False)
    writes: list[Region] = field(default_factory=list, repr=False)
    retire_codes: list[str] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def counts(self) -> dict[str, int]:
        counts = {kind: self.count(kind) for kind in KIND_LABELS}
        counts["unchanged"] = self.unchanged
        return counts

    def summary(self) -> str:
        c = self.counts()
        return (
            _(
                "新增 %(create)d，更新 %(update)d，撤销 %(retire)d，恢复 %(restore)d，未变 %(unchanged)d"
            )
            % c
        )


def _load(codes) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for chunk in batched(sorted(codes), CHUNK):
        found.update(Region.objects.in_bulk(chunk))
    return found


def resolve_year(rows: list[RegionRow], year: int | None) -> int:
    """The list's year: as given, else the newest year column, else this year."""
    if year:
        return year
    years = [r.year for r in rows if r.year]
    return max(years) if years else timezone.localdate().year


def plan_region_import(source, year: int | None = None, *, partial: bool = False) -> ImportPlan:
    """Check every line against the file and the tree, and list the changes."""
    parsed = source if isinstance(source, ParsedFile) else ParsedFile.of_rows(source)
    rows = sorted(parsed.rows, key=lambda r: (divisioncode.level_of(r.code), r.code))
    plan = ImportPlan(year=resolve_year(rows, year), partial=partial, rows=len(rows))
    by_code = {r.code: r for r in rows}
    existing = _load(by_code)
    errors = list(parsed.errors) + _parent_errors(rows, parsed.codes)
    errors += [
        (r.line, _("年度 %(y)d 晚于导入年度 %(year)d") % {"y": r.year, "year": plan.year})
        for r in rows
        if r.year and r.year > plan.year
    ]
    plan.roots = [r.code for r in rows if divisioncode.parent_of(r.code) not in by_code]
    retire = [] if partial else _retire_candidates(plan.roots, parsed.codes)
    plan.errors = [line_error(n, reason) for n, reason in sorted(errors)]
    plan.errors += _newer_data_errors([*existing.values(), *retire], plan.year)
    for row in rows:
        _plan_row(plan, row, existing.get(row.code))
    for region in retire:
        plan.retire_codes.append(region.code)
        plan.changes.append(Change("retire", region.code, region.name))
    return plan


def _parent_errors(rows: list[RegionRow], file_codes: set[str]) -> list[tuple[int, str]]:
    """A parent must be in the file or in the tree, and not retired there."""
    wanted = {}
    for row in rows:
        parent = divisioncode.parent_of(row.code)
        if parent and parent not in file_codes:
            wanted.setdefault(parent, []).append(row)
    found = _load(wanted)
    errors = []
    for parent, children in wanted.items():
        region = found.get(parent)
        if region is None:
            reason = _("上级区划 %(p)s 既不在文件中，也不在系统中") % {"p": parent}
        elif region.retired:
            reason = _("上级区划 %(p)s（%(name)s）已撤销，请在文件中一并列出") % {
                "p": parent,
                "name": region.name,
            }
        else:
            continue
        errors += [(row.line, reason) for row in children]
    return errors


def _retire_candidates(roots: list[str], file_codes: set[str]) -> list[Region]:
    """Regions in the tree under the file's top rows that the file no longer lists."""
    ranges: list[tuple[str, str]] = []
    for code in sorted(roots):
        if divisioncode.level_of(code) == RegionLevel.VILLAGE:
            continue  # nothing lies below a village
        if ranges and ranges[-1][0] <= code <= ranges[-1][1]:
            continue  # inside a range already taken
        ranges.append(divisioncode.subtree_range(code))
    found = []
    for chunk in batched(ranges, 100):
        condition = reduce(or_, (Q(code__gte=low, code__lte=high) for low, high in chunk))
        found += [
            r for r in Region.objects.filter(condition, retired=False) if r.code not in file_codes
        ]
    return found


def _newer_data_errors(regions: list[Region], year: int) -> list[str]:
    newer = [r for r in regions if r.valid_year > year]
    if not newer:
        return []
    newest = max(r.valid_year for r in newer)
    return [
        _(
            "系统中已有 %(n)d 个相关区划为 %(newest)d 年度的数据，晚于导入年度 %(year)d：请导入最新年度的区划文件。"
        )
        % {"n": len(newer), "newest": newest, "year": year}
    ]


def _plan_row(plan: ImportPlan, row: RegionRow, region: Region | None) -> None:
    valid_year = row.year or plan.year
    if region is None:
        plan.creates.append(
            Region(
                code=row.code,
                name=row.name,
                level=divisioncode.level_of(row.code),
                parent_id=divisioncode.parent_of(row.code),
                urban_rural=row.urban_rural,
                valid_year=valid_year,
            )
        )
        plan.changes.append(Change("create", row.code, row.name))
        return
    # A list without the 城乡分类 column keeps the classification already stored.
    urban_rural = row.urban_rural or region.urban_rural
    after = {"name": row.name, "urban_rural": urban_rural}
    before = {k: getattr(region, k) for k in after if getattr(region, k) != after[k]}
    kind = "restore" if region.retired else ("update" if before else "")
    if not kind and region.valid_year >= valid_year:
        plan.unchanged += 1
        return
    region.name, region.urban_rural = row.name, urban_rural
    region.valid_year = max(region.valid_year, valid_year)
    region.retired, region.retired_year = False, None
    plan.writes.append(region)
    if kind:
        plan.changes.append(Change(kind, row.code, row.name, before))
    else:
        plan.unchanged += 1  # only the validity year moves on


def do_import_regions(
    user, rows, year: int | None = None, *, partial: bool = False, source: str = ""
) -> ImportPlan:
    """Plan again inside one transaction (the tree may have changed since a preview)
    and write it all, or raise RegionImportError and write nothing."""
    from tongzhan.accounts.roles import MANAGE_REGIONS

    if user is not None and not user.has_job(MANAGE_REGIONS):
        raise PermissionDenied(_("只有系统管理员可以导入行政区划。"))
    with transaction.atomic():
        plan = plan_region_import(rows, year, partial=partial)
        if not plan.ok:
            raise RegionImportError(plan)
        Region.objects.bulk_create(plan.creates, batch_size=CHUNK)
        Region.objects.bulk_update(plan.writes, WRITE_FIELDS, batch_size=CHUNK)
        for chunk in batched(plan.retire_codes, CHUNK):
            Region.objects.filter(code__in=chunk).update(retired=True, retired_year=plan.year)
        record(
            AuditAction.IMPORT,
            user=user,
            username="" if user is not None else cli_username(),
            object_type="core.region",
            object_id=",".join(plan.roots)[:64],
            object_repr=_("行政区划导入（%(year)d 年度）") % {"year": plan.year},
            detail=audit_detail(plan, source),
        )
    return plan


def audit_detail(plan: ImportPlan, source: str) -> dict:
    detail = {"source": source, "year": plan.year, "partial": plan.partial, "rows": plan.rows}
    detail.update(plan.counts())
    for kind in KIND_LABELS:
        changes = [c for c in plan.changes if c.kind == kind and kind != "create"]
        if changes:
            detail[f"{kind}_codes"] = {
                c.code: ({"before": c.before, "name": c.name} if c.before else c.name)
                for c in changes[:AUDIT_LIST_LIMIT]
            }
    return detail


def cli_username() -> str:
    """Who ran a command, for the audit row (commands have no logged-in user)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
