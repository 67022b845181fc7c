"""Writing and verifying the audit chain. `record` is the only writer of entries."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhan.lib.crypto import audit_key, constant_time_equal, hmac_sm3

from .context import current
from .models import AuditEntry, AuditHead, AuditResult

# The fields a MAC covers, in the order they are hashed. Changing this breaks every chain.
MAC_FIELDS = (
    "seq",
    "time",
    "user_id",
    "username",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "result",
    "detail",
)


def canonical_detail(detail: dict | None) -> str:
    if not detail:
        return ""
    return json.dumps(
        detail, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


# json.dumps(fields, ensure_ascii=False, separators=(",", ":")), built once: verify runs it
# for every entry.
_FIELDS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def chain_mac(values: Sequence, previous_mac: str, key: bytes | None = None) -> str:
    """HMAC-SM3 over the previous MAC and the values of MAC_FIELDS."""
    fields = list(values)
    fields[1] = fields[1].astimezone(UTC).isoformat(timespec="microseconds")
    message = previous_mac + "|" + _FIELDS_JSON.encode(fields)
    return hmac_sm3(key or audit_key(), message.encode()).hex()


def entry_mac(entry: AuditEntry, previous_mac: str) -> str:
    return chain_mac([getattr(entry, name) for name in MAC_FIELDS], previous_mac)


def _text(value, limit: int) -> str:
    # PostgreSQL refuses NUL in text, and an over-long value must not make the write fail:
    # the MAC is computed on exactly what is stored.
    return str(value).replace("\x00", "")[:limit]


def record(
    action: str,
    *,
    user=None,
    obj=None,
    result: str = AuditResult.SUCCESS,
    detail: dict | None = None,
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction when there is one, so an
    entry for a change that rolls back rolls back with it."""
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            **_chained_values(
                head,
                action=action,
                user=user,
                obj=obj,
                result=result,
                detail=detail,
                username=username,
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr,
            )
        )
        entry.save(force_insert=True)
        head.save(update_fields=["seq", "mac"])
    return entry


def record_many(entries: Iterable[dict], batch_size: int = 1000) -> int:
    """Append many entries in the given order under one lock of the head: what a bulk
    import writes (one CREATE per person). Each item holds the keyword arguments of
    record(). The MACs are computed here, in order, while the head is locked, so the
    chain is exactly what as many record() calls would have written; the rows go in with
    one executemany per batch (model instances and bulk_create's per-value preparation
    cost more than the hashing)."""
    count = 0
    with transaction.atomic():
        head = lock_head()
        batch: list[dict] = []
        for kwargs in entries:
            batch.append(_chained_values(head, **kwargs))
            if len(batch) >= batch_size:
                count += insert_chained(batch)
                batch = []
        count += insert_chained(batch)
        save_head(head)
    return count


# record_many in three steps, for a writer that computes the chain apart from inserting it
# (the import prepares one chunk while the database takes the previous one).


def lock_head() -> AuditHead:
    """The chain's head, locked until the caller's transaction ends."""
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head


def chained(head: AuditHead, entries: Iterable[dict]) -> list[dict]:
    """The values of the next entries after `head`, MACs included, in order; advances
    `head` (not saved). Touches no database: it may run in another thread, one call at a
    time, while the head stays locked."""
    return [_chained_values(head, **kwargs) for kwargs in entries]


def save_head(head: AuditHead) -> None:
    head.save(update_fields=["seq", "mac"])


def insert_chained(entries: list[dict]) -> int:
    """Insert entries computed by `chained` (or `_chained_values`), in their order."""
    if not entries:
        return 0
    ops = connection.ops
    names = MAC_FIELDS + ("mac",)
    columns = ", ".join(ops.quote_name(AuditEntry._meta.get_field(n).column) for n in names)
    marks = ", ".join(["%s"] * len(names))
    table = ops.quote_name(AuditEntry._meta.db_table)
    rows = []
    for entry in entries:
        values = [entry[name] for name in names]
        values[1] = ops.adapt_datetimefield_value(values[1])  # time, as the ORM stores it
        rows.append(values)
    if connection.vendor == "postgresql":
        # COPY: Django's client-side binding would quote each value of each row in Python.
        connection.ensure_connection()
        copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    with connection.cursor() as cursor:
        # Names from the model's metadata; every value is a bound parameter.
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    return len(rows)


