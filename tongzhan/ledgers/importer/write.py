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

import contextvars
import functools
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection
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

    Two steps per chunk: preparing its rows and audit entries (pure Python), inserting
    them. On PostgreSQL the preparing runs in a second thread while this one has the
    database take the previous chunk (psycopg lets go of the interpreter while it waits
    for the server): 23.6–23.9 → 19.6–21.2 s for 100,000 persons, A/B (docs/PERFORMANCE.md,
    round 4). SQLite works inside this process and lets go only for each row's step, a
    few tens of microseconds, then waits for the other thread's time slice to end: the
    same overlap made its write 2–3 s slower, so there the two steps take turns. The
    chunks come from the database through this thread (read, and checked for late
    conflicts); the audit chain's head is locked for the whole write and advanced by the
    preparing, one chunk at a time, in order."""
    head = lock_head()
    ids = IdSource(Person)
    _inserters()  # built here: building one quotes names through this thread's connection
    created = 0
    with _Preparer(_prepare_threads()) as preparer:
        pending = None
        for rows in chunks:
            if not rows:
                continue
            ready = preparer.prepare(rows, ids.take(len(rows)), user, job, head, stamp())
            if pending is not None:
                created += insert_chunk(pending.result(), user)
                done(created)
            pending = ready
        if pending is not None:
            created += insert_chunk(pending.result(), user)
            done(created)
    save_head(head)
    return created


def _prepare_threads() -> int:
    return 1 if connection.vendor == "postgresql" else 0


class _Preparer:
    """prepare_chunk in one other thread (threads=1), or here and now (threads=0); either
    way a Future of the result, so the caller's loop is the same."""

    def __init__(self, threads: int):
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="import-prepare") if threads else None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.pool is not None:
            self.pool.shutdown(wait=True)  # a chunk still being prepared is waited for

    def prepare(self, *task) -> Future:
        if self.pool is not None:
            # In the caller's context: the audit rows take the request's address from it.
            return self.pool.submit(contextvars.copy_context().run, prepare_chunk, *task)
        done = Future()
        done.set_result(prepare_chunk(*task))
        return done


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
