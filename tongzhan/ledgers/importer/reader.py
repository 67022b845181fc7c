"""Reading a ledger file into numbered rows: .xlsx/.xls/.ods through calamine, .csv in
UTF-8 (with or without BOM), UTF-16 or GBK/GB18030.

Rows come out one at a time with the row number the user sees in Excel, merged cells
filled from their top-left cell (a 村 merged down over its persons belongs to each of
them), and the header already found: the caller only sees data rows.
"""

import codecs
import contextlib
import csv
import ctypes
import itertools
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from tongzhan.lib.iterables import batched

from .columns import HEADER_SCAN_ROWS, Layout, find_layout

SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".ods"}
SUPPORTED = SPREADSHEETS | {".csv"}


class LedgerFileError(ValueError):
    """The file as a whole cannot be read; str() is a Chinese message for the user."""


@dataclass
class Ledger:
    """A readable ledger: its header and an iterator over its data rows (line, cells)."""

    sheet: str
    layout: Layout
    rows: Iterator[tuple[int, list]]
    estimated_rows: int  # rows in the sheet or lines in the file, for progress bars

    @property
    def header_line(self) -> int:
        return self.layout.header_rows[-1] + 1


def read_ledger(path: Path, file_name: str) -> Ledger:
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUPPORTED:
        raise LedgerFileError(
            _("不支持的文件类型“%(s)s”：请上传 .xlsx、.xls、.xlsm、.ods 或 .csv 文件")
            % {"s": suffix}
        )
    if suffix == ".csv":
        return _csv_ledger(path)
    ledger = _spreadsheet_ledger(path)
    # calamine's copy of the sheet is gone now (the rows are packed): give its pages back,
    # or the allocator keeps them, in this process and in every process forked from it.
    release_free_memory()
    return ledger


def _with_header(sheet: str, rows: Iterator[list], estimated: int) -> Ledger | None:
    """Find the header in the first rows; None if there is none."""
    head = list(itertools.islice(rows, HEADER_SCAN_ROWS + 1))
    layout = find_layout(head)
    if layout is None:
        return None
    first_data = layout.header_rows[-1] + 1
    numbered = enumerate(itertools.chain(head[first_data:], rows), start=first_data + 1)
    return Ledger(sheet, layout, numbered, estimated)


def _no_header() -> LedgerFileError:
    return LedgerFileError(
        _(
            "没有找到表头：前 %(n)d 行中没有一行同时含有“姓名”和其他可识别的列名（如性别、身份证号、出生年月）"
        )
        % {"n": HEADER_SCAN_ROWS}
    )


# --- spreadsheets ------------------------------------------------------------------------


def _spreadsheet_ledger(path: Path) -> Ledger:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise LedgerFileError(_("无法读取该表格文件（文件损坏、加密或不是 Excel 文件）")) from exc
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.visible != SheetVisibleEnum.Visible or meta.typ != SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = workbook.get_sheet_by_index(index)
        except CalamineError:
            continue
        if sheet.start is None:
            continue
        ledger = _with_header(meta.name, _sheet_rows(sheet), sheet.end[0] + 1)
        if ledger is not None:
            ledger.rows = _packed(ledger.rows)
            return ledger
    raise _no_header()


# Rows per pickled block: the blocks the check reads at a time (validate.CHUNK).
PACKED_ROWS = 1000


def _packed(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """The rows read now, kept pickled in blocks, given back one block at a time.

    calamine reads a whole sheet at once and holds it until the last row is read: 87 MB
    for 100,000 rows × 15 columns, for as long as the check runs. Pickled, the same rows
    take 19 MB, and reading and unpickling them costs ~0.5 s of the check's CPU."""
    blocks = [
        pickle.dumps(list(block), pickle.HIGHEST_PROTOCOL) for block in batched(rows, PACKED_ROWS)
    ]
    return (row for block in _unpickled(blocks) for row in block)


def _unpickled(blocks: list[bytes]) -> Iterator[list]:
    blocks.reverse()  # popped from the end, so a block's bytes go as soon as it is read
    while blocks:
        yield pickle.loads(blocks.pop())  # noqa: S301 - bytes this process pickled itself


def release_free_memory() -> None:
    """Return the C allocator's free pages to the system (glibc's malloc_trim); a no-op
    where there is no such call."""
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


def _sheet_rows(sheet) -> Iterator[list]:
    """The sheet's rows from row 1 (calamine starts at row 1 but at the first used column),
    each merged cell filled from its top-left cell."""
    first_column = sheet.start[1]
    merges = sorted(
        ((r1, c1 - first_column), (r2, c2 - first_column))
        for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])
        if r2 > r1 or c2 > c1
    )
    pending, active = iter(merges), []
    upcoming = next(pending, None)
    for index, row in enumerate(sheet.iter_rows()):
        while upcoming is not None and upcoming[0][0] == index:
            (r1, c1), (r2, c2) = upcoming
            value = row[c1] if 0 <= c1 < len(row) else ""
            active.append((r2, max(c1, 0), c2, value))
            upcoming = next(pending, None)
        if active:
            active = [m for m in active if m[0] >= index]
            row = _fill(row, active)
        yield row


def _fill(row: list, merges: list) -> list:
    row = list(row)
    for _last_row, c1, c2, value in merges:
        for column in range(c1, min(c2 + 1, len(row))):
            if row[column] == "":
                row[column] = value
    return row


# --- CSV ---------------------------------------------------------------------------------


def _csv_ledger(path: Path) -> Ledger:
    encoding = detect_encoding(path)
    lines = _count_lines(path)
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by _csv_rows
    try:
        sample = handle.read(64 * 1024)
        handle.seek(0)
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        ledger = _with_header("", _csv_rows(handle, delimiter), lines)
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise LedgerFileError(_("无法读取该 CSV 文件：%(e)s") % {"e": type(exc).__name__}) from exc
    if ledger is None:
        handle.close()
        raise _no_header()
    return ledger


def _csv_rows(handle, delimiter: str) -> Iterator[list]:
    with handle:
        yield from csv.reader(handle, delimiter=delimiter)


def detect_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) or UTF-16 when the bytes say so, else GB18030 (a superset of GBK,
    what Excel on a Chinese Windows writes for "CSV")."""
    with open(path, "rb") as handle:
        start = handle.read(4)
        if start.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