def _chained_values(
    head: AuditHead,
    *,
    action: str,
    user=None,
    obj=None,
    result: str = AuditResult.SUCCESS,
    detail: dict | None = None,
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> dict:
    """The field values of the next entry after `head`, its MAC included; advances `head`
    (not saved)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if user is not None and getattr(user, "is_authenticated", False):
        username = username or user.get_username()
        user_id = user.pk
    else:
        user_id = None
    values = {
        "seq": head.seq + 1,
        "time": timezone.now(),
        "user_id": user_id,
        "username": _text(username, 150),
        "ip": _text(current.get().ip, 45),
        "action": action,
        "object_type": _text(object_type, 60),
        "object_id": _text(object_id, 64),
        "object_repr": _text(object_repr, 200),
        "result": result,
        "detail": canonical_detail(detail).replace("\x00", ""),
    }
    values["mac"] = chain_mac([values[name] for name in MAC_FIELDS], head.mac)
    head.seq, head.mac = values["seq"], values["mac"]
    return values


@dataclass(frozen=True)
class Problem:
    """One finding of `verify_chain`; kind is changed, missing, extra or head."""

    kind: str
    seq: int
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class VerifyReport:
    checked: int = 0
    last_seq: int = 0
    last_mac: str = ""
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0  # every problem, also those past the listed limit
    max_listed: int = 1000
    macs_checked: int = 0
    macs_failed: int = 0
    key: bytes = field(default=b"", repr=False)  # never in a log line

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def unlisted(self) -> int:
        return self.problem_count - len(self.problems)

    @property
    def key_suspect(self) -> bool:
        """Every MAC failed: a wrong key is far likelier than every row being forged."""
        return self.macs_checked >= 2 and self.macs_failed == self.macs_checked

    def add(self, kind: str, seq: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < self.max_listed:
            self.problems.append(Problem(kind, seq, message))


def _rows_after(seq: int, chunk_size: int) -> Iterable[tuple]:
    """Entries after `seq` in order, by keyset pages: bounded memory on any backend."""
    while True:
        rows = list(
            AuditEntry.objects.filter(seq__gt=seq)
            .order_by("seq")
            .values_list(*MAC_FIELDS, "mac")[:chunk_size]
        )
        yield from rows
        if len(rows) < chunk_size:
            return
        seq = rows[-1][0]


def _check_row(report: VerifyReport, row: tuple) -> None:
    seq, mac = row[0], row[-1]
    expected = report.last_seq + 1
    report.checked += 1
    if seq < expected:  # a second row with one number: only if the unique index was dropped
        report.add("extra", seq, _("第 %(seq)d 条序号重复（被插入）") % {"seq": seq})
        return
    linked = seq == expected
    if not linked:
        # Its MAC chains to a row that is gone, so it cannot be checked on its own.
        report.add("missing", expected, _missing_text(expected, seq - 1))
    else:
        report.macs_checked += 1
        if not constant_time_equal(chain_mac(row[:-1], report.last_mac, report.key), mac):
            report.macs_failed += 1
            report.add("changed", seq, _("第 %(seq)d 条校验失败（被修改或伪造）") % {"seq": seq})
    report.last_seq, report.last_mac = seq, mac


def _span(first: int, last: int) -> str:
    if first == last:
        return _("第 %(seq)d 条") % {"seq": first}
    return _("第 %(first)d–%(last)d 条") % {"first": first, "last": last}


def _missing_text(first: int, last: int) -> str:
    return _("%(span)s缺失（被删除）") % {"span": _span(first, last)}


def _walk(report: VerifyReport, chunk_size: int) -> int:
    before = report.checked
    for row in _rows_after(report.last_seq, chunk_size):
        _check_row(report, row)
    return report.checked - before


def _check_head(report: VerifyReport, head: AuditHead | None) -> None:
    last = report.last_seq
    if head is None:
        if report.checked:
            report.add("head", last, _("链头缺失（链头记录被删除）"))
    elif head.seq > last:
        report.add("head", last + 1, _("末尾") + _missing_text(last + 1, head.seq))
    elif head.seq < last:
        report.add(
            "head",
            head.seq + 1,
            _("链头为第 %(head)d 条，但存在%(span)s：不是由系统写入的")
            % {"head": head.seq, "span": _span(head.seq + 1, last)},
        )
    elif not constant_time_equal(head.mac, report.last_mac):
        report.add("head", last, _("链头与第 %(seq)d 条不符（链头或该条被改）") % {"seq": last})


def verify_chain(chunk_size: int = 2000, max_listed: int = 1000) -> VerifyReport:
    """Walk the chain in order: a changed row fails its MAC, a deleted row leaves a gap
    (or a short tail against the head), an inserted row cannot carry a valid MAC.

    Writers keep appending while this runs. An entry and the head commit together, so
    when the head is ahead of the walk, the rows it names are already visible: walk on
    until the walk reaches the head or finds nothing more (then the tail is gone)."""
    report = VerifyReport(max_listed=max_listed, key=audit_key())
    _walk(report, chunk_size)
    head = AuditHead.objects.filter(pk=1).first()
    while head is not None and head.seq > report.last_seq and _walk(report, chunk_size):
        head = AuditHead.objects.filter(pk=1).first()
    _check_head(report, head)
    _check_unwalked(report)
    return report


def _check_unwalked(report: VerifyReport) -> None:
    """Rows the ordered walk cannot reach: a number of zero or below, or a second row with
    a number already walked (possible only if the unique index was dropped)."""
    stored = AuditEntry.objects.filter(seq__lte=report.last_seq).count()
    if stored > report.checked:
        report.add(
            "extra",
            0,
            _("另有 %(n)d 条记录不在链上（序号重复或无效，被插入）")
            % {"n": stored - report.checked},
        )
