"""What every benchmark scenario shares: the database it runs on, timing, the bench
accounts, peak memory, and the one JSON line a scenario reports.

Benchmarks are not tests (ARCHITECTURE.md): they run against their own databases,
never the test database or the demo one:
- SQLite: var/bench/tongzhan_bench.sqlite3 (WAL, as the application runs it);
- PostgreSQL: DATABASE_URL when it is set, else postgres://postgres@127.0.0.1:5432/tongzhan_bench.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
VAR_BENCH = PROJECT_DIR / "var" / "bench"
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH", VAR_BENCH / "tongzhan_bench.sqlite3"))
PG_URL = "postgres://postgres@127.0.0.1:5432/tongzhan_bench"
RESULT_PREFIX = "BENCH-RESULT "
# Bench accounts are demo accounts: gen-data runs beside them, and a production start
# refuses to run while any exist.
BENCH_PASSWORD_HASH = "!"  # unusable: nobody logs in as a bench account


def db_env(db: str, database: str = "") -> dict[str, str]:
    """Environment that points Django at the bench database `db` (sqlite or postgres);
    `database` names another bench database on the same engine (audit_verify's own)."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "tongzhan.settings")
    env["TONGZHAN_DEBUG"] = "0"
    env["TONGZHAN_DEMO"] = "0"
    env["TONGZHAN_INSECURE_HTTP"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")]))
    if db == "postgres":
        url = os.environ.get("DATABASE_URL") or PG_URL
        if database:
            url = urlunsplit(urlsplit(url)._replace(path=f"/{database}"))
        env["DATABASE_URL"] = url
        env.pop("TONGZHAN_SQLITE_PATH", None)
    elif db == "sqlite":
        env.pop("DATABASE_URL", None)
        path = VAR_BENCH / f"{database}.sqlite3" if database else SQLITE_PATH
        env["TONGZHAN_SQLITE_PATH"] = str(path)
    else:
        raise SystemExit(f"unknown database {db!r}: sqlite or postgres")
    return env


def setup(db: str, database: str = "") -> None:
    """Configure and start Django on a bench database, in this process."""
    env = db_env(db, database)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(PROJECT_DIR))
    if db == "postgres":
        ensure_postgres_database(env["DATABASE_URL"])
    import django

    django.setup()


def ensure_postgres_database(url: str) -> None:
    """Create the database named by the URL when the server lacks it (C.UTF-8, as
    docs/postgresql.md asks: code-point order for the prefix ranges of the search)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        print(f"creating PostgreSQL database {name}", flush=True)
        conn.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING UTF8 LOCALE 'C.UTF-8'"
        )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q% of values at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def summary(seconds: list[float]) -> dict:
    """p50 / p95 / max / mean in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "runs": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "max_ms": round(max(ms), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


def timed(fn: Callable[[], object], *, warmup: int = 5, runs: int = 50) -> dict:
    """Run fn `warmup` times untimed, then `runs` times timed; the summary."""
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - started)
    return summary(seconds)


def peak_rss_mb() -> float:
    """This program's peak resident set size so far: VmHWM, the high-water mark of the
    memory this program has mapped since it started. Not getrusage's ru_maxrss: Linux
    carries that over a fork and an exec, so a scenario started by a process that had just
    written the 100,000-row ledger (303 MB) reported that process's peak as its own."""
    return _status_mb("VmHWM")


def current_rss_mb() -> float:
    return _status_mb("VmRSS")


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def children_peak_rss_mb() -> float:
    """The largest peak RSS of this process's finished children (the import's checking
    processes), or 0."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # the process ended meanwhile
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


class MemorySampler:
    """Samples, four times a second, the memory of this process and its children together
    as PSS (proportional set size: a page shared by n processes counts 1/n in each, so the
    sum is what they hold in all, and forked processes' shared pages are not counted twice).
    Use as a context manager; `peak_mb` is the largest sum seen."""

    def __init__(self, interval: float = 0.25):
        import threading

        self.interval, self.peak_kib = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.interval):
            total = sum(_pss_kib(pid) for pid in [me, *_descendants(me)])
            self.peak_kib = max(self.peak_kib, total)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kib / 1024, 1)


def emit(result: dict) -> None:
    """The scenario's result: one JSON line that bench/run.py collects."""
    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False, default=str), flush=True)


