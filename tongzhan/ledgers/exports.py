"""The registry's books out of the system: 统战对象名册 and 党外代表人士名册 (xlsx), and
the 登记表 (one A4 PDF page per person).

Both go through the person list's own filter, so a book always holds exactly the
persons the list shows. ID and phone numbers are masked unless an unmasked export
is explicitly asked for by a role holding UNMASK; 民族 and 政治面貌 (and the other
SENSITIVE_FIELDS) appear only for VIEW_SENSITIVE. The 登记表 always prints them
masked: a printed form leaves the system for good. Every export writes an audit
row naming what was exported, the filter, the row count and whether it was masked.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhan.accounts.roles import EXPORT, UNMASK, VIEW_SENSITIVE
from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.choices import (
    Category,
    Education,
    Ethnicity,
    Gender,
    PoliticalStatus,
    Religion,
    RepresentativeLevel,
)
from tongzhan.core.models import Region
from tongzhan.core.scope import grants, regions_for, user_assignments
from tongzhan.lib import crypto, masking, pdf
from tongzhan.lib.iterables import batched
from tongzhan.lib.text import format_list
from tongzhan.lib.xlsx import Column, LedgerWriter, SheetMeta
from tongzhan.people.choices import ArrangementKind
from tongzhan.people.filters import list_queryset
from tongzhan.people.models import Person, PoliticalArrangement, codes_of

ROSTER, REPRESENTATIVES, REGISTRATION = "roster", "representatives", "registration"
BOOKS = {
    ROSTER: gettext_lazy("统战对象名册"),
    REPRESENTATIVES: gettext_lazy("党外代表人士名册"),
}
CHUNK = 2000  # rows fetched per round trip, and persons per 政治安排 lookup
LABELS = {**BOOKS, REGISTRATION: gettext_lazy("登记表")}
# 登记表 pages in one PDF. WeasyPrint lays out about 7 pages a second on two shared cores,
# so 200 pages finish well inside gunicorn's 120 s; a bigger batch needs a narrower filter.
BATCH_LIMIT = 200


def can_export(user) -> bool:
    return user.is_authenticated and user.has_job(EXPORT)


def can_export_unmasked(user) -> bool:
    return can_export(user) and user.has_job(UNMASK)


# --- the persons: exactly the list's filter ------------------------------------------------


def filtered_people(user, params) -> tuple:
    """(persons, form): exactly the persons the list page shows for these parameters."""
    return list_queryset(user, params)


def audit_filters(form) -> dict:
    """The filter as the user typed it, for the audit row. The search box may hold an ID
    or phone number (exact search), so every value is masked before it is logged."""
    values = {name: str(form.data.get(name, "")).strip() for name in form.fields}
    return {name: masking.mask_text(value) for name, value in values.items() if value}


# --- title, unit, stamp ----------------------------------------------------------------------


def title_region(user, region_code: str = "") -> Region | None:
    """The region a book is named after: the filtered region, else the user's widest one."""
    if region_code:
        region = regions_for(user, "view").filter(code=region_code).first()
        if region is not None:
            return region
    regions = [a.region for a in user_assignments(user) if grants(a, "view")]
    return min(regions, key=lambda r: (r.level, r.code), default=None)


def exporter_name(user) -> str:
    shown = user.display_name or ""
    if shown and shown != user.username:
        return f"{shown}（{user.username}）"
    return user.username


def book_meta(user, book, region_code: str = "", when: datetime | None = None) -> SheetMeta:
    """Title (the place, then the book's name), unit and watermark of one export."""
    region = title_region(user, region_code)
    place = region.name if region else ""
    return SheetMeta(
        title=f"{place}{book}",
        unit=user.unit or place,
        exported_by=exporter_name(user),
        exported_at=when or timezone.now(),
        sheet_name=str(book),
    )


def sheet_meta(user, kind: str, region_code: str = "", when: datetime | None = None):
    return book_meta(user, BOOKS[kind], region_code, when)


def download_name(meta: SheetMeta, suffix: str = "xlsx") -> str:
    return f"{meta.title}-{timezone.localtime(meta.exported_at):%Y%m%d}.{suffix}"


