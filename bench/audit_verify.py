"""Verifying the audit chain (`tongzhan verify-audit`) over 100,000 entries.

It runs on a database of its own (var/bench/tongzhan_bench_audit.sqlite3, or the
PostgreSQL database tongzhan_bench_audit), so that the figure is for exactly --entries
entries of a known size, whatever the other scenarios logged in the main bench
database (an import of 100,000 rows logs 100,000 full snapshots). The chain is filled
with entries like those the registry writes for an edit (a before/after diff of a few
fields), each chained to the one before it with the real MAC function, the head moved
to the last. `verify_chain()` is timed three times; the median is the figure.

Usage: python bench/audit_verify.py --db sqlite|postgres [--entries 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

CHUNK = 5000
AUDIT_DATABASE = "tongzhan_bench_audit"


def detail(i: int) -> dict:
    return {
        "work_unit": {"before": f"模拟县第{i % 97}中学", "after": f"模拟县第{i % 89}中学"},
        "post": {"before": "教师", "after": "教研组长"},
        "phone": {"before": "138****5678", "after": f"139****{i % 10000:04d}"},
        "version": {"before": i % 7 + 1, "after": i % 7 + 2},
    }


def top_up(entries: int) -> int:
    """Append entries until the chain holds `entries`; returns how many were added."""
    from django.db import transaction
    from django.utils import timezone

    from tongzhan.audit.models import AuditEntry, AuditHead
    from tongzhan.audit.services import canonical_detail, entry_mac

    added = 0
    while AuditEntry.objects.count() < entries:
        with transaction.atomic():
            head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
            seq, mac = head.seq, head.mac
            count = min(CHUNK, entries - AuditEntry.objects.count())
            batch = []
            for _ in range(count):
                seq += 1
                entry = AuditEntry(
                    seq=seq,
                    time=timezone.now(),
                    username="bench_county",
                    ip="127.0.0.1",
                    action="update",
                    object_type="people.person",
                    object_id=str(seq),
                    object_repr="模拟人员",
                    result="success",
                    detail=canonical_detail(detail(seq)),
                )
                entry.mac = mac = entry_mac(entry, mac)
                batch.append(entry)
            AuditEntry.objects.bulk_create(batch)
            AuditHead.objects.filter(pk=1).update(seq=seq, mac=mac)
            added += count
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    common.setup(args.db, AUDIT_DATABASE)
    from django.core.management import call_command
    from django.db.models import Avg
    from django.db.models.functions import Length

    from tongzhan.audit.models import AuditEntry
    from tongzhan.audit.services import verify_chain

    call_command("migrate", verbosity=0)
    if AuditEntry.objects.count() > args.entries:
        raise SystemExit(f"{AUDIT_DATABASE} holds more than {args.entries} entries: drop it")
    added = top_up(args.entries)
    size = AuditEntry.objects.aggregate(n=Avg(Length("detail")))["n"]
    seconds, report = [], None
    for _ in range(args.runs):
        started = time.perf_counter()
        report = verify_chain()
        seconds.append(time.perf_counter() - started)
    common.emit(
        {
            "scenario": "audit_verify",
            "entries_checked": report.checked,
            "entries_added_now": added,
            "avg_detail_chars": round(size or 0),
            "ok": report.ok,
            "runs": args.runs,
            "median_seconds": round(statistics.median(seconds), 2),
            "max_seconds": round(max(seconds), 2),
            "entries_per_second": round(report.checked / statistics.median(seconds)),
            "load": common.load(),
        }
    )


if __name__ == "__main__":
    main()
