"""Run the benchmarks on one database: prepare it, fill it, run each scenario in its own
process, keep the results, print them as the tables of docs/PERFORMANCE.md.

    python bench/run.py --db sqlite --persons 1000000
    python bench/run.py --db postgres --persons 1000000 --skip-generate --scenarios list_search

The bench databases are kept between runs (generating a million persons takes minutes):
var/bench/tongzhan_bench.sqlite3, and the PostgreSQL database `tongzhan_bench` (made on
first use, C.UTF-8 as docs/postgresql.md asks), or DATABASE_URL when it is set.
Results go to var/bench/results-<db>.jsonl, one line per figure with the date.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import report  # noqa: E402

SCENARIOS = {
    "list_search": ["list_search.py"],
    "import": ["import_ledger.py"],
    "export": ["export.py"],
    "audit": ["audit_verify.py"],
}


def tongzhan(db: str, *args: str) -> None:
    """Run a tongzhan command on the bench database, its output passed through."""
    command = [sys.executable, "-m", "tongzhan.cli", *args]
    subprocess.run(command, env=common.db_env(db), cwd=common.PROJECT_DIR, check=True)  # noqa: S603


def prepare(db: str) -> None:
    common.VAR_BENCH.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        common.ensure_postgres_database(common.db_env(db)["DATABASE_URL"])
    tongzhan(db, "migrate", "--verbosity", "0")
    check_schema(db)


COUNT_PERSONS = (
    "import sys, common; common.setup(sys.argv[1]); "
    "from tongzhan.people.models import Person; print(Person.objects.count())"
)


def persons_in(db: str) -> int:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", COUNT_PERSONS, db],
        env=common.db_env(db),
        cwd=common.BENCH_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


TIDY = "import sys, common; common.setup(sys.argv[1]); common.tidy()"
CHECK_SCHEMA = (
    "import sys, common; common.setup(sys.argv[1]); print('\\n'.join(common.schema_problems()))"
)


def check_schema(db: str) -> None:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CHECK_SCHEMA, db],
        env=common.db_env(db),
        cwd=common.BENCH_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if out:
        raise SystemExit(f"the bench database does not match the models:\n{out}")


def generate(db: str, persons: int, seed: int) -> None:
    have = persons_in(db)
    if have >= persons:
        print(f"{have:,} persons already in the bench database: nothing to generate")
        return
    started = time.monotonic()
    tongzhan(db, "gen-data", "--persons", str(persons - have), "--seed", str(seed + have))
    print(f"gen-data: {time.monotonic() - started:.0f} s wall clock")
    started = time.monotonic()
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", TIDY, db], env=common.db_env(db), cwd=common.BENCH_DIR, check=True
    )
    print(f"VACUUM/ANALYZE: {time.monotonic() - started:.0f} s")


def run_scenario(db: str, script: str, extra: list[str]) -> list[dict]:
    command = [sys.executable, str(common.BENCH_DIR / script), "--db", db, *extra]
    print(f"--- {script} {' '.join(extra)}  (load {common.load()})", flush=True)
    proc = subprocess.Popen(  # noqa: S603
        command, env=common.db_env(db), cwd=common.PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    results = []
    for line in proc.stdout:
        if line.startswith(common.RESULT_PREFIX):
            result = json.loads(line[len(common.RESULT_PREFIX) :])
            results.append(result)
            print(report.one_line(result), flush=True)
        else:
            print(line, end="", flush=True)
    if proc.wait():
        raise SystemExit(f"{script} failed with status {proc.returncode}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="tongzhan benchmarks")
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--runs", type=int, default=50, help="timed runs per figure (≥ 50)")
    args = parser.parse_args()
    prepare(args.db)
    if not args.skip_generate:
        generate(args.db, args.persons, args.seed)
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    results = []
    for name in args.scenarios.split(","):
        extra = ["--runs", str(args.runs)] if name == "list_search" else []
        for script in SCENARIOS[name]:
            results += run_scenario(args.db, script, extra)
    out = common.VAR_BENCH / f"results-{args.db}.jsonl"
    with out.open("a", encoding="utf-8") as handle:
        for result in results:
            handle.write(json.dumps({"date": stamp, "db": args.db, **result}, ensure_ascii=False))
            handle.write("\n")
    print(f"\nresults appended to {out}\n")
    print(report.markdown(results))


if __name__ == "__main__":
    main()
