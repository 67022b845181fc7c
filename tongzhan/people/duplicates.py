"""Likely duplicates: the same ID number, the same name + birth date, or the same pinyin +
birth date.

Checks before a create or an import search the WHOLE registry (two townships must not
register one person twice) but reveal only what the user may see: a match outside the
user's view scope says where it is registered (township level) and nothing else.

The "find duplicates" page groups the records of the user's own scope with GROUP BY
queries, so that it works the same at a million persons.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhan.core.models import Region
from tongzhan.lib import chinese, crypto, divisioncode, idcard

from .models import Person, PersonSearchKey

ID_NUMBER, NAME_BIRTH, PINYIN_BIRTH = "id_number", "name_birth", "pinyin_birth"
REASONS = {
    ID_NUMBER: gettext_lazy("身份证号相同"),
    NAME_BIRTH: gettext_lazy("姓名和出生日期相同"),
    PINYIN_BIRTH: gettext_lazy("姓名拼音和出生日期相同"),
}
CHUNK_SIZE = 1000
PINYIN = PersonSearchKey.Kind.PINYIN


@dataclass(frozen=True)
class Match:
    """One registered person that looks like the record being entered. `person` is set
    only when the user may see it; otherwise only the township and the reasons are."""

    reasons: tuple[str, ...]
    region_name: str  # the township (or the region itself above township level)
    person: Person | None = None

    @property
    def visible(self) -> bool:
        return self.person is not None

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]

    @property
    def message(self) -> str:
        if self.visible:
            return ""
        return _("该人员已在其他区域登记（%(region)s），请与县委统战部联系") % {
            "region": self.region_name
        }


@dataclass(frozen=True)
class Probe:
    """What one record to be entered is compared by."""

    id_indexes: frozenset[str]
    name_key: str
    birth_date: date | None
    pinyin: frozenset[str] = field(default_factory=frozenset)


def probe_for(data: dict) -> Probe:
    """`data` holds name, birth_date (a date or ISO text) and id_number (raw), all optional."""
    name = data.get("name") or ""
    keys = chinese.name_keys(name) if name else None
    return Probe(
        id_indexes=id_indexes(data.get("id_number")),
        name_key=keys.simplified if keys else "",
        birth_date=_as_date(data.get("birth_date")),
        pinyin=keys.pinyin_full if keys else frozenset(),
    )


def id_indexes(raw) -> frozenset[str]:
    """Blind indexes an ID number can be stored under: as the model indexes it (18
    characters, upper case, no separators), an old 15-digit number also as 18 digits."""
    number = "".join(ch for ch in idcard.normalise(raw) if ch.isalnum())
    if not number:
        return frozenset()
    numbers = {number}
    if len(number) == 15 and number.isdigit():
        with contextlib.suppress(idcard.IdNumberError):
            numbers.add(idcard.convert_15_to_18(number))
    return frozenset(crypto.blind_index(n) for n in numbers)


def _as_date(value) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None  # a bad date is the form's error to report, not a match


# --- checks against the whole registry -------------------------------------------------------


def find_duplicates_for(data: dict, user, exclude_pk=None) -> list[Match]:
    """Registered persons that look like `data` (see probe_for), strongest reason first."""
    probe = probe_for(data)
    exclude = {exclude_pk} if exclude_pk else set()
    return _match_chunk([probe], user, exclude)[0]


def find_duplicates_bulk(rows: list[dict], user, chunk_size: int = CHUNK_SIZE) -> dict:
    """For an import: {row index: [Match, ...]} for the rows that have matches; each row is
    a dict like find_duplicates_for's `data`. A few queries per chunk of rows."""
    found: dict[int, list[Match]] = {}
    for start in range(0, len(rows), chunk_size):
        probes = [probe_for(row) for row in rows[start : start + chunk_size]]
        for offset, matches in enumerate(_match_chunk(probes, user, set())):
            if matches:
                found[start + offset] = matches
    return found


