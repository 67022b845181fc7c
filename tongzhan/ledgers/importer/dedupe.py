"""Duplicates: within the file, and against the whole registry, a few queries per chunk.

The three rules of DOMAIN.md: the same ID number (blind index) is the same person — an
error, the row is not imported; the same name + birth date, or the same pinyin + birth
date, is likely the same person — a warning. When both records carry an ID number and
the numbers differ, the ID numbers decide: they are two people. Ledgers often give only
出生年月, so a date without its day (stored as the 1st) matches any day of its month.

Registry matches outside the user's scope are reported without name or region: the
user learns that the person is already registered elsewhere, not who else is.
"""

import calendar
from collections import defaultdict
from datetime import date

from django.db import connection
from django.utils.translation import gettext as _

from tongzhan.core.models import Region
from tongzhan.lib.text import format_list
from tongzhan.people.models import Person, PersonSearchKey

from .rows import ERROR, WARNING, RowResult


def same_birth(a: date, a_month_only: bool, b: date, b_month_only: bool) -> bool:
    if a == b:
        return True
    return (a.year, a.month) == (b.year, b.month) and (a_month_only or b_month_only)


class FileDuplicates:
    """What earlier rows of the same file carried, to find the later copies.

    Kept for every row of a file of any size, so kept small (about 100 bytes a row):
    64 bits of each blind index, and per pinyin reading and birth month one int packing
    the row's line, birth date, flags and a hash of its name. The same name always has
    the same readings, so the pinyin keys find same-name rows too."""

    def __init__(self, column=lambda key: key):
        self.column = column  # field -> the column's name in the file
        self.ids: dict[int, int] = {}
        self.near: dict[int, int | list[int]] = {}

    def check(self, result: RowResult) -> None:
        if not result.importable:
            return
        if result.id_index:
            first = self.ids.setdefault(int(result.id_index[:16], 16), result.line)
            if first != result.line:
                result.add(
                    ERROR,
                    self.column("id_number"),
                    _("与第 %(n)d 行的身份证号相同（同一人重复）") % {"n": first},
                )
                return
        if result.birth is not None:
            self._near(result)

    def _near(self, result: RowResult) -> None:
        month = result.birth.year * 12 + result.birth.month
        readings = sorted(result.pinyin) or [result.name_key]
        packed, found = _pack(result), None
        for reading in readings:
            key = hash((month, reading))
            earlier = self.near.get(key)
            if earlier is None:
                self.near[key] = packed
                continue
            entries = earlier if isinstance(earlier, list) else [earlier]
            found = found or next((e for e in entries if _same(e, result)), None)
            self.near[key] = [*entries, packed]
        if found:
            result.duplicate = True
            if _name_hash(result.name_key) == found >> 26 & 0xFFFF:
                message = _("与第 %(n)d 行姓名、出生日期相同，可能是同一人")
            else:
                message = _("与第 %(n)d 行姓名拼音、出生日期相同，可能是同一人")
            result.add(WARNING, self.column("name"), message % {"n": _line(found)})


def _name_hash(name: str) -> int:
    return hash(name) & 0xFFFF


def _pack(result: RowResult) -> int:
    """line (24 bits), has an ID, month only, a hash of the name (16), birth (ordinal)."""
    flags = (2 if result.month_only else 0) | (1 if result.id_index else 0)
    name = _name_hash(result.name_key)
    return (result.birth.toordinal() << 42) | (name << 26) | (flags << 24) | result.line


def _line(packed: int) -> int:
    return packed & 0xFFFFFF


def _same(packed: int, result: RowResult) -> bool:
    has_id, month_only = bool(packed >> 24 & 1), bool(packed >> 25 & 1)
    if has_id and result.id_index:
        return False  # two different ID numbers: two people
    born = date.fromordinal(packed >> 42)
    return same_birth(born, month_only, result.birth, result.month_only)


# --- against the registry ----------------------------------------------------------------------


def check_registry(results: list[RowResult], user, column=lambda key: key) -> None:
    """Compare a chunk of rows with the registry: at most six queries for the chunk."""
    candidates = [r for r in results if r.importable]
    if not candidates:
        return
    by_id = _registry_ids(candidates)
    near = _registry_near(candidates)
    ids = {p["id"] for p in by_id.values()} | {p["id"] for ps in near.values() for p in ps}
    visible = _visible(user, ids)
    for result in candidates:
        person = by_id.get(result.id_index) if result.id_index else None
        if person:
            result.matches.append(_match(person, visible, "id"))
            result.add(ERROR, column("id_number"), _same_id_message(person, visible))
            continue
        _near_matches(result, near, visible, column("name"))


# The registry is read with plain SQL: a chunk's lookups carry a few thousand values,
# and the ORM prepares each one through the lookup machinery (measured: most of the
# time of these queries), where the database driver binds them directly.
_KEYS = ("id", "name", "name_key", "region_id", "region__name", "id_number_index", "birth_date")


