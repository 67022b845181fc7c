"""Writing a 台账 (ledger) sheet as government forms lay it out, in constant memory.

Layout, top to bottom: a title merged across every column; a subtitle row
(填报单位 on the left, 填报时间 on the right); one header row, or two when
some columns sit under a group (学历 → 全日制 / 在职); the data rows; a
sign-off row (填表人 / 审核人 / 联系电话); and a last row naming who exported
the file and when. Panes are frozen below the header.

xlsxwriter has no real watermark, so the "watermark" is the page header and
footer of every printed page, that last row, and the document properties.

In constant_memory mode a row is flushed as soon as a later row is written,
so every cell is written strictly in row order. That rules out merge_range()
for the header cells that span two rows: those cells are written row by row
and the merged area is registered on its own (see `_register_merge`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

FONT = "宋体"  # what county offices' forms are set in; WPS and Excel substitute if absent
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 0, 1, 2


@dataclass(frozen=True)
class Column:
    """One column: its header, width in characters, and an optional group above it."""

    header: str
    width: float = 10
    group: str = ""


@dataclass(frozen=True)
class SheetMeta:
    """What the sheet says about itself: title, unit, and who exported it when."""

    title: str
    unit: str
    exported_by: str
    exported_at: datetime
    sheet_name: str = ""

    @property
    def stamp(self) -> str:
        return _("导出人：%(who)s　导出时间：%(when)s　仅限工作使用，不得外传") % {
            "who": self.exported_by,
            "when": timezone.localtime(self.exported_at).strftime("%Y-%m-%d %H:%M"),
        }


class LedgerWriter:
    """Writes one ledger sheet; use as a context manager and call `write_rows` once."""

    def __init__(
        self, path: str | Path, columns: Sequence[Column], meta: SheetMeta, freeze_cols: int = 0
    ):
        self.columns, self.meta, self.freeze_cols = list(columns), meta, freeze_cols
        self.last_col = len(self.columns) - 1
        self.grouped = any(c.group for c in self.columns)
        self.first_data_row = HEADER_ROW + (2 if self.grouped else 1)
        self.rows_written = 0
        self.workbook = xlsxwriter.Workbook(
            str(path),
            # write_string everywhere: nothing typed into a record ever becomes a formula.
            {"constant_memory": True, "tmpdir": tempfile.gettempdir()},
        )
        self.sheet = self.workbook.add_worksheet(meta.sheet_name or None)
        self.formats = _formats(self.workbook)

    def __enter__(self) -> LedgerWriter:
        self._set_up_sheet()
        self._write_title()
        self._write_header()
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is None:
            self._write_sign_off()
        self.workbook.close()

    def write_rows(self, rows: Iterable[Sequence]) -> int:
        """Write the data rows in order; numbers stay numbers, the rest is text."""
        sheet, cell = self.sheet, self.formats["cell"]
        write_string, write_number = sheet.write_string, sheet.write_number
        row = self.first_data_row + self.rows_written
        for values in rows:
            for col, value in enumerate(values):
                if isinstance(value, int | float):
                    write_number(row, col, value, cell)
                else:
                    write_string(row, col, value or "", cell)
            row += 1
        self.rows_written = row - self.first_data_row
        return self.rows_written

    # --- layout ---------------------------------------------------------------------------

    def _set_up_sheet(self) -> None:
        sheet, meta = self.sheet, self.meta
        for col, column in enumerate(self.columns):
            sheet.set_column(col, col, column.width)
        sheet.freeze_panes(self.first_data_row, self.freeze_cols)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        sheet.center_horizontally()
        sheet.repeat_rows(HEADER_ROW, self.first_data_row - 1)
        sheet.fit_to_pages(1, 0)
        stamp = _escape_header(meta.stamp)
        sheet.set_header(f"&L{_escape_header(meta.title)}&R{stamp}")
        page = _("第 &P 页，共 &N 页")
        sheet.set_footer(f"&L{stamp}&R{page}")
        self.workbook.set_properties(
            {
                "title": meta.title,
                "subject": meta.title,
                "author": meta.exported_by,
                "company": meta.unit,
                "comments": meta.stamp,
                "created": meta.exported_at.astimezone(UTC).replace(tzinfo=None),
            }
        )

    def _write_title(self) -> None:
        sheet, formats = self.sheet, self.formats
        sheet.set_row(TITLE_ROW, 32)
        self._merge_row(TITLE_ROW, 0, self.last_col, self.meta.title, formats["title"])
        middle = max(0, self.last_col // 2)
        unit = _("填报单位（盖章）：%(unit)s") % {"unit": self.meta.unit}
        when = timezone.localtime(self.meta.exported_at)
        date = _("填报时间：%(y)d年%(m)d月%(d)d日") % {
            "y": when.year,
            "m": when.month,
            "d": when.day,
        }
        sheet.set_row(SUBTITLE_ROW, 20)
        if middle == self.last_col:  # one column: no room for two halves
            unit = f"{unit}　{date}"
        self._merge_row(SUBTITLE_ROW, 0, middle, unit, formats["subtitle_left"])
        if middle < self.last_col:
            self._merge_row(
                SUBTITLE_ROW, middle + 1, self.last_col, date, formats["subtitle_right"]
            )

    def _write_header(self) -> None:
        head, sheet = self.formats["head"], self.sheet
        top, sub = HEADER_ROW, HEADER_ROW + 1
        spans = _group_spans(self.columns)
        sheet.set_row(top, 22)
        for first, last, group in spans:
            if group:
                self._merge_row(top, first, last, group, head)
            else:
                sheet.write_string(top, first, self.columns[first].header, head)
        if not self.grouped:
            return
        sheet.set_row(sub, 22)
        for first, last, group in spans:
            for col in range(first, last + 1):
                text = self.columns[col].header if group else ""
                sheet.write_string(sub, col, text, head)
            if not group:
                _register_merge(sheet, top, first, sub, first)

    def _write_sign_off(self) -> None:
        sheet, formats = self.sheet, self.formats
        row = self.first_data_row + self.rows_written + 1
        sign = _("填表人：%(s)s审核人：%(s)s联系电话：") % {"s": "　" * 8}
        sheet.set_row(row, 24)
        self._merge_row(row, 0, self.last_col, sign, formats["sign_off"])
        self._merge_row(row + 1, 0, self.last_col, self.meta.stamp, formats["stamp"])

    def _merge_row(self, row: int, first: int, last: int, text: str, cell_format) -> None:
        if last > first:
            self.sheet.merge_range(row, first, row, last, text, cell_format)
        else:
            self.sheet.write_string(row, first, text, cell_format)


def _group_spans(columns: Sequence[Column]) -> list[tuple[int, int, str]]:
    """Runs of adjacent columns: (first, last, group); ungrouped columns are runs of one."""
    spans: list[tuple[int, int, str]] = []
    for col, column in enumerate(columns):
        if column.group and spans and spans[-1][2] == column.group:
            spans[-1] = (spans[-1][0], col, column.group)
        else:
            spans.append((col, col, column.group))
    return spans


def _register_merge(sheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    # merge_range() would write the lower cell and flush the upper row before the rest of
    # it is written; the cells are already written in order, so only record the area.
    sheet.merge.append([first_row, first_col, last_row, last_col])


def _escape_header(text: str) -> str:
    """Header/footer text: & starts a control code, so a literal one is doubled."""
    return text.replace("&", "&&")


def _formats(workbook) -> dict:
    base = {"font_name": FONT, "valign": "vcenter"}
    box = {**base, "border": 1, "font_size": 10}
    specs = {
        "title": {**base, "bold": True, "font_size": 18, "align": "center"},
        "subtitle_left": {**base, "font_size": 11, "align": "left"},
        "subtitle_right": {**base, "font_size": 11, "align": "right"},
        "head": {**box, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"},
        "cell": {**box, "align": "left"},
        "sign_off": {**base, "font_size": 11, "align": "left"},
        "stamp": {**base, "font_size": 9, "align": "left", "font_color": "#808080"},
    }
    return {name: workbook.add_format(spec) for name, spec in specs.items()}
