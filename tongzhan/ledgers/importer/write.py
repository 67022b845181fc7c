"""Writing the confirmed rows: what people.services.do_create_person does for one person,
done for a chunk of persons at a time.

The rules are the same — plain fields, encrypted ID and phone with blind indexes (done
when the row was checked), the simplified name key and pinyin sort key, categories, line
profiles, search keys, a scope re-check inside the transaction, and one CREATE audit row
per person with its after-values (people.services.snapshot's shape; a test holds the two
equal) — but each table gets one executemany (COPY on PostgreSQL) per chunk, and the
audit rows are chained as audit.services.record_many chains them. The caller holds the
one transaction around every chunk.
"""

import functools
from collections.abc import Iterable
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import chained, insert_chained, lock_head, save_head
from tongzhan.core.scope import OutOfScope
from tongzhan.people.models import (
    NonPublicProfile,
    Person,
    PersonCategory,
    PersonSearchKey,
    ReligiousProfile,
    category_bits,
)
from tongzhan.people.services import CHILDREN, PLAIN_FIELDS, PROFILES, _row

from ..models import ImportRow, RowState
from .fastsql import IdSource, Inserter, stamp
from .validate import PARALLEL_FROM_ROWS, forbid_database, forked_pool

# Keys of a checked row's data that are not Person columns.
NOT_COLUMNS = {"categories", "non_public", "religious", "search_p", "search_i"}


@functools.cache
def _inserters() -> dict[str, Inserter]:
    return {
        "person": Inserter(Person, with_pk=True),
        "category": Inserter(PersonCategory),
        "key": Inserter(PersonSearchKey),
        "non_public": Inserter(NonPublicProfile),
        "religious": Inserter(ReligiousProfile),
    }


