"""Export of the 统战对象名册 against raw xlsxwriter writing the same cells.

The export runs as the export view does: `ledgers.exports.filtered_people(user, {})`
then `export_people(user, queryset, "roster", unmasked)`, for a staff account on the
busiest city (~100,000 persons at 1M) and, to show that memory does not grow with the
rows, on the busiest county (~17,000). Each export runs in its own process, so its
peak RSS is its own. The baseline reads the exported file back (calamine, untimed) and
times xlsxwriter (constant_memory) writing exactly those cells with one bordered format,
as the ledger writer does (see `raw_write`). Both are the best of --repeat runs (3): the
machine's two cores are shared.

Usage: python bench/export.py --db sqlite|postgres
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TARGET_RATIO = 1.3


def exporter():
    try:
        from tongzhan.ledgers import exports
    except ImportError:
        return None
    if hasattr(exports, "export_people") and hasattr(exports, "filtered_people"):
        return exports
    return None


def export_user(level: str):
    from tongzhan.core.choices import RegionLevel

    region = common.busiest(RegionLevel.CITY if level == "city" else RegionLevel.COUNTY)
    # A city's staff: roles put staff on counties; the scope rule itself takes any level.
    return common.bench_user(f"bench_export_{level}", "staff", region)


def raw_write(cells: list[list]) -> float:
    """Seconds xlsxwriter takes to write these cells in constant memory the way a ledger
    writes its data cells: every cell of the grid, with one bordered format, numbers as
    numbers, the rest (empty ones too) as strings."""
    import tempfile

    import xlsxwriter

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        started = time.perf_counter()
        workbook = xlsxwriter.Workbook(handle.name, {"constant_memory": True})
        sheet = workbook.add_worksheet()
        cell = workbook.add_format({"font_name": "宋体", "border": 1, "font_size": 10})
        for r, row in enumerate(cells):
            for c, value in enumerate(row):
                if isinstance(value, int | float):
                    sheet.write_number(r, c, value, cell)
                else:
                    sheet.write_string(r, c, str(value), cell)
        workbook.close()
        return time.perf_counter() - started


def read_cells(path: Path) -> list[list]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def child(args) -> None:
    common.setup(args.db)
    exports = exporter()
    user = export_user(args.child)
    queryset = exports.filtered_people(user, {})[0]
    rss_ready = common.current_rss_mb()
    seconds = float("inf")
    for run in range(args.repeat):
        started = time.perf_counter()
        path = exports.export_people(user, queryset, "roster", args.unmasked)
        seconds = min(seconds, time.perf_counter() - started)
        if run < args.repeat - 1:
            path.unlink()
    peak = common.peak_rss_mb()
    try:
        cells = read_cells(path)
        size_mb = round(path.stat().st_size / 2**20, 1)
    finally:
        path.unlink(missing_ok=True)
    raw = min(raw_write(cells) for _ in range(args.repeat))
    rows = sum(1 for row in cells if isinstance(row[0], int | float))  # the 序号 column
    common.emit(
        {
            "scenario": "export",
            "scope": args.child,
            "region": user.role_assignments.get().region_id,
            "unmasked": args.unmasked,
            "rows": rows,
            "cells": sum(len(row) for row in cells),
            "file_mb": size_mb,
            "seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds),
            "raw_xlsxwriter_seconds": round(raw, 2),
            "ratio_raw": round(seconds / raw, 2),
            "peak_rss_mb": peak,
            "rss_after_setup_mb": rss_ready,
            "load": common.load(),
            "pass_ratio": seconds / raw <= TARGET_RATIO,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--child", choices=["city", "county"], help=argparse.SUPPRESS)
    parser.add_argument("--unmasked", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the export and of the baseline (best of)"
    )
    args = parser.parse_args()
    if args.child:
        return child(args)
    common.setup(args.db)
    if exporter() is None:
        common.emit(
            {
                "scenario": "export",
                "status": "not measured yet",
                "reason": "export_people is not in tongzhan.ledgers.exports yet",
            }
        )
        return
    command = [sys.executable, __file__, "--db", args.db, "--repeat", str(args.repeat)]
    for extra in (["county"], ["city"], ["city", "--unmasked"]):
        subprocess.run([*command, "--child", *extra], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
