"""Turning scenario results into the lines run.py prints and the tables of
docs/PERFORMANCE.md.

    python bench/report.py var/bench/results-sqlite.jsonl   # the newest figure of each kind
    python bench/report.py --run 2026-11-26T12:16 var/bench/results-sqlite.jsonl  # one run

A run is named by the date run.py stamped on its results (a prefix of it is enough), so
that the figures before and after a change can be shown side by side.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _day(r: dict) -> str:
    """When the figure was taken: the run's date to the minute (UTC as stamped)."""
    return r.get("date", "")[:16].replace("T", " ")


def _ok(flag) -> str:
    return "pass" if flag else "**fail**"


def one_line(r: dict) -> str:
    kind = r.get("scenario")
    if r.get("status") == "not measured yet":
        return f"{kind}: not measured yet ({r.get('reason', '')})"
    if kind == "machine":
        return f"machine: {r['cpu']}, {r['cores']} cores, {r['database_version']}, {r['persons']:,} persons"
    if kind == "list_search":
        return (
            f"{r['persona']:<13} {r['case']:<10} total {r['total']:>8,}  "
            f"p50 {r['orm']['p50_ms']:7.1f}  p95 {r['orm']['p95_ms']:7.1f} ms  "
            f"raw p95 {r['raw']['p95_ms']:7.1f} (×{r['ratio_raw']})  "
            f"unscoped p95 {r['unscoped']['p95_ms']:8.1f} (×{r['ratio_unscoped']})"
            + (f"  as-filter ×{r['ratio_as_filter']}" if "ratio_as_filter" in r else "")
        )
    return json.dumps(r, ensure_ascii=False)


def markdown(results: list[dict]) -> str:
    parts = []
    rows = [r for r in results if r.get("scenario") == "list_search"]
    if rows:
        parts.append(_list_table(rows))
    for kind, table in (("import", _import_table), ("export", _export_table)):
        measured = [r for r in results if r.get("scenario") == kind and "seconds" in r]
        if measured:
            parts.append(table(measured))
    for r in results:
        if r.get("status") == "not measured yet":
            parts.append(f"- `{r['scenario']}`: not measured yet ({r.get('reason', '')})")
        elif r.get("scenario") == "audit_verify":
            parts.append(
                f"- audit chain: {r['entries_checked']:,} entries (detail ≈ {r.get('avg_detail_chars', '?')} "
                f"chars) verified in {r['median_seconds']} s (median of {r['runs']}; max "
                f"{r['max_seconds']} s), {r['entries_per_second']:,} entries/s, load {r['load']}"
            )
    return "\n\n".join(parts)


def _import_table(rows: list[dict]) -> str:
    lines = [
        "| mode | rows | check processes | seconds (check + write) | rows/s | check rows/s | "
        "peak RSS MB (largest checking process) | all processes, peak PSS MB | imported | "
        "errors | ≥ 10,000 rows/s | ≤ 300 MB | load | date |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|---|",
    ]
    for r in rows:
        check = r.get("check_seconds") or 0
        check_rate = f"{round(r['rows'] / check):,}" if check else "—"
        children = r.get("children_peak_rss_mb") or "—"
        lines.append(
            f"| {r['mode']} | {r['rows']:,} | {r.get('check_processes', 0)} | {r['seconds']} "
            f"({check} + {r.get('write_seconds')}) | {r['rows_per_second']:,} | {check_rate} | "
            f"{r['peak_rss_mb']} ({children}) | {r.get('peak_pss_all_mb', '—')} | "
            f"{r.get('imported_count', '—'):,} | {r.get('error_count', '—')} | "
            f"{_ok(r['pass_rate'])} | {_ok(r['pass_rss'])} | {r['load']} | {_day(r)} |"
        )
    return "\n".join(lines)


def _export_table(rows: list[dict]) -> str:
    lines = [
        "| scope | masked | rows | cells | seconds | rows/s | raw xlsxwriter s | ×raw | "
        "peak RSS MB (after setup) | ≤ 1.3× raw | load | date |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scope']} | {'no' if r['unmasked'] else 'yes'} | {r['rows']:,} | "
            f"{r['cells']:,} | {r['seconds']} | {r['rows_per_second']:,} | "
            f"{r['raw_xlsxwriter_seconds']} | {r['ratio_raw']} | {r['peak_rss_mb']} "
            f"({r['rss_after_setup_mb']}) | {_ok(r['pass_ratio'])} | {r['load']} | {_day(r)} |"
        )
    return "\n".join(lines)


def _list_table(rows: list[dict]) -> str:
    head = (
        "| persona | case | rows | p50 ms | p95 ms | max ms | raw SQL p95 | ×raw | "
        "unscoped p95 | ×unscoped | as filter p95 | ×filter | p95 ≤ 50 | ≤ 2× raw | ≤ 1.3× unscoped "
        "| load | date |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        orm = r["orm"]
        as_filter = r.get("as_filter", {}).get("p95_ms", "—")
        lines.append(
            f"| {r['persona']} | {r['case']} | {r['total']:,} | {orm['p50_ms']:.1f} | "
            f"{orm['p95_ms']:.1f} | {orm['max_ms']:.1f} | {r['raw']['p95_ms']:.1f} | "
            f"{r['ratio_raw']} | {r['unscoped']['p95_ms']:.1f} | {r['ratio_unscoped']} | "
            f"{as_filter} | {r.get('ratio_as_filter', '—')} | {_ok(r['pass_p95'])} | "
            f"{_ok(r['pass_raw'])} | {_ok(r['pass_unscoped'])} | {r['load_before'].split()[0]} | "
            f"{_day(r)} |"
        )
    return "\n".join(lines)


def latest(path: Path, run: str = "") -> list[dict]:
    """The newest result of each figure in a results file (a figure is re-measured by
    running its scenario again); with `run`, only the results of the runs whose date
    starts with it."""
    newest: dict[tuple, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if not r.get("date", "").startswith(run):
            continue
        key = tuple(r.get(k) for k in ("scenario", "persona", "case", "mode", "scope", "unmasked"))
        newest[key] = r
    return list(newest.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default="", help="only the runs whose date starts with this")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    for path in args.files:
        print(markdown(latest(path, args.run)))


if __name__ == "__main__":
    main()
