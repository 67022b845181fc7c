"""Import of a 100,000-row 花名册: rows per second validated end to end, and peak memory.

The ledger is made once (var/bench/ledger-<rows>.xlsx) the way townships keep theirs: a
title row, a 填报单位 line, a two-row header (工作单位及职务 over 单位 | 职务), dates as
1975.03, categories as text, the township and village by name; the persons are new
synthetic ones (gendata, another seed) filed under the busiest county, imported by that
county's staff account. Each mode runs in its own process so that its peak RSS is its
own: `dry-run` (validate and report, write nothing) and `write` (validate and write;
the imported persons are removed afterwards so the bench database stays as generated).

Usage: python bench/import_ledger.py --db sqlite|postgres [--rows 100000]
"""

from __future__ import annotations

import argparse
import importlib
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TARGET_ROWS_PER_SECOND = 10_000
TARGET_RSS_MB = 300
# Where the import helper may put run_import(path, user, dry_run).
RUN_IMPORT_MODULES = (
    "tongzhan.ledgers.importer",
    "tongzhan.ledgers.imports",
    "tongzhan.ledgers.services",
    "tongzhan.ledgers.importer.write",
)
HEADER = ["序号", "姓名", "性别", "民族", "出生年月", "身份证号", "政治面貌", "学历"]
HEADER += ["工作单位及职务", "", "联系电话", "乡镇（街道）", "村（社区）", "类别", "备注"]
SUBHEADER = [""] * 8 + ["单位", "职务"] + [""] * 5


def find_run_import():
    for name in RUN_IMPORT_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "run_import"):
            return module.run_import
    return None


def ledger_path(rows: int) -> Path:
    return common.VAR_BENCH / f"ledger-{rows}.xlsx"


def make_ledger(path: Path, rows: int, county: str) -> None:
    """Write the ledger with xlsxwriter (constant memory), persons drawn by gendata."""
    import random

    import xlsxwriter

    from tongzhan.core.choices import Category, Education, Ethnicity, PoliticalStatus
    from tongzhan.core.models import Region
    from tongzhan.people import gendata

    tree = gendata.ensure_region_tree(
        county[:2].ljust(12, "0"), random.Random(0), gendata.TreeShape()
    )
    tree.villages = [(c, community) for c, community in tree.villages if c[:6] == county[:6]]
    tree.townships = []  # ledgers list persons by village
    factory = gendata.PersonFactory(tree, seed=20_260_000)
    names = dict(Region.objects.within(county).values_list("code", "name"))
    labels = {
        "ethnicity": dict(Ethnicity.choices),
        "political_status": dict(PoliticalStatus.choices),
        "education": dict(Education.choices),
        "category": dict(Category.choices),
    }
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("花名册")
    # Merged as ledgers have them; in constant_memory mode only in row order.
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, f"{names[county]}统战对象花名册")
    sheet.write_row(
        1, 0, [f"填报单位：{names[county]}委统战部"] + [""] * 7 + ["填报时间：2026年1月"]
    )
    sheet.write_row(2, 0, HEADER[:8])
    sheet.merge_range(2, 8, 2, 9, HEADER[8])
    sheet.write_row(2, 10, HEADER[10:])
    sheet.write_row(3, 0, SUBHEADER)
    for i in range(rows):
        draft = factory.draft()
        sheet.write_row(4 + i, 0, _cells(i + 1, draft, names, labels))
    workbook.close()


def _cells(number: int, draft, names: dict, labels: dict) -> list[str]:
    v = draft.values
    region = v["region_id"]
    return [
        str(number),
        v["name"],
        "男" if v["gender"] == "1" else "女",
        str(labels["ethnicity"][v["ethnicity"]]),
        v["birth_date"].strftime("%Y.%m"),
        draft.id_number,
        str(labels["political_status"][v["political_status"]]),
        str(labels["education"].get(v.get("education", ""), "")),
        v.get("work_unit", ""),
        v.get("post", ""),
        draft.phone,
        names.get(region[:9].ljust(12, "0"), ""),
        names.get(region, ""),
        "、".join(str(labels["category"][c]) for c in draft.categories),
        "",
    ]


