"""Checking a whole ledger, streaming: read a chunk of rows, check each, compare the chunk
with the registry in three queries, store the chunk's results, report progress.

Memory stays bounded by the chunk plus the file's duplicate keys (a few dozen bytes a
row); the database work is a handful of statements per chunk, never one per row.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .dedupe import FileDuplicates, check_registry
from .reader import Ledger
from .rows import ERROR, OK, SKIPPED, WARNING, RowChecker, RowResult

CHUNK = 1000


@dataclass
class Totals:
    """Counts over the whole file; rows = ok + warning + error + skipped."""

    counts: Counter = field(default_factory=Counter)
    blank: int = 0
    duplicates: int = 0  # importable rows that may duplicate another

    @property
    def rows(self) -> int:
        return sum(self.counts[s] for s in (OK, WARNING, ERROR, SKIPPED))

    def add(self, results: list[RowResult]) -> None:
        for result in results:
            self.counts[result.state] += 1
            if result.duplicate and result.state in (OK, WARNING):
                self.duplicates += 1


def check_ledger(
    ledger: Ledger,
    user,
    options: dict,
    store: Callable[[list[RowResult]], None],
    progress: Callable[[int], None] = lambda done: None,
) -> Totals:
    """Check every row; `store` receives each chunk of results, `progress` the rows read."""
    checker = RowChecker(user, ledger.layout, options)
    duplicates = FileDuplicates(checker.column)
    totals, chunk, blank_run, read = Totals(), [], 0, 0
    for line, row in ledger.rows:
        read += 1
        result = checker.check(line, row)
        if result is None:
            blank_run += 1  # counted only if data follows: trailing empty rows are no rows
            continue
        totals.blank += blank_run
        blank_run = 0
        duplicates.check(result)
        chunk.append(result)
        if len(chunk) >= CHUNK:
            _flush(chunk, user, checker, totals, store)
            chunk = []
            progress(read)
    _flush(chunk, user, checker, totals, store)
    progress(read)
    return totals


def _flush(chunk, user, checker, totals, store) -> None:
    if not chunk:
        return
    check_registry(chunk, user, checker.column)
    totals.add(chunk)
    store(chunk)
