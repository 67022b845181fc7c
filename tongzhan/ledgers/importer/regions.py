"""Which region a ledger row means, and whether the importing user may file a person there.

Ledgers name a 村 or 社区 ("青山村"), sometimes with its 乡镇 in front ("清溪镇青山村") or
in a column of its own, sometimes the official form ("青山村民委员会"), sometimes a
12-digit 区划代码. Names are looked up among the regions of the user's counties, so
that a neighbouring township's village is reported as out of scope, not as unknown.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tongzhan.core.models import Region
from tongzhan.core.scope import grants, user_assignments
from tongzhan.lib import divisioncode
from tongzhan.lib.chinese import clean
from tongzhan.lib.text import format_list

from .values import Problem

# The official names of village-level committees and what ledgers write for them.
_COMMITTEE_SUFFIXES = [
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
]
# A bare name ("青山") is tried last, and only when it names one region.
_LEVEL_SUFFIXES = ("社区", "街道", "村", "镇", "乡")


def short_name(name: str) -> str:
    for long, short in _COMMITTEE_SUFFIXES:
        if name.endswith(long) and len(name) > len(long):
            return name[: -len(long)] + short
    return name


def bare_name(name: str) -> str:
    name = short_name(name)
    for suffix in _LEVEL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Grant:
    """One assignment's right to file persons: a code range and, for 条 roles, lines."""

    low: str
    high: str
    lines: frozenset[str]


