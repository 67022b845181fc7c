"""Scoped list and search: the person list's query at scale, three ways.

For each persona (a township 统战委员, a county staff member, a county 工商联 line
contact, each on the busiest region of its kind) and each case (the plain list, pinyin,
initials, exact ID number, Chinese name, a set of filters), one timing is what the list
page does: `people.filters.find_people` (form, scope, filters, the counts query) and
the first page materialised with its prefetch. Against it:
- raw: the very SQL statements Django sent for it (captured once), run through
  `cursor.execute` + `fetchall`, no ORM;
- unscoped: the same code with `restrict()` returning every person (same filters);
- as_filter: unscoped, with the user's region as an ordinary region filter (the same
  rows as the scoped query without the scope machinery; not for the line contact).
The scoped figure always has --runs timed runs (50) after --warmup runs (5); a baseline
that takes seconds gets fewer (see `baseline`).

Usage: python bench/list_search.py --db sqlite|postgres [--runs 50] [--explain]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TARGET_P95_MS = 50
TARGET_RAW_RATIO = 2.0
TARGET_UNSCOPED_RATIO = 1.3
SLOW_BASELINE_SECONDS = 0.5
BASELINE_BUDGET_SECONDS = 30


def cases(sample) -> dict[str, dict]:
    """Query parameters of each case, built around a person in the persona's scope."""
    from tongzhan.core.choices import Category, PersonStatus
    from tongzhan.lib import chinese

    initials = min(chinese.name_keys(sample.name).initials)
    return {
        "list": {},
        "pinyin": {"q": sample.name_pinyin},
        "initials": {"q": initials},
        "id_number": {"q": sample.id_number},
        "name": {"q": sample.name},
        "filters": {
            "category": Category.NON_PUBLIC_ECONOMY.value,
            "status": PersonStatus.ACTIVE.value,
            "age_min": "30",
            "age_max": "60",
            "sort": "name",
        },
    }


def sample_person(user):
    """A person in the middle of the user's scope (by id), with a plain Han name."""
    from tongzhan.people.models import Person

    people = Person.objects.restrict(user, "view").exclude(name__contains="·").order_by("pk")
    ids = list(people.values_list("pk", flat=True))
    return Person.objects.get(pk=ids[len(ids) // 2])


def run_list(user, params: dict) -> int:
    """What the list view does for these parameters: the count, the first page, its
    prefetch. Returns the total, so that callers can check the variants agree."""
    from tongzhan.people.filters import find_people

    results = find_people(common.fresh(user), params, 1)
    if results.page is None:
        raise SystemExit(f"invalid parameters {params}: {results.form.errors.as_json()}")
    list(results.page.object_list)
    return results.total


def captured_sql(user, params: dict) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        run_list(user, params)
    return [q["sql"] for q in ctx.captured_queries]


def run_raw(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def statement_timing(sql: str, args) -> dict:
    """One captured statement on its own (p50 of --runs), to see which one costs."""
    timing = common.timed(lambda: run_raw([sql]), warmup=1, runs=max(args.runs // 5, 5))
    return {"sql": " ".join(sql.split())[:160], "p50_ms": timing["p50_ms"]}


def unscoped():
    """restrict() that lets every person through: the same code path without the scope."""
    from tongzhan.core.scope import ScopedQuerySet

    return mock.patch.object(ScopedQuerySet, "restrict", lambda self, user, action: self.all())


def explain(statements: list[str], path: Path) -> None:
    from django.db import connection

    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    lines = []
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(prefix + sql)
            plan = "\n".join("  " + " | ".join(str(c) for c in row) for row in cursor.fetchall())
            lines.append(f"{sql}\n{plan}\n")
    path.write_text("\n".join(lines), encoding="utf-8")


def measure(name, user, region, params, args) -> dict:
    timing = {"warmup": args.warmup, "runs": args.runs}
    total = run_list(user, params)
    statements = captured_sql(user, params)
    result = {
        "persona": name,
        "region": region,
        "total": total,
        "queries": len(statements),
        "load_before": common.load(),
        "orm": common.timed(lambda: run_list(user, params), **timing),
        "raw": common.timed(lambda: run_raw(statements), **timing),
        "raw_statements": [statement_timing(sql, args) for sql in statements],
    }
    with unscoped():
        result["unscoped_total"], result["unscoped"] = baseline(user, params, args)
        if name != "county_line":
            as_filter = {**params, "region": region}
            result["as_filter_total"], result["as_filter"] = baseline(user, as_filter, args)
    result["load_after"] = common.load()
    _judge(result)
    return result | {"statements": statements} if args.explain else result


_baselines: dict[str, tuple[int, dict]] = {}


def baseline(user, params: dict, args) -> tuple[int, dict]:
    """Total and timing of a baseline. One that takes seconds (the unscoped count over a
    million persons) gets as many runs as fit in ~30 s, at least 10, instead of 50; the
    same parameters are measured once for all personas."""
    key = repr(sorted(params.items()))
    if key not in _baselines:
        started = time.perf_counter()
        total = run_list(user, params)
        first = time.perf_counter() - started
        runs, warmup = args.runs, args.warmup
        if first > SLOW_BASELINE_SECONDS:
            runs, warmup = max(10, min(runs, int(BASELINE_BUDGET_SECONDS / first))), 1
        timing = common.timed(lambda: run_list(user, params), warmup=warmup, runs=runs)
        _baselines[key] = (total, timing)
    return _baselines[key]


def _judge(result: dict) -> None:
    p95 = result["orm"]["p95_ms"]
    result["ratio_raw"] = round(p95 / result["raw"]["p95_ms"], 2)
    result["ratio_unscoped"] = round(p95 / result["unscoped"]["p95_ms"], 2)
    if "as_filter" in result:
        result["ratio_as_filter"] = round(p95 / result["as_filter"]["p95_ms"], 2)
    result["pass_p95"] = p95 <= TARGET_P95_MS
    result["pass_raw"] = result["ratio_raw"] <= TARGET_RAW_RATIO
    result["pass_unscoped"] = result["ratio_unscoped"] <= TARGET_UNSCOPED_RATIO


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--persona", default="", help="comma-separated persona names")
    parser.add_argument("--explain", action="store_true", help="write query plans to var/bench")
    args = parser.parse_args()
    common.setup(args.db)
    from tongzhan.people.models import Person

    common.emit({"scenario": "machine", **common.machine(), "persons": Person.objects.count()})
    for name, user in common.personas().items():
        if args.persona and name not in args.persona.split(","):
            continue
        region = user.role_assignments.get().region_id
        for case, params in cases(sample_person(user)).items():
            if args.only and case not in args.only.split(","):
                continue
            result = measure(name, user, region, params, args)
            statements = result.pop("statements", None)
            if statements:
                path = common.VAR_BENCH / f"plan-{args.db}-{name}-{case}.txt"
                explain(statements, path)
                result["plan"] = str(path)
            common.emit({"scenario": "list_search", "case": case, **result})


if __name__ == "__main__":
    main()
