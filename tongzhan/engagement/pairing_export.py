"""The 联谊交友台账 (xlsx): the pairings of the unit page's current filter, laid out as the
house ledgers are (tongzhan.lib.xlsx: title, merged header, frozen panes, watermark).

Phone numbers are always masked here; the ledger is about the work, not the contacts'
details. Every export writes an audit row with the filter and the row count.
"""

from __future__ import annotations

from itertools import chain, islice
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhan.accounts.roles import EXPORT
from tongzhan.core.choices import RepresentativeLevel
from tongzhan.core.scope import regions_for
from tongzhan.ledgers.exports import Book, download_name, export_book
from tongzhan.lib.text import format_list
from tongzhan.lib.xlsx import Column

from .models import EngagementSettings
from .pairing_queries import DUE_SOON, ENDED, OVERDUE, decorate, with_rows

BOOK = gettext_lazy("联谊交友台账")
CHUNK = 1000
STATES = {
    ENDED: gettext_lazy("已结束"),
    OVERDUE: gettext_lazy("逾期"),
    DUE_SOON: gettext_lazy("即将到期"),
}


def can_export(user) -> bool:
    return user.is_authenticated and user.has_job(EXPORT)


def columns() -> list[Column]:
    return [
        Column(_("序号"), 5),
        Column(_("姓名"), 9, _("干部")),
        Column(_("单位"), 14, _("干部")),
        Column(_("姓名"), 9, _("交友对象")),
        Column(_("类别"), 16, _("交友对象")),
        Column(_("层级"), 7, _("交友对象")),
        Column(_("乡镇（街道）"), 10, _("交友对象")),
        Column(_("村/社区"), 10, _("交友对象")),
        Column(_("工作单位及职务"), 22, _("交友对象")),
        Column(_("联系电话"), 13, _("交友对象")),
        Column(_("结对日期"), 11),
        Column(_("联系周期（月）"), 8),
        Column(_("最近联系"), 11),
        Column(_("下次应联系"), 11),
        Column(_("状态"), 8),
        Column(_("结束日期"), 11),
        Column(_("备注"), 24),
    ]


def export_pairings(user, pairings, *, filters: dict, region_code: str = "") -> tuple[Path, str]:
    """Write the ledger of these pairings (already restricted and filtered) to a temporary
    file; returns (path, download name). The caller sends and deletes it."""
    if not can_export(user):  # before reading anything
        raise PermissionDenied(_("您没有导出的权限。"))
    pairings = pairings.restrict(user, "view")  # a caller cannot widen the scope
    book = Book(BOOK, "pairings", "engagement.pairing", columns(), freeze_cols=4)
    rows = chain.from_iterable(_batches(user, pairings))
    path, meta = export_book(user, book, rows, filters=filters, region_code=region_code)
    return path, download_name(meta)


def _batches(user, pairings):
    regions = dict(regions_for(user, "view").order_by().values_list("code", "name"))
    levels = {value: str(label) for value, label in RepresentativeLevel.choices}
    settings, today = EngagementSettings.current(), timezone.localdate()
    iterator = with_rows(pairings).iterator(chunk_size=CHUNK)
    number = 0
    while batch := list(islice(iterator, CHUNK)):
        rows = []
        for pairing in decorate(batch, today, settings):
            number += 1
            rows.append(_row(number, pairing, regions, levels))
        yield rows


def _row(number: int, p, regions: dict, levels: dict) -> list:
    person, code = p.person, p.person.region_id
    township = regions.get(code[:9] + "000", "") if code[6:9] != "000" else ""
    village = regions.get(code, "") if code[9:] != "000" else ""
    work = " ".join(v for v in (person.work_unit, person.post) if v)
    return [
        number,
        p.cadre.display_name or p.cadre.username,
        p.cadre.unit,
        person.name,
        format_list(person.category_labels()),
        levels.get(person.representative_level, ""),
        township,
        village,
        work,
        person.phone_masked,  # stored masked: the ledger never decrypts
        _day(p.start_date),
        p.effective_interval,
        _day(p.last_contact_on) or _("未联系"),
        _day(p.next_due_on) if p.state != ENDED else "",
        str(STATES.get(p.state, _("正常"))),
        _day(p.end_date),
        "；".join(filter(None, [p.end_reason, p.notes])),
    ]


def _day(value) -> str:
    return f"{value:%Y-%m-%d}" if value else ""