class RegionResolver:
    """Region names → codes among the user's counties, with the user's change scope."""

    def __init__(self, user):
        self.grants = [
            Grant(*divisioncode.subtree_range(a.region_id), frozenset(a.lines or ()))
            for a in user_assignments(user)
            if grants(a, "change")
        ]
        self.regions: dict[str, tuple[str, str | None, int, bool]] = {}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_bare: dict[str, list[str]] = defaultdict(list)
        self._paths: dict[str, str] = {}
        self._cache: dict[tuple[str, str], str] = {}
        self._scope_cache: dict[tuple[str, tuple[str, ...]], tuple[str, str] | None] = {}
        self._load({_county_of(a.region_id) for a in user_assignments(user) if grants(a, "change")})

    def _load(self, roots: set[str]) -> None:
        for root in roots:
            low, high = divisioncode.subtree_range(root)
            rows = Region.objects.filter(code__gte=low, code__lte=high).values_list(
                "code", "name", "parent_id", "level", "retired"
            )
            for code, name, parent, level, retired in rows:
                self.regions[code] = (name, parent, level, retired)
                for key in {name, short_name(name)}:
                    self.by_name[key].append(code)
                self.by_bare[bare_name(name)].append(code)

    # --- names ----------------------------------------------------------------------------

    def resolve(self, text: str, township: str = "") -> str:
        """The region code a cell means; Problem if none, several, or retired."""
        key = (text, township)
        if key not in self._cache:
            try:
                self._cache[key] = self._resolve(text, township)
            except Problem as problem:
                self._cache[key] = problem  # type: ignore[assignment]
        found = self._cache[key]
        if isinstance(found, Problem):
            raise found
        return found

    def _resolve(self, text: str, township: str) -> str:
        name = "".join(clean(text).split())
        town = "".join(clean(township).split())
        if name.isdigit() and len(name) == 12:
            return self._by_code(name)
        candidates = self._candidates(name or town)
        if town and name:
            candidates = self._under(candidates, town)
        if not candidates:
            raise Problem(
                _("未找到区域“%(v)s”（应为您所在县内的乡镇、村或社区名称，或 12 位区划代码）")
                % {"v": f"{town}{name}"}
            )
        return self._one(candidates, f"{town}{name}")

    def _by_code(self, code: str) -> str:
        if code not in self.regions:
            raise Problem(_("区划代码“%(v)s”不存在或不在您所在的县内") % {"v": code})
        return self._usable(code)

    def _candidates(self, name: str) -> list[str]:
        found = self.by_name.get(name) or self.by_name.get(short_name(name))
        if found:
            return list(found)
        # "清溪镇青山村", "清溪县清溪镇青山村": a known name at the end, its ancestors before.
        for cut in range(1, len(name)):
            head, tail = name[:cut], name[cut:]
            tails = self.by_name.get(tail) or self.by_name.get(short_name(tail)) or []
            matched = [code for code in tails if self._path(code).endswith(head)]
            if matched:
                return matched
        bare = self.by_bare.get(bare_name(name), [])
        return list(bare) if len(bare) == 1 else []

    def _under(self, candidates: list[str], town: str) -> list[str]:
        towns = set(self.by_name.get(town) or self.by_name.get(short_name(town)) or [])
        return [c for c in candidates if self.regions[c][1] in towns or c in towns]

    def _path(self, code: str) -> str:
        """The names of a region's ancestors, from the top down, run together."""
        if code not in self._paths:
            parent = self.regions[code][1]
            self._paths[code] = (
                self._path(parent) + short_name(self.regions[parent][0])
                if parent in self.regions
                else ""
            )
        return self._paths[code]

    def _one(self, candidates: list[str], shown: str) -> str:
        candidates = sorted(set(candidates))
        if len(candidates) > 1:
            mine = [c for c in candidates if self.may_file(c)]
            if len(mine) == 1:
                return self._usable(mine[0])
            names = format_list(self._path(c) + self.regions[c][0] for c in candidates[:5])
            raise Problem(
                _("区域“%(v)s”有重名：%(names)s，请写明所属乡镇或填写区划代码")
                % {"v": shown, "names": names}
            )
        return self._usable(candidates[0])

    def _usable(self, code: str) -> str:
        name, _parent, level, retired = self.regions[code]
        if retired:
            raise Problem(_("区域“%(v)s”已撤销，请改用现行的区划") % {"v": name})
        if level < 3:
            raise Problem(_("所属区域应为县、乡镇或村（社区），不能是“%(v)s”") % {"v": name})
        return code

    def name_of(self, code: str) -> str:
        entry = self.regions.get(code)
        return entry[0] if entry else code

    # --- scope ------------------------------------------------------------------------------

    def may_file(self, code: str, categories=()) -> bool:
        """The scope rule for a new person: a grant whose range holds the region and whose
        lines (if it has any) hold one of the person's categories."""
        return any(
            g.low <= code <= g.high and (not g.lines or g.lines.intersection(categories or g.lines))
            for g in self.grants
        )

    def check_scope(self, code: str, categories: list[str]) -> None:
        # The same few hundred villages and category sets recur in every ledger. The
        # answer is kept, not the exception: raised again, one instance would carry
        # every earlier raise's traceback (and its frames) along.
        key = (code, tuple(categories))
        if key not in self._scope_cache:
            try:
                self._check_scope(code, categories)
            except Problem as problem:
                self._scope_cache[key] = (str(problem), problem.level)
            else:
                self._scope_cache[key] = None
        if self._scope_cache[key] is not None:
            raise Problem(*self._scope_cache[key])

    def _check_scope(self, code: str, categories: list[str]) -> None:
        if not any(g.low <= code <= g.high for g in self.grants):
            raise Problem(
                _("区域“%(v)s”不在您的管辖范围内，不能导入到该区域") % {"v": self.name_of(code)}
            )
        if not self.may_file(code, categories):
            lines = sorted({line for g in self.grants for line in g.lines})
            raise Problem(
                _("类别不在您负责的条线内（%(lines)s）") % {"lines": _category_labels(lines)}
            )


def _category_labels(codes) -> str:
    from tongzhan.core.choices import Category

    return format_list(Category(code).label for code in codes)


def _county_of(code: str) -> str:
    """The county (or the region itself above county level) whose names a user may write."""
    level = divisioncode.level_of(code)
    return code[:6] + "000000" if level >= 3 else code