@dataclass
class Book:
    """One 台账 as an export writes it: what it is called and audited as, its columns."""

    title: str  # 诉求办理台账 …
    kind: str  # the audit row's "kind"
    object_type: str  # the audit row's object type (app_label.model)
    columns: list[Column]
    freeze_cols: int = 2


def export_book(
    user, book: Book, rows: Iterable[list], *, filters: dict, region_code: str = ""
) -> tuple[Path, SheetMeta]:
    """The path every ledger export but the registry's own takes: the EXPORT permission,
    title and watermark, rows written in constant memory to a temporary .xlsx file (gone
    again if writing fails; the caller deletes it once sent), then the audit row. `rows`
    is lazy: it is read while the file is written."""
    if not can_export(user):
        raise PermissionDenied(_("您没有导出的权限。"))
    meta = book_meta(user, book.title, region_code)
    handle, name = tempfile.mkstemp(prefix=f"tongzhan-{book.kind}-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        with LedgerWriter(path, book.columns, meta, freeze_cols=book.freeze_cols) as writer:
            writer.write_rows(rows)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    record(
        AuditAction.EXPORT,
        user=user,
        object_type=book.object_type,
        object_repr=meta.title,
        detail={
            "kind": book.kind,
            "rows": writer.rows_written,
            "masked": True,
            "format": "xlsx",
            "title": meta.title,
            "filters": filters,
        },
    )
    return path, meta


def do_record_export(user, kind: str, *, rows: int, masked: bool, detail=None, obj=None):
    """The audit row of one export (the only write an export makes)."""
    record(
        AuditAction.EXPORT,
        user=user,
        obj=obj,
        object_type="" if obj else "people.person",
        object_repr="" if obj else str(LABELS[kind]),
        detail={"kind": kind, "rows": rows, "masked": masked, **(detail or {})},
    )


# --- the roster columns ----------------------------------------------------------------------


class CategoryLabels(dict):
    """A person's categories as the row carries them (Person.category_bits) → the labels
    the book shows, each combination formatted once (a registry has a few dozen)."""

    def __missing__(self, bits: int) -> str:
        labels = _labels(Category)
        text = format_list(labels.get(c, c) for c in codes_of(bits))
        self[bits] = text
        return text


@dataclass
class RowContext:
    """What a row's cells need beyond the row itself: labels, regions, the batch's
    categories and 政治安排, and the running 序号."""

    unmasked: bool
    regions: dict[str, str]
    categories: CategoryLabels = field(default_factory=CategoryLabels)
    arrangements: dict[int, str] = field(default_factory=dict)
    number: int = 0


@dataclass(frozen=True)
class RosterColumn:
    column: Column
    value: Callable[[object, RowContext], object]
    sensitive: bool = False
    representatives_only: bool = False


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _month(value: date | None) -> str:
    return f"{value.year}.{value.month:02d}" if value else ""


def _education(r, labels) -> str:
    # A ledger with one 文化程度 column imports into `education` only; show it where a
    # one-column ledger would have it, under 全日制.
    if r.fulltime_education or r.inservice_education:
        return r.fulltime_education
    return " ".join(v for v in (labels.get(r.education, ""), r.degree) if v)


def _id_number(r, ctx: RowContext) -> str:
    return crypto.decrypt(r.id_number_encrypted) if ctx.unmasked else r.id_number_masked


def _phone(r, ctx: RowContext) -> str:
    return crypto.decrypt(r.phone_encrypted) if ctx.unmasked else r.phone_masked


def _township(r, ctx: RowContext) -> str:
    return ctx.regions.get(r.region_id[:9] + "000", "") if r.region_id[6:9] != "000" else ""


def _village(r, ctx: RowContext) -> str:
    return ctx.regions.get(r.region_id, "") if r.region_id[9:] != "000" else ""


def roster_columns(kind: str, show_sensitive: bool) -> list[RosterColumn]:
    gender, ethnicity = _labels(Gender), _labels(Ethnicity)
    party, education = _labels(PoliticalStatus), _labels(Education)
    level = _labels(RepresentativeLevel)
    learning = _("学历学位")
    columns = [
        RosterColumn(Column(_("序号"), 5), lambda r, c: c.number),
        RosterColumn(Column(_("姓名"), 9), lambda r, c: r.name),
        RosterColumn(Column(_("性别"), 5), lambda r, c: gender.get(r.gender, "")),
        RosterColumn(Column(_("出生年月"), 9), lambda r, c: _month(r.birth_date)),
        RosterColumn(Column(_("籍贯"), 10), lambda r, c: r.native_place),
        RosterColumn(
            Column(_("民族"), 7), lambda r, c: ethnicity.get(r.ethnicity, ""), sensitive=True
        ),
        RosterColumn(
            Column(_("政治面貌"), 11),
            lambda r, c: party.get(r.political_status, ""),
            sensitive=True,
        ),
        RosterColumn(Column(_("全日制教育"), 12, learning), lambda r, c: _education(r, education)),
        RosterColumn(Column(_("在职教育"), 12, learning), lambda r, c: r.inservice_education),
        RosterColumn(Column(_("专业特长"), 10), lambda r, c: r.specialty),
        RosterColumn(Column(_("工作单位"), 22), lambda r, c: r.work_unit),
        RosterColumn(Column(_("职务"), 12), lambda r, c: r.post),
        RosterColumn(Column(_("职称"), 10), lambda r, c: r.professional_title),
        RosterColumn(Column(_("社会职务"), 18), lambda r, c: r.social_posts),
        RosterColumn(
            Column(_("代表人士层级"), 8),
            lambda r, c: level.get(r.representative_level, ""),
            representatives_only=True,
        ),
        RosterColumn(
            Column(_("政治安排"), 24),
            lambda r, c: c.arrangements.get(r.pk, ""),
            representatives_only=True,
        ),
        RosterColumn(Column(_("身份证号"), 20), _id_number),
        RosterColumn(Column(_("联系电话"), 14), _phone),
        RosterColumn(Column(_("乡镇（街道）"), 10), _township),
        RosterColumn(Column(_("村/社区"), 10), _village),
        RosterColumn(Column(_("类别"), 20), lambda r, c: c.categories[r.category_bits]),
    ]
    return [
        c
        for c in columns
        if (show_sensitive or not c.sensitive)
        and (kind == REPRESENTATIVES or not c.representatives_only)
    ]


ROW_FIELDS = (
    "pk",
    "name",
    "gender",
    "birth_date",
    "native_place",
    "ethnicity",
    "political_status",
    "education",
    "degree",
    "fulltime_education",
    "inservice_education",
    "specialty",
    "work_unit",
    "post",
    "professional_title",
    "social_posts",
    "representative_level",
    "id_number_masked",
    "phone_masked",
    "region_id",
)


# --- the xlsx books --------------------------------------------------------------------------


def book_queryset(user, queryset, kind: str):
    """The persons of a book: the given (already filtered) persons, re-restricted to the
    user's view scope so a caller cannot widen it, narrowed to 代表人士 for that book."""
    if kind not in BOOKS:
        raise ValueError(f"unknown book {kind!r}")
    queryset = queryset.restrict(user, "view")
    if kind == REPRESENTATIVES:
        queryset = queryset.filter(is_representative=True)
    return queryset


def export_people(
    user,
    queryset,
    kind: str,
    unmasked: bool = False,
    *,
    filters: dict | None = None,
    region_code: str = "",
) -> Path:
    """Write the book for these persons to a temporary .xlsx file and return its path
    (the caller deletes it). Raises PermissionDenied without EXPORT, or for an unmasked
    export without UNMASK. Writes the audit row."""
    if not can_export(user):
        raise PermissionDenied(_("您没有导出的权限。"))
    if unmasked and not can_export_unmasked(user):
        raise PermissionDenied(_("您没有导出未脱敏数据的权限。"))
    queryset = book_queryset(user, queryset, kind)
    meta = sheet_meta(user, kind, region_code)
    columns = roster_columns(kind, user.has_job(VIEW_SENSITIVE))
    handle, name = tempfile.mkstemp(prefix="tongzhan-export-", suffix=".xlsx")
    os.close(handle)
    try:
        rows = _write_book(Path(name), queryset, kind, unmasked, columns, meta, user)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    do_record_export(
        user,
        kind,
        rows=rows,
        masked=not unmasked,
        detail={"format": "xlsx", "title": meta.title, "filters": filters or {}},
    )
    return Path(name)


def _write_book(path, queryset, kind, unmasked, columns, meta, user) -> int:
    names = ROW_FIELDS + (("id_number_encrypted", "phone_encrypted") if unmasked else ())
    # Each person's categories come with the row as its bit set (Person.category_bits).
    rows = queryset.values_list(*names, "category_bits", named=True).iterator(chunk_size=CHUNK)
    ctx = RowContext(unmasked=unmasked, regions=_region_names(user))
    getters = [c.value for c in columns]
    with LedgerWriter(path, [c.column for c in columns], meta, freeze_cols=2) as writer:
        for batch in batched(rows, CHUNK):
            if kind == REPRESENTATIVES:
                ctx.arrangements = _arrangement_texts([r.pk for r in batch])
            writer.write_rows(_cells(batch, getters, ctx))
    return writer.rows_written


def _cells(batch, getters, ctx: RowContext) -> Iterator[list]:
    for r in batch:
        ctx.number += 1
        yield [get(r, ctx) for get in getters]


def _region_names(user) -> dict[str, str]:
    """Names of the regions the user can see (a county holds a few hundred; a province
    some tens of thousands): one query, instead of a join on every row."""
    return dict(regions_for(user, "view").order_by().values_list("code", "name"))


def _arrangement_texts(ids: list[int]) -> dict[int, str]:
    """Current 政治安排 only (no end date, or one not yet passed): the book is of today."""
    today = timezone.localdate()
    current = PoliticalArrangement.objects.filter(person_id__in=ids).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )
    texts: dict[int, list[str]] = defaultdict(list)
    for arrangement in current.order_by("person_id", "-start", "pk"):
        texts[arrangement.person_id].append(arrangement_text(arrangement))
    return {pk: "；".join(values) for pk, values in texts.items()}