def remove_persons_after(last_pk: int) -> int:
    """Delete persons with a larger id and every row that hangs off them (raw deletes:
    the ORM's cascade collector would hold 100,000 objects)."""
    from django.db import connection, transaction

    from tongzhan.people.models import Person

    with transaction.atomic():
        for relation in Person._meta.related_objects:
            model, column = relation.related_model, relation.field.attname
            if relation.field.model is Person:
                continue
            model.objects.filter(**{f"{column}__gt": last_pk})._raw_delete(connection.alias)
        return Person.objects.filter(pk__gt=last_pk)._raw_delete(connection.alias)


def child(args) -> None:
    """One import, in this process: rows/s and this process's peak RSS."""
    common.setup(args.db)
    from django.conf import settings

    from tongzhan.people.models import Person

    run_import = find_run_import()
    user = common.personas()["county_staff"]
    rss_ready = common.current_rss_mb()
    last_pk = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started, cpu = time.perf_counter(), time.process_time()
    with common.MemorySampler() as memory:
        run = run_import(ledger_path(args.rows), user, dry_run=args.child == "dry-run")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = common.peak_rss_mb()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    added = Person.objects.filter(pk__gt=last_pk).count()
    outcome = _outcome(run)
    removed = remove_persons_after(last_pk) if added else 0
    _discard(run)
    if removed:
        common.reindex_imported()
    common.tidy()
    common.emit(
        {
            "scenario": "import",
            "mode": args.child,
            "rows": args.rows,
            "seconds": round(seconds, 2),
            "rows_per_second": round(args.rows / seconds),
            "peak_rss_mb": peak,
            "rss_after_setup_mb": rss_ready,
            # The checking processes (settings.IMPORT_CHECK_PROCESSES): their largest peak
            # RSS, and the peak of all processes together counted as PSS (shared pages once).
            "check_processes": settings.IMPORT_CHECK_PROCESSES,
            "children_peak_rss_mb": common.children_peak_rss_mb(),
            "peak_pss_all_mb": memory.peak_mb,
            "cpu_seconds": round(cpu, 2),
            "children_cpu_seconds": round(children.ru_utime + children.ru_stime, 2),
            "persons_written": added,
            "persons_removed_after": removed,
            **outcome,
            "load": common.load(),
            "pass_rate": args.rows / seconds >= TARGET_ROWS_PER_SECOND,
            "pass_rss": max(peak, memory.peak_mb) <= TARGET_RSS_MB,
        }
    )


def _outcome(run) -> dict:
    """What the import made of the rows, from its job (check and write split)."""
    job = getattr(run, "job", None)
    if job is None:
        return {"outcome": repr(run)[:300]}
    names = ("status", "rows_total", "ok_count", "warning_count", "error_count")
    names += ("duplicate_count", "imported_count")
    return {
        **{name: getattr(job, name, None) for name in names},
        "check_seconds": round(getattr(run, "check_seconds", 0), 2),
        "write_seconds": round(getattr(run, "write_seconds", 0), 2),
    }


def _discard(run) -> None:
    """Remove the job, its 100,000 row records and its stored file (raw delete: the
    ORM's cascade would load every row), so that runs do not pile up."""
    from django.db import connection

    job = getattr(run, "job", None)
    if job is None:
        return
    from tongzhan.ledgers.models import ImportRow
    from tongzhan.ledgers.services import import_dir

    ImportRow.objects.filter(job=job)._raw_delete(connection.alias)
    if job.stored_file:
        (import_dir() / job.stored_file).unlink(missing_ok=True)
    job.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=["dry-run", "write"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    common.setup(args.db)
    if find_run_import() is None:
        common.emit(
            {
                "scenario": "import",
                "status": "not measured yet",
                "reason": "run_import(path, user, dry_run) is not in tongzhan.ledgers yet",
            }
        )
        return
    path = ledger_path(args.rows)
    if not path.exists():
        started = time.perf_counter()
        county = common.personas()["county_staff"].role_assignments.get().region_id
        make_ledger(path, args.rows, county)
        print(f"made {path} in {time.perf_counter() - started:.1f} s", flush=True)
    for mode in ("dry-run", "write"):
        command = [sys.executable, __file__, "--db", args.db, "--rows", str(args.rows)]
        subprocess.run([*command, "--child", mode], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
