"""Checking a whole ledger, streaming: read a chunk of rows, check each, compare the chunk
with the registry in three queries, store the chunk's results, report progress.

Memory stays bounded by the chunks in flight plus, per row of the file, its duplicate
keys (a few dozen bytes) and, for a spreadsheet, the row itself pickled (about 200 bytes:
reader._packed); the database work is a handful of statements per chunk, never one per row.

Checking a row is pure Python (about 140 µs: cleaning, ID number, encryption, pinyin) and
needs nothing but the checker, so a large ledger's chunks are checked by forked processes
(settings.IMPORT_CHECK_PROCESSES) while this process compares the previous chunk with the
file and the registry and stores it. The results come back in file order, so what the
user sees does not depend on how many processes checked it.
"""

import functools
import gc
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections

from tongzhan.lib.iterables import batched

from .dedupe import FileDuplicates, check_registry
from .reader import Ledger
from .rows import ERROR, OK, SKIPPED, WARNING, RowChecker, RowResult

CHUNK = 1000
# Below this many rows, starting processes costs more than it saves.
PARALLEL_FROM_ROWS = 3 * CHUNK


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
    totals, blank_run, read = Totals(), 0, 0
    processes = settings.IMPORT_CHECK_PROCESSES
    if ledger.estimated_rows < PARALLEL_FROM_ROWS:
        processes = 0
    with checked_chunks(checker, processes) as check:
        for rows_read, results in check(batched(ledger.rows, CHUNK)):
            read += rows_read
            chunk = []
            for result in results:
                if result is None:
                    blank_run += 1  # counted only if data follows: trailing empty rows are none
                    continue
                totals.blank += blank_run
                blank_run = 0
                duplicates.check(result)
                chunk.append(result)
            _flush(chunk, user, checker, totals, store)
            progress(read)
    progress(read)
    return totals


def _flush(chunk, user, checker, totals, store) -> None:
    if not chunk:
        return
    check_registry(chunk, user, checker.column)
    totals.add(chunk)
    store(chunk)


# --- checking chunks, here or in forked processes ----------------------------------------------


@contextmanager
def checked_chunks(checker: RowChecker, processes: int):
    """A function from chunks of (line, row) to (rows in the chunk, results), in order.

    With processes ≥ 1, chunks are checked by a pool forked from this process
    (the checker, its regions and the user come along in the fork, nothing is pickled
    but rows and results); at most `processes + 1` chunks are in flight, so memory does
    not grow with the file."""
    if processes < 1:
        yield lambda chunks: ((len(c), _check_rows(c, checker)) for c in chunks)
        return
    with forked_pool(processes, _start_worker, (checker,)) as pool:
        yield functools.partial(_in_flight, pool, processes)


@contextmanager
def forked_pool(processes: int, initializer, initargs: tuple):
    """A pool of processes forked from this one, ended (terminated) when the block ends.

    What exists now is shared with the forked processes and lives as long as the pool:
    frozen, the collector neither scans it here nor writes to its pages there (which
    would copy them into every process), as the gc module's documentation advises."""
    context = multiprocessing.get_context("fork")
    gc.freeze()
    try:
        with context.Pool(processes, initializer=initializer, initargs=initargs) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _in_flight(pool, processes: int, chunks: Iterable[list]) -> Iterator[tuple[int, list]]:
    pending = deque()
    for chunk in chunks:
        pending.append((len(chunk), pool.apply_async(_check_in_worker, (chunk,))))
        if len(pending) > processes:
            count, result = pending.popleft()
            yield count, result.get()
    while pending:
        count, result = pending.popleft()
        yield count, result.get()


def _check_rows(chunk: list, checker: RowChecker) -> list[RowResult | None]:
    results = [checker.check(line, row) for line, row in chunk]
    for result in results:
        if result is not None:
            result.encode()
    return results


_worker_checker: RowChecker | None = None


def _start_worker(checker: RowChecker) -> None:
    global _worker_checker
    _worker_checker = checker
    forbid_database()


def forbid_database() -> None:
    """In a process forked from the importing one: it shares that process's database
    connections (the same socket, the same SQLite transaction), and using one would corrupt
    the importer's session, so any attempt fails loudly."""
    for connection in connections.all():
        connection.execute_wrappers.append(_no_database)


def _no_database(*args):
    raise RuntimeError("a process forked by the import must not use the database")


def _check_in_worker(chunk: list) -> list[RowResult | None]:
    return _check_rows(chunk, _worker_checker)