def _columns() -> str:
    """The columns of _KEYS. The region's name is read per person found, not joined: joined,
    PostgreSQL hashed all 23,019 regions for every statement (5 ms of its 8, measured at 1M
    persons) to name the few persons a chunk finds, usually none."""
    region = connection.ops.quote_name(Region._meta.db_table)
    name = f"(SELECT r.name FROM {region} r WHERE r.code = p.region_id)"  # noqa: S608
    return f"p.id, p.name, p.name_key, p.region_id, {name}, p.id_number_index, p.birth_date"


def _select(where: str, params: list) -> list[tuple]:
    person = connection.ops.quote_name(Person._meta.db_table)
    return _fetch(f"SELECT {_columns()} FROM {person} p WHERE {where}", params)  # noqa: S608


def _fetch(sql: str, params: list) -> list[tuple]:
    """The rows of a registry read. On PostgreSQL the statement is bound by the server, and
    its arrays (the `%b` placeholders: _PG_ARRAYS) travel in binary: Django's cursor
    composes statements client-side, which quotes every element of an array in Python
    (measured: 2.9 ms for 1,000 blind indexes, 0.4 ms in binary; 4.7 against 1.3 ms for
    a chunk's 1,747 pinyin triples). That cursor is the driver's own, past Django's
    execute wrappers (as fastsql's COPY): only the importing process reads the registry,
    never a process it forked (validate.forbid_database guards those through the wrappers)."""
    if connection.vendor == "postgresql":
        # Imported here: on SQLite nothing else loads the driver (9 MB of the import's RSS).
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            # Not prepared: a prepared statement may switch to a generic plan, made without
            # the arrays' sizes; planned each time, as Django's statements are.
            cursor.execute(sql, params, prepare=False)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in(values) -> tuple[str, list]:
    """Placeholders and parameters of an IN list, padded with NULLs (which match nothing)
    to a power of two: SQLite keeps each distinct statement compiled (a hundred of them per
    connection), and an IN list of a thousand values compiles to a large program, so a new
    length per chunk would hold tens of MB for the whole import."""
    values = list(values)
    size = max(64, 1 << (len(values) - 1).bit_length())
    return ", ".join([SQLITE_MARK] * size), values + [None] * (size - len(values))


# The long lists of values go to SQLite with its own placeholder: Django rewrites each %s
# of a statement into it with a regular expression, and for statements of thousands of
# them that took longer than building them (profiled: 0.6 s of a 100,000-row check). The
# IN and VALUES lists are SQLite's only (PostgreSQL gets arrays), and Django's rewrite
# leaves a ? as it is.
SQLITE_MARK = "?"


def _registry_ids(results: list[RowResult]) -> dict[str, dict]:
    indexes = sorted({r.id_index for r in results if r.id_index})
    if not indexes:
        return {}
    if connection.vendor == "postgresql":
        rows = _select("p.id_number_index = ANY(%b::text[])", [indexes])  # see _PG_ARRAYS
    else:
        marks, params = _in(indexes)
        rows = _select(f"p.id_number_index IN ({marks})", params)
    return {row[5]: dict(zip(_KEYS, row, strict=True)) for row in rows}


# On PostgreSQL a chunk's values go as arrays, one parameter each, in binary (_fetch):
# a statement of thousands of placeholders took psycopg longer to compose than the
# database took to run it (profiled: 12 ms a statement, 0.5 s of a 10,000-row check).
# The SQL text stays short and the same, so the server parses and plans it once.
_PG_ARRAYS = (
    "SELECT * FROM unnest(%b::text[], %b::date[], %b::date[]) AS t(column1, column2, column3)"
)


def _window(result: RowResult) -> tuple[date, date]:
    """Registry birth dates that can match the row, as one range: from the 1st of its month
    (a month-only record) to its date, or to the month's end for a month-only row. A few
    more dates than match (the days before an exact date); same_birth decides."""
    first = result.birth.replace(day=1)
    if not result.month_only:
        return first, result.birth
    last = calendar.monthrange(result.birth.year, result.birth.month)[1]
    return first, result.birth.replace(day=last)


# (key, first, last) triples per statement: 3 parameters each, well below SQLite's limit.
MAX_TRIPLES = 2048


def _select_near(
    triples: set[tuple[str, date, date]], join_keys: bool, without_id: bool
) -> list[tuple]:
    """Persons whose name key (or, with join_keys, pinyin reading) is a triple's key and
    whose birth date lies in that triple's range; `without_id`: only persons registered
    without an ID number.

    Each key is looked up with its own range, as a join against the list of triples (a
    VALUES list on SQLite, arrays on PostgreSQL: _PG_ARRAYS): the index on the key finds
    the persons of each name, then their birth dates are compared.
    An IN list of every key AND an IN list of every date instead crosses the two (measured
    on PostgreSQL at 1M persons: 50,000 key rows joined with 74,000 persons born on one of
    the chunk's dates, 0.6 s a chunk, most of the check)."""
    ordered = sorted(triples)
    if connection.vendor == "postgresql":
        columns = [list(column) for column in zip(*ordered, strict=True)]
        return _select_values(_PG_ARRAYS, columns, join_keys, without_id)
    adapt = date.isoformat  # what SQLite stores (adapt_datefield_value's str(), faster)
    rows = []
    for start in range(0, len(ordered), MAX_TRIPLES):
        batch = ordered[start : start + MAX_TRIPLES]
        size = max(64, 1 << (len(batch) - 1).bit_length())  # see _in
        params = [v for key, first, last in batch for v in (key, adapt(first), adapt(last))]
        params += [None] * (3 * (size - len(batch)))
        values = "VALUES " + ", ".join([f"({SQLITE_MARK}, {SQLITE_MARK}, {SQLITE_MARK})"] * size)
        rows += _select_values(values, params, join_keys, without_id)
    return rows