def arrangement_text(arrangement: PoliticalArrangement) -> str:
    """县级政协委员（第十届，常委）."""
    kind = str(ArrangementKind(arrangement.kind).label)
    level = str(RepresentativeLevel(arrangement.level).label) if arrangement.level else ""
    extra = _("，").join(v for v in (arrangement.term, arrangement.post) if v)
    # Translators: 县级 + 政协委员, written together in Chinese.
    text = _("%(level)s%(kind)s") % {"level": level, "kind": kind} if level else kind
    return text + (_("（%(extra)s）") % {"extra": extra} if extra else "")


# --- the 登记表 (PDF) --------------------------------------------------------------------


def export_registration(user, persons: list[Person], *, filters: dict | None = None) -> bytes:
    """The 登记表 PDF of these persons (already checked to be in the user's scope), with
    its audit row: one person names the person, a batch lists the persons' ids."""
    content = registration_pdf(user, persons)
    single = persons[0] if len(persons) == 1 and filters is None else None
    detail = {"format": "pdf"}
    if single is None:
        detail.update(persons=[p.pk for p in persons], filters=filters or {})
    do_record_export(user, REGISTRATION, rows=len(persons), masked=True, detail=detail, obj=single)
    return content


def batch_problem(count: int) -> str:
    """Why a batch of `count` 登记表 cannot be made, or "" when it can."""
    if count == 0:
        return _("当前筛选条件下没有统战对象。")
    if count > BATCH_LIMIT:
        return _(
            "一次最多生成 %(limit)d 份登记表，当前筛选有 %(count)d 人。请缩小筛选范围后再导出。"
        ) % {"limit": BATCH_LIMIT, "count": count}
    return ""