def load() -> str:
    """The load average when a figure was taken (2 cores are shared with other work)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> dict:
    """The machine and database a run measured, for docs/PERFORMANCE.md."""
    from django.db import connection

    info = {
        "cpu": _lscpu("Model name"),
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "database": connection.vendor,
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["database_version"] = "PostgreSQL " + cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            info["shared_buffers"] = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            info["database_version"] = "SQLite " + cursor.fetchone()[0]
    return info


def _lscpu(field: str) -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True)  # noqa: S607
        out = lscpu.stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor()
    for line in out.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    return ""


# --- who the scenarios act as ---------------------------------------------------------------


def busiest(level: int, within: str | None = None) -> str:
    """The region of `level` holding the most persons (within a subtree): the heaviest
    scope of its kind, so the figures are the worst case of that role."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from tongzhan.lib import divisioncode
    from tongzhan.people.models import Person

    length = divisioncode.PREFIX_LENGTH[level]
    people = Person.objects.all()
    if within:
        low, high = divisioncode.subtree_range(within)
        people = people.filter(region_id__gte=low, region_id__lte=high)
    top = (
        people.annotate(p=Substr("region_id", 1, length))
        .values("p")
        .annotate(n=Count("pk"))
        .order_by("-n", "p")
        .first()
    )
    if top is None:
        raise SystemExit("no persons: run gen-data first (bench/run.py without --skip-generate)")
    return top["p"].ljust(12, "0")


def bench_user(username: str, role: str, region: str, lines: tuple[str, ...] = ()):
    """A bench account holding exactly one role on one region (made or corrected)."""
    from tongzhan.accounts.models import RoleAssignment, User

    user, _created = User.objects.get_or_create(
        username=username,
        defaults={"display_name": username, "is_demo": True, "password": BENCH_PASSWORD_HASH},
    )
    if not user.is_demo:
        raise SystemExit(f"{username} exists and is not a bench (demo) account")
    assignments = RoleAssignment.objects.filter(user=user)
    wanted = {"role": role, "region_id": region, "lines": list(lines), "active": True}
    current = list(assignments.values("role", "region_id", "lines", "active"))
    if current != [wanted]:
        assignments.delete()
        RoleAssignment.objects.create(user=user, **wanted)
    return User.objects.get(pk=user.pk)


def personas() -> dict:
    """The accounts of the list and search scenarios, on the busiest regions."""
    from tongzhan.core.choices import Category, RegionLevel

    county = busiest(RegionLevel.COUNTY)
    township = busiest(RegionLevel.TOWNSHIP, within=county)
    lines = (Category.NON_PUBLIC_ECONOMY.value, Category.NEW_SOCIAL_STRATUM.value)
    return {
        "township": bench_user("bench_township", "township_member", township),
        "county_staff": bench_user("bench_county", "staff", county),
        "county_line": bench_user("bench_line", "unit_contact", county, lines),
    }


def fresh(user):
    """The user as a new request sees it: its role assignments not yet read."""
    user.__dict__.pop("_scope_assignments", None)
    return user


def schema_problems() -> list[str]:
    """Columns and indexes the models declare that the bench database lacks, and model
    indexes it has that the models no longer declare. A kept bench database can miss a
    change when a migration is edited in place before it is committed."""
    from django.apps import apps
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        for model in apps.get_app_config("people").get_models():
            table = model._meta.db_table
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
            for field in model._meta.concrete_fields:
                if field.column not in columns:
                    problems.append(f"{table}.{field.column}: column missing")
            constraints = connection.introspection.get_constraints(cursor, table)
            present = set(constraints)
            declared = {index.name for index in model._meta.indexes}
            problems += [f"{table}: index {name} missing" for name in sorted(declared - present)]
            # Plain indexes with a model-style name (db_index ones start with the table's).
            stale = {
                name
                for name, info in constraints.items()
                if info["index"]
                and not (info["primary_key"] or info["unique"] or info["foreign_key"])
                and not name.startswith(("sqlite_", table))
                and name not in declared
            }
            problems += [f"{table}: index {name} not in the models" for name in sorted(stale)]
    return problems


def tidy() -> None:
    """Statistics (and on PostgreSQL the visibility map and dead rows) brought up to date
    after a bulk change, so that the next figure does not measure a table full of dead
    row versions (measured: 100,000 updated persons made the county list 3× slower until
    VACUUM)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")


# The tables an import of 100,000 persons writes and the bench then empties again.
IMPORTED_TABLES = ("people_person", "people_personsearchkey", "people_personcategory")


def reindex_imported() -> None:
    """PostgreSQL: rebuild the indexes of the tables the import scenario filled and
    emptied. VACUUM frees the deleted entries but leaves their pages half empty, all in
    the busiest county's part of the covering index, the part the county list reads: ten
    import-and-delete cycles doubled that index (110 → 208 MB) and made the county
    figures up to 2× slower (round 5 of docs/PERFORMANCE.md). About 20 s at 1M persons."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in IMPORTED_TABLES:
            cursor.execute(f"REINDEX TABLE {connection.ops.quote_name(table)}")
