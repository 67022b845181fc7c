"""The 诉求办理台账 (xlsx): the requests of the list's current filter, as the book is laid out.

Same house pattern as the registry's books (ledgers/exports.py): a title naming the
place, the unit and date, a merged header over the 办理 columns, frozen panes, the
person's phone masked, the exporter's stamp as watermark, and an audit row. Only roles
holding EXPORT may export.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhan.accounts.roles import EXPORT
from tongzhan.ledgers.exports import Book, export_book
from tongzhan.lib.xlsx import Column, SheetMeta

from . import requests_query as rq
from .choices import RequestCategory, RequestState, Satisfaction

BOOK = gettext_lazy("诉求办理台账")
KIND = "requests"
CHUNK = 2000


def can_export(user) -> bool:
    return user.is_authenticated and user.has_job(EXPORT)


def _columns() -> list[Column]:
    handling = _("办理情况")
    return [
        Column(_("序号"), 5),
        Column(_("诉求人"), 9),
        Column(_("联系电话"), 13),
        Column(_("所属区域"), 12),
        Column(_("诉求事项"), 22),
        Column(_("类别"), 9),
        Column(_("诉求内容"), 28),
        Column(_("提出日期"), 11),
        Column(_("承办单位"), 14, handling),
        Column(_("承办人"), 9, handling),
        Column(_("办理时限"), 11, handling),
        Column(_("状态"), 7, handling),
        Column(_("办结日期"), 11, handling),
        Column(_("办理结果"), 24, handling),
        Column(_("时限情况"), 9, handling),
        Column(_("回访日期"), 11),
        Column(_("满意度"), 8),
    ]


def _day(value) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _rows(queryset, today):
    category = dict(RequestCategory.choices)
    state = dict(RequestState.choices)
    satisfaction = dict(Satisfaction.choices)
    for number, r in enumerate(queryset.iterator(chunk_size=CHUNK), start=1):
        flag = rq.flag_of(r, today)
        yield [
            number,
            r.person.name,
            r.person.phone_masked,
            r.region.name,
            r.title,
            str(category.get(r.category, r.category)),
            r.description,
            _day(r.raised_on),
            r.handling_unit,
            r.handler_name or (str(r.handler) if r.handler_id else ""),
            _day(r.deadline),
            str(state.get(r.state, r.state)),
            _day(r.closed_on),
            r.result,
            str(rq.FLAG_LABELS[flag]) if flag in (rq.OVERDUE, rq.CLOSED_LATE) else "",
            _day(r.revisited_on),
            str(satisfaction.get(r.satisfaction, "")) if r.satisfaction else "",
        ]


def export_requests(
    user, queryset, *, filters: dict, region_code: str = ""
) -> tuple[Path, SheetMeta]:
    """Write the book of these (already scoped and filtered) requests to a temporary file
    (the caller deletes it) and write the audit row."""
    if not can_export(user):  # before reading anything
        raise PermissionDenied(_("您没有导出的权限。"))
    queryset = queryset.restrict(user, "view").select_related("person", "region", "handler")
    book = Book(BOOK, KIND, "engagement.request", _columns())
    rows = _rows(queryset, timezone.localdate())
    return export_book(user, book, rows, filters=filters, region_code=region_code)