def registration_people(queryset):
    return queryset.select_related("region").prefetch_related(
        "categories", "resume_entries", "arrangements"
    )


def registration_pdf(user, persons: list[Person], when: datetime | None = None) -> bytes:
    """One A4 登记表 page per person, in one PDF. The CJK font must be installed
    (pdf.CJKFontMissing otherwise): a form of empty boxes is worse than an error."""
    when = when or timezone.now()
    font = pdf.cjk_font()
    meta = sheet_meta(user, ROSTER, when=when)
    html = render_to_string(
        "ledgers/registration_form.html",
        {
            "cards": [registration_card(user, p) for p in persons],
            "font_face": pdf.font_face_css(font),
            "font_family": font.family,
            "stamp": meta.stamp,
            "watermark": f"{meta.exported_by}　{timezone.localtime(when):%Y-%m-%d %H:%M}",
            "unit": meta.unit,
            "exported_at": timezone.localtime(when),
            "tall_labels": {
                "resume": vertical(_("简历")),
                "arrangements": vertical(_("政治安排")),
                "recommendation": vertical(_("推荐理由")),
            },
        },
    )
    return pdf.render_pdf(html, allowed_dirs=[settings.MEDIA_ROOT])


def vertical(label: str) -> list[str]:
    """A tall block's label written down the cell one character a line (简 / 历), as
    forms do; a label in a Latin script stays one word."""
    return list(label) if label and not any(c.isascii() and c.isalpha() for c in label) else [label]


