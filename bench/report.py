"""Turning scenario results into the lines run.py prints and the tables of
docs/PERFORMANCE.md.

    python bench/report.py var/bench/results-sqlite.jsonl   # the latest run's tables
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


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
    for r in results:
        if r.get("scenario") not in ("list_search", "machine"):
            parts.append(f"- `{r.get('scenario')}`: " + json.dumps(r, ensure_ascii=False))
    return "\n\n".join(parts)


def _list_table(rows: list[dict]) -> str:
    head = (
        "| persona | case | rows | p50 ms | p95 ms | max ms | raw SQL p95 | ×raw | "
        "unscoped p95 | ×unscoped | as filter p95 | ×filter | p95 ≤ 50 | ≤ 2× raw | ≤ 1.3× unscoped |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|"
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
            f"{_ok(r['pass_raw'])} | {_ok(r['pass_unscoped'])} |"
        )
    return "\n".join(lines)


def latest(path: Path) -> list[dict]:
    """The results of the last run recorded in a results file."""
    results = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if not results:
        return []
    last = results[-1]["date"]
    return [r for r in results if r["date"] == last]


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(markdown(latest(Path(name))))