def _select_values(values: str, params: list, join_keys: bool, without_id: bool) -> list[tuple]:
    quote = connection.ops.quote_name
    person = quote(Person._meta.db_table)
    in_range = "p.birth_date BETWEEN v.column2 AND v.column3"
    if without_id:
        # A literal, not a parameter: SQLite uses the partial index people_person_no_id
        # (migration people 0004) only for a condition that repeats its WHERE.
        in_range += " AND p.id_number_index = ''"
    if join_keys:
        keys = quote(PersonSearchKey._meta.db_table)
        joins = (
            f"JOIN {keys} k ON k.{quote('key')} = v.column1 AND k.kind = %s "
            f"JOIN {person} p ON p.id = k.person_id AND {in_range}"
        )
        params = [*params, PersonSearchKey.Kind.PINYIN]
    else:
        joins = f"JOIN {person} p ON p.name_key = v.column1 AND {in_range}"
    # Table names from the models; every value is a bound parameter.
    return _fetch(f"SELECT {_columns()}, v.column1 FROM ({values}) v {joins}", params)  # noqa: S608


def _registry_near(results: list[RowResult]) -> dict[tuple, list[dict]]:
    """Registry persons with a chunk row's name key or pinyin, in its birth months.

    A row that carries an ID number can only be near a person registered without one
    (two different ID numbers are two people: _near_matches skips those), so its keys
    are looked up among those persons only, through a partial index of them. Most rows
    of a ledger carry one, and most pinyin readings are shared by many registered persons
    (measured at 1M persons: 52,000 key rows a 1,000-row chunk, each a person to read)."""
    dated = [r for r in results if r.birth]
    found: dict[tuple, dict[int, dict]] = defaultdict(dict)
    for without_id in (False, True):
        rows = [(r, *_window(r)) for r in dated if bool(r.id_index) == without_id]
        names = {(r.name_key, first, last) for r, first, last in rows if r.name_key}
        readings = {(key, first, last) for r, first, last in rows for key in r.pinyin}
        for kind, triples, join_keys in (("n", names, False), ("p", readings, True)):
            if not triples:
                continue
            for row in _select_near(triples, join_keys, without_id):
                found[(kind, row[-1])][row[0]] = dict(zip(_KEYS, row[:-1], strict=True))
    return {key: list(persons.values()) for key, persons in found.items()}


def _near_matches(result: RowResult, near: dict, visible: set[int], column: str) -> None:
    if result.birth is None:
        return
    seen = set()
    keys = [("n", result.name_key)] + [("p", key) for key in sorted(result.pinyin)]
    for key in keys:
        for person in near.get(key, []):
            if person["id"] in seen or (person["id_number_index"] and result.id_index):
                continue
            born = person["birth_date"]
            if not same_birth(born, born.day == 1, result.birth, result.month_only):
                continue
            seen.add(person["id"])
            result.matches.append(_match(person, visible, "name" if key[0] == "n" else "pinyin"))
    if result.matches:
        result.duplicate = True
        result.add(WARNING, column, _near_message(result.matches))


def _visible(user, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        Person.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True)
    )


def _match(person: dict, visible: set[int], rule: str) -> dict:
    if person["id"] in visible:
        return {
            "id": person["id"],
            "name": person["name"],
            "region": person["region__name"],
            "rule": rule,
        }
    return {"id": None, "name": "", "region": "", "rule": rule}


def _same_id_message(person: dict, visible: set[int]) -> str:
    if person["id"] in visible:
        return _("该身份证号已登记：%(name)s（%(region)s），不能重复导入") % {
            "name": person["name"],
            "region": person["region__name"],
        }
    return _("该身份证号已在系统中登记（不在您的管辖范围内），不能重复导入；请与县委统战部联系")


def _near_message(matches: list[dict]) -> str:
    shown = [f"{m['name']}（{m['region']}）" for m in matches if m["id"]]
    hidden = len(matches) - len(shown)
    parts = []
    if shown:
        parts.append(
            _("系统中已有同名或同拼音、同出生日期的记录：%(who)s") % {"who": format_list(shown)}
        )
    if hidden:
        parts.append(_("您管辖范围外另有 %(n)d 条同名或同拼音、同出生日期的记录") % {"n": hidden})
    return _("；").join(parts) + _("，可能是同一人")