def _match_chunk(probes: list[Probe], user, exclude: set) -> list[list[Match]]:
    found = _Candidates(probes, exclude)
    if not found.persons:
        return [[] for _probe in probes]
    visible = set(
        Person.objects.restrict(user, "view")
        .filter(pk__in=found.persons)
        .values_list("pk", flat=True)
    )
    townships = township_names(p.region_id for p in found.persons.values())
    results = []
    for probe in probes:
        matches = []
        for pk, reasons in found.reasons(probe).items():
            person = found.persons[pk]
            region = townships.get(township_code(person.region_id), "")
            matches.append(Match(reasons, region, person if pk in visible else None))
        matches.sort(key=lambda m: -len(m.reasons))  # stable: by ID, name, pinyin
        results.append(matches)
    return results


# What a match shows and what _Candidates compares: not the whole record.
MATCH_COLUMNS = (
    "name",
    "gender",
    "birth_date",
    "region__name",
    "name_key",
    "id_number_index",
    "id_number_masked",
    "phone_masked",
    "status",
    "version",
)


class _Candidates:
    """Every person that matches some probe by some rule, in at most four queries (pinyin
    keys, then persons by each rule), indexed so that each probe's matches are lookups."""

    def __init__(self, probes: list[Probe], exclude: set):
        ids = set().union(*(p.id_indexes for p in probes))
        dated = [p for p in probes if p.birth_date and p.name_key]
        births = {p.birth_date for p in dated}
        names = {p.name_key for p in dated}
        self.by_pinyin = self._pinyin_hits(dated, births, exclude)
        self.persons: dict[int, Person] = {}
        self.by_id: dict[str, list[int]] = defaultdict(list)
        self.by_name: dict[tuple, list[int]] = defaultdict(list)
        # One query per rule: each uses its own index (an OR of them scans more).
        if ids:
            self._load(Q(id_number_index__in=ids), exclude)
        if names:
            # A superset (any of the names with any of the dates), narrowed by reasons().
            self._load(Q(name_key__in=names, birth_date__in=births), exclude)
        pinyin_pks = {pk for pks in self.by_pinyin.values() for pk in pks} - set(self.persons)
        if pinyin_pks:
            self._load(Q(pk__in=pinyin_pks), exclude)

    def _load(self, condition: Q, exclude: set) -> None:
        rows = Person.objects.filter(condition).exclude(pk__in=exclude).order_by()
        for person in rows.select_related("region").only(*MATCH_COLUMNS):
            if person.pk in self.persons:
                continue
            self.persons[person.pk] = person
            if person.id_number_index:
                self.by_id[person.id_number_index].append(person.pk)
            self.by_name[(person.name_key, person.birth_date)].append(person.pk)

    @staticmethod
    def _pinyin_hits(dated: list[Probe], births: set, exclude: set) -> dict:
        """{(pinyin key, birth date): person ids} for the pinyin + birth date rule."""
        hits: dict[tuple, set[int]] = defaultdict(set)
        keys = set().union(*(p.pinyin for p in dated)) if dated else set()
        if keys:
            rows = PersonSearchKey.objects.filter(
                kind=PINYIN, key__in=keys, person__birth_date__in=births
            ).values_list("key", "person__birth_date", "person_id")
            for key, birth, pk in rows:
                if pk not in exclude:
                    hits[(key, birth)].add(pk)
        return hits

    def reasons(self, probe: Probe) -> dict[int, tuple[str, ...]]:
        found: dict[int, list[str]] = defaultdict(list)
        for index in probe.id_indexes:
            for pk in self.by_id.get(index, ()):
                found[pk].append(ID_NUMBER)
        if probe.birth_date and probe.name_key:
            for pk in self.by_name.get((probe.name_key, probe.birth_date), ()):
                found[pk].append(NAME_BIRTH)
            for key in probe.pinyin:
                for pk in self.by_pinyin.get((key, probe.birth_date), ()):
                    if pk in self.persons and PINYIN_BIRTH not in found[pk]:
                        found[pk].append(PINYIN_BIRTH)
        return {pk: tuple(reasons) for pk, reasons in found.items()}


def township_code(region_code: str) -> str:
    """The township a region lies in; a region above township level stands for itself."""
    if divisioncode.level_of(region_code) <= 3:
        return region_code
    return region_code[:9] + "000"


def township_names(region_codes: Iterable[str]) -> dict[str, str]:
    codes = {township_code(code) for code in region_codes}
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


# --- groups within the user's scope (the find-duplicates page) -------------------------------

