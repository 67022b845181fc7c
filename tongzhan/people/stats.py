"""Totals for upper levels: counts by sub-region and category, never names.

Everything goes through restrict(user, "aggregate"), so an upper level (部领导,
上级统战部) sees the totals of the areas below it even where it may not see persons.
"""

from django.db.models import Count
from django.db.models.functions import Substr

from tongzhan.core.choices import Category, PersonStatus
from tongzhan.core.models import Region
from tongzhan.core.scope import user_assignments
from tongzhan.lib import divisioncode

from .models import Person, codes_of


def aggregate_roots(user) -> list[Region]:
    """The regions the user's aggregate scope starts from (one per assignment)."""
    from tongzhan.core.scope import grants

    codes = sorted({a.region_id for a in user_assignments(user) if grants(a, "aggregate")})
    return list(Region.objects.filter(code__in=codes))


def totals_by_child(user, root: Region) -> list[dict]:
    """One row per child region of `root`: active persons in total and per category."""
    if root.level >= 5:
        return []
    child_prefix = divisioncode.PREFIX_LENGTH[root.level + 1]
    low, high = root.subtree_range()
    people = Person.objects.restrict(user, "aggregate").filter(
        region_id__gte=low, region_id__lte=high, status=PersonStatus.ACTIVE
    )
    # One pass: persons grouped by child region and by their categories' bit set.
    rows = (
        people.annotate(child=Substr("region_id", 1, child_prefix))
        .values_list("child", "category_bits")
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals: dict[str, int] = {}
    per_category: dict[str, dict[str, int]] = {}
    for child, bits, n in rows:
        totals[child] = totals.get(child, 0) + n
        counts = per_category.setdefault(child, {})
        for code in codes_of(bits):
            counts[code] = counts.get(code, 0) + n
    children = Region.objects.filter(parent=root).order_by("code")
    result = []
    for child in children:
        key = child.code[:child_prefix]
        result.append(
            {
                "region": child,
                "total": totals.get(key, 0),
                "categories": [per_category.get(key, {}).get(c.value, 0) for c in Category],
            }
        )
    return result


def category_headers() -> list[str]:
    return [str(c.label) for c in Category]
