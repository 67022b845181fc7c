"""Search keys of a person's name, and the one search box of the person list.

The keys are written with the person (services call index_person) so that every kind of
search is an index lookup or range scan:
- ID number, phone: exact match on the blind index (HMAC-SM3) of the normalised number;
- pinyin and initials (`zhangsan`, `zs`): a prefix range on PersonSearchKey.key;
- Chinese text: the simplified name (name_key), the work unit and the enterprise;
- 统一社会信用代码: the enterprise profile's code.
Prefixes are matched as ranges (key >= 'zs' AND key < 'zt'), not LIKE: SQLite's LIKE is
case-insensitive and cannot use an ordinary index, and PostgreSQL databases are created
with the C.UTF-8 collation (docs/postgresql.md), which orders text by code point as the
ranges assume.
"""

from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.db.models.lookups import Contains
from pypinyin import lazy_pinyin

from tongzhan.lib import chinese, crypto
from tongzhan.lib.surnames import COMPOUND_SURNAMES, SURNAMES

from .models import NonPublicProfile, Person, PersonSearchKey


def name_key(name: str) -> str:
    """The name as searched: half-width, trimmed, Traditional folded to Simplified."""
    return chinese.name_keys(name).simplified if name else ""


def pinyin_sort_key(name: str) -> str:
    """The main reading of a name for sorting by pinyin: 区家麟 → oujialin, 单田芳 → shantianfang.

    The surname takes its surname reading; the rest the commonest reading in context.
    """
    simplified = chinese.clean_name(name)
    compound = COMPOUND_SURNAMES.get(simplified[:2])
    if compound:
        head, rest = "".join(compound[0]), simplified[2:]
    elif simplified[:1] in SURNAMES:
        head, rest = SURNAMES[simplified[0]][0], simplified[1:]
    else:
        head, rest = "", simplified
    syllables = lazy_pinyin(rest, errors="default")
    return "".join(ch for ch in head + "".join(syllables).lower() if ch.isalnum())[:64]


def phone_key(phone: str) -> str:
    """A phone number as its blind index is computed: what query_keys makes of it.

    "138 1234 5678", "+86 13812345678" and "13812345678" are one number, and so are
    "0571-88888888" and "057188888888"; a number query_keys does not read as a phone
    keeps its digits.
    """
    keys = chinese.query_keys(phone)
    if keys.kind == "phone":
        return keys.phone
    return "".join(ch for ch in chinese.clean(phone) if ch.isalnum())


def id_number_key(id_number: str) -> str:
    """An ID number as its blind index is computed: 18 characters, upper case (a 15-digit
    number converted), separators dropped, as query_keys reads the search box."""
    keys = chinese.query_keys(id_number)
    if keys.kind == "id_number":
        return keys.id_number
    return "".join(ch for ch in chinese.clean(id_number) if ch.isalnum()).upper()


def index_person(person) -> None:
    """Write the person's pinyin and initials keys and its pinyin sort key.

    Call it again when the name or the region changes: the keys carry the region.
    """
    PersonSearchKey.objects.filter(person=person).delete()
    PersonSearchKey.objects.bulk_create(search_keys(person.pk, person.name, person.region_id))
    sort_key = pinyin_sort_key(person.name)
    if person.name_pinyin != sort_key:
        person.name_pinyin = sort_key
        Person.objects.filter(pk=person.pk).update(name_pinyin=sort_key)


def search_keys(person_id: int, name: str, region_code: str) -> list[PersonSearchKey]:
    """The key rows of one person (bulk writers such as imports use this directly)."""
    keys = chinese.name_keys(name)
    rows = [(PersonSearchKey.Kind.PINYIN, k) for k in sorted(keys.pinyin_full)]
    rows += [(PersonSearchKey.Kind.INITIALS, k) for k in sorted(keys.initials)]
    return [
        PersonSearchKey(person_id=person_id, kind=kind, key=key, region_code=region_code)
        for kind, key in rows
    ]


def prefix_q(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as an index range: [prefix, prefix with its last
    character incremented)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(last + 1)})


def search_q(text: str, regions: list[tuple[str, str]] | None = None) -> Q | None:
    """The condition the search box's text puts on Person; None when the box is empty.

    `regions` (code ranges covering everyone the caller may find) narrows the pinyin keys
    read; it is only a shortcut, the caller still applies the scope to Person itself.
    """
    keys = chinese.query_keys(text)
    if keys.kind == "empty":
        return None
    if keys.kind == "id_number":
        return Q(id_number_index=crypto.blind_index(keys.id_number))
    if keys.kind == "phone":
        return Q(phone_index=crypto.blind_index(keys.phone))
    if keys.kind == "uscc":
        return Q(non_public__uscc=keys.uscc)
    if keys.kind == "pinyin":
        matching = PersonSearchKey.objects.filter(prefix_q("key", keys.pinyin))
        if regions:
            matching = matching.filter(_region_ranges_q(regions))
        return Q(pk__in=matching.values("person_id"))
    return _text_q(keys)


def _region_ranges_q(regions: list[tuple[str, str]]) -> Q:
    """Keys in any of the ranges, plus keys written without a region (by a bulk writer
    that did not fill it): those are still found, only less cheaply."""
    condition = Q(region_code="")
    for low, high in regions:
        condition |= Q(region_code__gte=low, region_code__lte=high)
    return condition


def _text_q(keys: chinese.QueryKeys) -> Q:
    """Chinese (or other) text: in the name (简 or 繁), the work unit or the enterprise."""
    condition = Q(name_key__contains=keys.simplified) if keys.simplified else Q()
    # Units are stored as typed: look for the text as typed and in Simplified.
    for term in dict.fromkeys([keys.text, chinese.to_simplified(keys.text)]):
        condition |= Q(work_unit__contains=term) | _enterprise_q(term)
    return condition


def _enterprise_q(term: str) -> Q:
    """The person's enterprise (非公 profile) contains the text.

    Every role that searches persons sees at most a county, so the enterprise is best read
    for each person of the scope by the profile's unique person index. SQLite does that
    for the join. PostgreSQL, given the join, may hash the whole profile table instead
    (220,000 rows at 1M persons: a county's name search 55 ms against 26 ms); given the
    enterprise as a correlated subquery it cannot, and SQLite runs that form 4 ms slower
    (17.5 against 21.5 ms), hence one form per engine."""
    if connection.vendor != "postgresql":
        return Q(non_public__enterprise__contains=term)
    profile = NonPublicProfile.objects.filter(person=OuterRef("pk")).values("enterprise")
    return Q(Contains(Subquery(profile[:1]), term))