GROUP_KINDS = {
    ID_NUMBER: gettext_lazy("身份证号相同"),
    NAME_BIRTH: gettext_lazy("姓名和出生日期相同"),
    PINYIN_BIRTH: gettext_lazy("拼音和出生日期相同（写法不同）"),
}


@dataclass
class Group:
    """Persons in the user's view scope that share one key."""

    kind: str
    key: tuple
    members: list[Person]

    @property
    def label(self) -> str:
        return str(GROUP_KINDS[self.kind])

    @property
    def caption(self) -> str:
        """What the members share, as shown: the masked ID number, or name/pinyin and date."""
        if self.kind == ID_NUMBER:
            return self.members[0].id_number_masked
        return f"{self.key[0]} · {self.key[1]:%Y-%m-%d}"


def group_keys(user, kind: str):
    """A queryset of the shared keys of `kind` within the user's view scope, one row per
    group (GROUP BY … HAVING count > 1), ordered: paginate it, then call group_members."""
    scope = Person.objects.restrict(user, "view")
    if kind == ID_NUMBER:
        keys = scope.exclude(id_number_index="").values("id_number_index")
        order = ["id_number_index"]
    elif kind == NAME_BIRTH:
        keys = scope.exclude(name_key="").filter(birth_date__isnull=False)
        keys = keys.values("name_key", "birth_date")
        order = ["name_key", "birth_date"]
    elif kind == PINYIN_BIRTH:
        # Only groups written differently (张三 / 章三): the same written name is a
        # name + birth date group already.
        keys = PersonSearchKey.objects.filter(
            kind=PINYIN, person__in=scope.filter(birth_date__isnull=False)
        ).values("key", "person__birth_date")
        keys = keys.annotate(
            n=Count("person_id", distinct=True), names=Count("person__name_key", distinct=True)
        )
        return keys.filter(n__gt=1, names__gt=1).order_by("key", "person__birth_date")
    else:
        raise ValueError(kind)
    return keys.annotate(n=Count("pk")).filter(n__gt=1).order_by(*order)


def group_page(user, kind: str, number, per_page: int = 20):
    """One page of groups: (the Paginator page of keys, its Groups). The keys are read
    once and paginated here: counting them in SQL would run the aggregation twice."""
    page = Paginator(list(group_keys(user, kind)), per_page).get_page(number)
    return page, group_members(user, kind, list(page))


def group_members(user, kind: str, keys: list[dict]) -> list[Group]:
    """The persons of one page of group keys, in one query (two for pinyin groups)."""
    scope = Person.objects.restrict(user, "view")
    persons = scope.select_related("region").prefetch_related("categories").order_by("pk")
    by_key: dict[tuple, list[Person]] = defaultdict(list)
    if kind == ID_NUMBER:
        for person in persons.filter(id_number_index__in=[k["id_number_index"] for k in keys]):
            by_key[(person.id_number_index,)].append(person)
        wanted = [(k["id_number_index"],) for k in keys]
    elif kind == NAME_BIRTH:
        condition = Q()
        for k in keys:
            condition |= Q(name_key=k["name_key"], birth_date=k["birth_date"])
        for person in persons.filter(condition) if keys else ():
            by_key[(person.name_key, person.birth_date)].append(person)
        wanted = [(k["name_key"], k["birth_date"]) for k in keys]
    else:
        wanted = [(k["key"], k["person__birth_date"]) for k in keys]
        by_key = _pinyin_members(scope, persons, wanted)
    return [Group(kind, key, by_key[key]) for key in wanted if len(by_key[key]) > 1]


def _pinyin_members(scope, persons, wanted: list[tuple]) -> dict[tuple, list[Person]]:
    pairs = set(wanted)
    rows = PersonSearchKey.objects.filter(
        kind=PINYIN,
        key__in={k for k, _b in wanted},
        person__birth_date__in={b for _k, b in wanted},
        person__in=scope.values("pk"),
    ).values_list("key", "person__birth_date", "person_id")
    hits = [(key, birth, pk) for key, birth, pk in rows if (key, birth) in pairs]
    found = persons.in_bulk({pk for _k, _b, pk in hits})
    by_key: dict[tuple, list[Person]] = defaultdict(list)
    for key, birth, pk in sorted(hits, key=lambda h: h[2]):
        by_key[(key, birth)].append(found[pk])
    return by_key
