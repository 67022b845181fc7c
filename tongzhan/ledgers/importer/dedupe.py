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
        if result.state == ERROR or not result.data:
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
    """Compare a chunk of rows with the registry: at most four queries for the chunk."""
    candidates = [r for r in results if r.state != ERROR and r.data]
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


def _select(where: str, params: list, join_keys: bool = False) -> list[tuple]:
    quote = connection.ops.quote_name
    person, region = Person._meta.db_table, Region._meta.db_table
    columns = "p.id, p.name, p.name_key, p.region_id, r.name, p.id_number_index, p.birth_date"
    sql = f"SELECT {columns}{', k.' + quote('key') if join_keys else ''}"
    sql += f" FROM {quote(person)} p JOIN {quote(region)} r ON r.code = p.region_id"
    if join_keys:
        sql += f" JOIN {quote(PersonSearchKey._meta.db_table)} k ON k.person_id = p.id"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} WHERE {where}", params)
        return cursor.fetchall()


def _in(values) -> tuple[str, list]:
    """Placeholders and parameters of an IN list, padded with NULLs (which match nothing)
    to a power of two: SQLite keeps each distinct statement compiled (a hundred of them per
    connection), and an IN list of a thousand values compiles to a large program, so a new
    length per chunk would hold tens of MB for the whole import."""
    values = list(values)
    size = max(64, 1 << (len(values) - 1).bit_length())
    return ", ".join(["%s"] * size), values + [None] * (size - len(values))


def _registry_ids(results: list[RowResult]) -> dict[str, dict]:
    indexes = sorted({r.id_index for r in results if r.id_index})
    if not indexes:
        return {}
    marks, params = _in(indexes)
    rows = _select(f"p.id_number_index IN ({marks})", params)
    return {row[5]: dict(zip(_KEYS, row, strict=True)) for row in rows}


def _birth_condition(results: list[RowResult]) -> tuple[str, list]:
    """Registry birth dates that can match the chunk: the exact dates (and the 1st of their
    month, a month-only record), and whole months for month-only rows, merged into runs."""
    exact, months = set(), set()
    for r in results:
        if r.month_only:
            months.add(r.birth.year * 12 + r.birth.month - 1)
        else:
            exact.update({r.birth, r.birth.replace(day=1)})
    adapt = connection.ops.adapt_datefield_value
    parts, params = [], []
    if exact:
        marks, values = _in(adapt(d) for d in sorted(exact))
        parts.append(f"p.birth_date IN ({marks})")
        params += values
    for first, last in _coalesce(list(_runs(sorted(months))), MAX_RANGES):
        year, month = last // 12, last % 12 + 1
        end = date(year, month, calendar.monthrange(year, month)[1])
        parts.append("p.birth_date BETWEEN %s AND %s")
        params += [adapt(date(first // 12, first % 12 + 1, 1)), adapt(end)]
    return "(" + " OR ".join(parts) + ")", params


# Month-only births become at most this many date ranges per query (wider ranges, then
# filtered here): a condition of hundreds of ORs costs more to plan than to run.
MAX_RANGES = 12


def _coalesce(runs: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Merge the runs separated by the smallest gaps until at most `limit` remain."""
    while len(runs) > limit:
        gap = min(range(len(runs) - 1), key=lambda i: runs[i + 1][0] - runs[i][1])
        runs[gap : gap + 2] = [(runs[gap][0], runs[gap + 1][1])]
    return runs


def _runs(values: list[int]):
    start = previous = None
    for value in values:
        if start is None:
            start = previous = value
        elif value == previous + 1:
            previous = value
        else:
            yield start, previous
            start = previous = value
    if start is not None:
        yield start, previous


def _registry_near(results: list[RowResult]) -> dict[tuple, list[dict]]:
    """Registry persons with a chunk row's name key or pinyin, in its birth months."""
    dated = [r for r in results if r.birth]
    if not dated:
        return {}
    found: dict[tuple, list[dict]] = defaultdict(list)
    births, birth_params = _birth_condition(dated)
    marks, names = _in(sorted({r.name_key for r in dated}))
    for row in _select(f"p.name_key IN ({marks}) AND {births}", names + birth_params):
        found[("n", row[2])].append(dict(zip(_KEYS, row, strict=True)))
    marks, keys = _in(sorted({k for r in dated for k in r.pinyin}))
    where = f"k.kind = %s AND k.{connection.ops.quote_name('key')} IN ({marks}) AND {births}"
    for row in _select(where, [PersonSearchKey.Kind.PINYIN, *keys, *birth_params], join_keys=True):
        found[("p", row[-1])].append(dict(zip(_KEYS, row[:-1], strict=True)))
    return found


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