MAX_RESUME_LINES = 16
MAX_ARRANGEMENT_LINES = 5


def registration_card(user, person: Person) -> dict:
    """The values one 登记表 shows. ID and phone are always masked here; the
    sensitive fields show only to VIEW_SENSITIVE and read 无权查看 otherwise."""
    sensitive = user.has_job(VIEW_SENSITIVE)
    hidden = _("（无权查看）")

    def secret(value: str) -> str:
        return value if sensitive else hidden

    return {
        "person": person,
        "title": _("党外代表人士登记表") if person.is_representative else _("统战对象登记表"),
        "gender": person.get_gender_display() if person.gender else "",
        "birth": _month(person.birth_date),
        "ethnicity": secret(person.get_ethnicity_display() if person.ethnicity else ""),
        "party": secret(_party(person)),
        "party_join": secret(_month(person.party_join_date)),
        "religion": secret(Religion(person.religion).label if person.religion else ""),
        "work_start": _month(person.work_start),
        "education": _education_line(person),
        "work": " ".join(v for v in (person.work_unit, person.post) if v),
        "categories": format_list(person.category_labels()),
        "level": person.get_representative_level_display() if person.representative_level else "",
        "resume": _clip(_resume_lines(person), MAX_RESUME_LINES),
        "arrangements": _clip(
            [_arrangement_line(a) for a in person.arrangements.all()], MAX_ARRANGEMENT_LINES
        ),
        "photo": photo_url(person.photo),
    }


def _party(person: Person) -> str:
    labels = _labels(PoliticalStatus)
    parts = [labels.get(person.political_status, ""), labels.get(person.second_party, "")]
    return format_list(p for p in parts if p)


def _education_line(person: Person) -> str:
    if person.fulltime_education or person.inservice_education:
        return person.fulltime_education
    label = person.get_education_display() if person.education else ""
    return " ".join(v for v in (label, person.degree) if v)


def _span(start: date | None, end: date | None) -> str:
    if not start and not end:
        return ""
    return f"{_month(start)}—{_month(end) if end else _('至今')}"


def _resume_lines(person: Person) -> list[str]:
    entries = list(person.resume_entries.all())
    if entries:
        return [f"{_span(e.start, e.end)}　{e.description}".strip() for e in entries]
    return [line.strip() for line in person.resume.splitlines() if line.strip()]


def _arrangement_line(arrangement: PoliticalArrangement) -> str:
    return f"{_span(arrangement.start, arrangement.end)}　{arrangement_text(arrangement)}".strip()


def _clip(lines: list[str], limit: int) -> list[str]:
    """A one-page form has room for so many lines; say how many more the record holds."""
    if len(lines) <= limit:
        return lines
    more = len(lines) - (limit - 1)
    return [*lines[: limit - 1], _("……另有 %(n)d 条，见系统记录") % {"n": more}]


def photo_url(relative: str) -> str:
    """A file: URL for a stored photo, or "" when there is none or it lies outside
    MEDIA_ROOT (a stored path is data: never let it point elsewhere)."""
    if not relative:
        return ""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return ""
    return path.as_uri()