def drop_late_conflicts(job, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """Rows whose ID number someone registered after the preview: reported, not written."""
    indexes = {data["id_number_index"] for _line, data in rows if data.get("id_number_index")}
    if not indexes:
        return rows
    taken = set(
        Person.objects.filter(id_number_index__in=indexes).values_list("id_number_index", flat=True)
    )
    kept = []
    for line, data in rows:
        if data.get("id_number_index") not in taken:
            kept.append((line, data))
            continue
        row = ImportRow.objects.get(job=job, line=line)
        row.state = RowState.ERROR
        row.issues = [
            *row.issues,
            ["error", _("身份证号"), _("预览之后已有人登记了同一身份证号，本行未导入")],
        ]
        row.save(update_fields=["state", "issues"])
    return kept


def write_all(chunks: Iterable[list[tuple[int, dict]]], user, job, done=lambda count: None) -> int:
    """Create the persons of every chunk with everything do_create_person writes; `done`
    hears the running count after each chunk. The caller holds the one transaction.

    Two steps per chunk: preparing its rows and audit entries (pure Python, about 50 µs a
    person), inserting them. A large import prepares the next chunk in a forked process
    while this one has the database take the previous one (_prepares_forked). The chunks
    come from the database through this process (read, and checked for late conflicts);
    the audit chain's head is locked for the whole write and advanced by the preparing,
    one chunk at a time, in order."""
    head = lock_head()
    ids = IdSource(Person)
    # Made here, before a preparing process is forked: the inserters quote names through
    # this process's connection, which the fork must not use.
    _inserters()
    _snapshot_base()
    created = 0
    with prepared_chunks(_prepares_forked(job), user, job, head) as prepare:
        pending = None
        for rows in chunks:
            if not rows:
                continue
            ready = prepare(rows, ids.take(len(rows)), stamp())
            if pending is not None:
                created += insert_chunk(pending.result(), user)
                done(created)
            pending = ready
        if pending is not None:
            created += insert_chunk(pending.result(), user)
            done(created)
    save_head(head)
    return created


def _prepares_forked(job) -> bool:
    """Whether the chunks are prepared in a forked process: for a ledger as large as the
    check forks for, unless processes are turned off (TONGZHAN_IMPORT_PROCESSES=0).

    Measured on 100,000 persons (docs/PERFORMANCE.md, round 5): SQLite, whose work is
    inside this process, 31.9 / 33.6 s preparing here → 22.8 / 27.9 s; PostgreSQL
    28.5–44.2 s with the preparing thread of round 4 (a thread: the two contend for the
    interpreter) against 31.5–38.9 s, four pairs each, equal within this VM's noise,
    so one way for both."""
    return settings.IMPORT_CHECK_PROCESSES > 0 and job.importable_count >= PARALLEL_FROM_ROWS


@contextmanager
def prepared_chunks(fork: bool, user, job, head):
    """A function (rows, ids, now) -> something whose result() is the chunk's PreparedChunk:
    prepare_chunk here and now, or in one process forked for the write
    (validate.forked_pool, as the check's processes are), so the caller's loop is the same
    either way. Every chunk's result has been taken when the block ends: ending the pool
    then only stops a chunk prepared ahead of a failure."""
    if not fork:

        def here(rows, ids: list[int], now) -> Future:
            done = Future()
            done.set_result(prepare_chunk(rows, ids, user, job, head, now))
            return done

        yield here
        return
    with forked_pool(1, _start_preparer, (user, job, head)) as pool:
        # The process keeps its own copy of the head and advances it; this one's follows
        # from each chunk's last entry as the chunks come back (save_head writes it).
        yield lambda rows, ids, now: _FromProcess(
            pool.apply_async(_prepare_forked, (rows, ids, now)), head
        )


class _FromProcess:
    """A chunk being prepared in the forked process; result() waits for it."""

    def __init__(self, pending, head):
        self.pending, self.head = pending, head

    def result(self) -> "PreparedChunk":
        chunk = self.pending.get()
        if chunk.audit:
            self.head.seq, self.head.mac = chunk.audit[-1]["seq"], chunk.audit[-1]["mac"]
        return chunk


_preparing: tuple | None = None


def _start_preparer(user, job, head) -> None:
    global _preparing
    _preparing = (user, job, head)
    forbid_database()


def _prepare_forked(rows, ids: list[int], now) -> "PreparedChunk":
    user, job, head = _preparing
    return prepare_chunk(rows, ids, user, job, head, now)


@dataclass
class PreparedChunk:
    """A chunk's rows as the tables take them, and its chained audit entries."""

    ids: list[int]
    tables: dict[str, list[tuple]]
    audit: list[dict]


def prepare_chunk(rows, ids: list[int], user, job, head, now) -> PreparedChunk:
    """Everything but the database: rows for each table (`now` for their time stamps, as
    the database takes it) and the audit entries (their MACs advance `head`)."""
    tables = _inserters()
    related: dict[str, list[dict]] = {"category": [], "key": [], "non_public": [], "religious": []}
    persons, audit = [], []
    for pk, (line, data) in zip(ids, rows, strict=True):
        persons.append(_person(pk, data, user))
        _add_related(related, pk, data)
        audit.append(
            {
                "action": AuditAction.CREATE,
                "user": user,
                "object_type": Person._meta.label_lower,
                "object_id": str(pk),
                "object_repr": data["name"],
                "detail": {"after": snapshot(data), "import": {"job": job.pk, "line": line}},
            }
        )
    values = {"person": tables["person"].params(persons, now)}
    values.update((name, tables[name].params(rows_, now)) for name, rows_ in related.items())
    return PreparedChunk(ids, values, chained(head, audit))


def insert_chunk(chunk: PreparedChunk, user) -> int:
    """Insert a prepared chunk and check that what was written is in the writer's scope."""
    tables = _inserters()
    for name, params in chunk.tables.items():
        tables[name].write(params)
    ids = chunk.ids
    # As in do_create_person: what was written must be inside the writer's scope. The range
    # of ids is for PostgreSQL's planner: given only the list, it read the scope's whole
    # region range (a county: 17,000 persons, 41 ms a chunk); with the range, the covering
    # index's (region, …, id) entries of these ids (4 ms).
    written = Person.objects.filter(pk__gte=min(ids), pk__lte=max(ids), pk__in=ids)
    if written.restrict(user, "change").count() != len(ids):
        raise OutOfScope("an imported person is outside the importing user's scope")
    insert_chained(chunk.audit)
    return len(ids)


def _person(pk: int, data: dict, user) -> dict:
    row = {key: value for key, value in data.items() if key not in NOT_COLUMNS}
    row.update(id=pk, created_by_id=user.pk, category_bits=category_bits(data["categories"]))
    return row


def _add_related(related: dict, pk: int, data: dict) -> None:
    region = data["region_id"]
    related["category"] += [
        {"person_id": pk, "category": c} for c in sorted(set(data["categories"]))
    ]
    # The rows search.search_keys() makes, from the keys computed when checking.
    for kind, field in (("p", "search_p"), ("i", "search_i")):
        related["key"] += [
            {"person_id": pk, "kind": kind, "key": key, "region_code": region}
            for key in data.get(field, [])
        ]
    for name in ("non_public", "religious"):
        if data.get(name):
            related[name].append({"person_id": pk, **data[name]})


@functools.cache
def _snapshot_base() -> dict:
    """What snapshot() says of a blank person and blank profiles (the defaults)."""
    blank = Person()
    return {
        # A blank person has no region or cadre yet: getattr answers None for those.
        "values": {name: _plain_default(getattr(blank, name, None)) for name in PLAIN_FIELDS},
        "non_public": _row(NonPublicProfile()),
        "religious": _row(ReligiousProfile()),
        "overseas": {},
    }


def snapshot(data: dict) -> dict:
    """people.services.snapshot() of the new person, built from the checked values."""
    base = _snapshot_base()
    values = dict(base["values"])
    values.update({name: data[name] for name in PLAIN_FIELDS if name in data})
    values.update(
        region=data["region_id"],
        responsible_cadre=None,
        status=data.get("status", "active"),
        status_date=None,
        id_number=data.get("id_number_masked", ""),
        phone=data.get("phone_masked", ""),
        categories=sorted(set(data["categories"])),
    )
    for name in PROFILES:
        given = data.get(name)
        values[name] = {**base[name], **given} if given else None
    for name in CHILDREN:
        values[name] = []
    return values


def _plain_default(value):
    return None if hasattr(value, "pk") else value
