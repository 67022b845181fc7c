"""The home page of each role, and the error pages.

Each section of the home page comes from one helper that costs one or two queries, and
every count of persons goes through the scope rule: "view" for names, "aggregate" for
totals by region.
"""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tongzhan.accounts import roles
from tongzhan.core.choices import Category, PersonStatus, RegionLevel
from tongzhan.core.models import Region
from tongzhan.core.scope import grants, user_assignments
from tongzhan.engagement import warnings
from tongzhan.lib import divisioncode
from tongzhan.people.models import Person

RECENT_PEOPLE = 8
RECENT_AUDIT = 10


@login_required
def home(request):
    user = request.user
    assignments = user_assignments(user)
    held = {a.role for a in assignments}
    perms = {p for code in held for p in roles.ROLES[code].permissions}
    context = {"scopes": _scopes(assignments)}
    context["warnings"] = _warnings(user, held)
    if any(grants(a, "view") for a in assignments):
        context["people"] = _people_summary(user)
    if roles.VIEW_STATS in perms:
        context["by_region"] = _counts_by_subregion(user, assignments)
    if roles.MANAGE_ACCOUNTS in perms:
        context["accounts"] = _accounts_summary()
    if roles.MANAGE_SECURITY in perms:
        context["security"] = _security_summary()
    if roles.READ_AUDIT in perms:
        context["recent_audit"] = _recent_audit()
    return render(request, "dashboard/home.html", context)


def _url(name: str, query: str = "") -> str:
    """A page of another part of the system, or "" while that page does not exist yet."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def _warnings(user, held: set[str]) -> dict | None:
    """Overdue pairings and requests, villages without a liaison (engagement.warnings), with
    links to the filtered lists for those who may open them."""
    found = warnings.for_user(user)
    if found is None:
        return None
    links = found.can_open_lists
    return {
        "counts": found,
        "pairings_url": _url("engagement:pairing_list", "?overdue=1") if links else "",
        "requests_url": _url("engagement:request_list", "?overdue=1") if links else "",
        "due_soon_url": _url("engagement:request_list", "?overdue=due_soon") if links else "",
        "mobile_url": _url("engagement:mobile_home")
        if held & {"village_liaison", "township_member"}
        else "",
    }


def _scopes(assignments) -> list[dict]:
    return [
        {
            "role": roles.ROLES[a.role].label,
            "region": a.region,
            "lines": [str(c.label) for c in _categories(a.lines)],
        }
        for a in assignments
    ]


def _categories(codes):
    return [Category(code) for code in codes if code in Category.values]


def _people_summary(user) -> dict:
    """Counts and the latest changed persons the user may see by name (two queries)."""
    visible = Person.objects.restrict(user, "view")
    by_status = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    recent = visible.select_related("region").order_by("-updated_at", "-pk")[:RECENT_PEOPLE]
    return {
        "total": sum(by_status.values()),
        "active": by_status.get(PersonStatus.ACTIVE, 0),
        "recent": list(recent),
    }


def _breakdown_level(assignments) -> int | None:
    """The level just below the highest region the user counts over (None at a village)."""
    levels = [
        a.region.level
        for a in assignments
        if grants(a, "aggregate") and roles.VIEW_STATS in roles.ROLES[a.role].permissions
    ]
    if not levels or min(levels) >= RegionLevel.VILLAGE:
        return None
    return min(levels) + 1


def _counts_by_subregion(user, assignments) -> list[dict] | None:
    """Totals per region one level below the user's scope (a county sees its townships),
    zero rows included, from `restrict(user, "aggregate")`: two queries."""
    level = _breakdown_level(assignments)
    if level is None:
        return None
    width = divisioncode.PREFIX_LENGTH[level]
    counts = {
        row["prefix"]: row
        for row in Person.objects.restrict(user, "aggregate")
        .order_by()
        .annotate(prefix=Substr("region_id", 1, width))
        .values("prefix")
        .annotate(total=Count("pk"), active=Count("pk", filter=Q(status=PersonStatus.ACTIVE)))
    }
    within = Q()
    for a in assignments:
        if grants(a, "aggregate"):
            low, high = divisioncode.subtree_range(a.region_id)
            within |= Q(code__gte=low, code__lte=high)
    rows = []
    for region in Region.objects.filter(within, level=level, retired=False).order_by("code"):
        row = counts.get(region.code[:width], {})
        rows.append(
            {"region": region, "total": row.get("total", 0), "active": row.get("active", 0)}
        )
    return rows


def _accounts_summary() -> dict:
    from tongzhan.accounts.models import User

    users = User.objects.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
    )
    regions = dict(
        Region.objects.filter(retired=False).order_by().values_list("level").annotate(n=Count("pk"))
    )
    levels = [(label, regions.get(value, 0)) for value, label in RegionLevel.choices]
    return {"users": users, "region_levels": [(lab, n) for lab, n in levels if n]}


def _security_summary() -> dict:
    from axes.models import AccessAttempt

    from tongzhan.accounts.models import SecurityPolicy

    policy = SecurityPolicy.current()
    since = timezone.now() - timedelta(minutes=policy.lockout_minutes)
    locked = (
        AccessAttempt.objects.filter(
            failures_since_start__gte=policy.lockout_threshold, attempt_time__gte=since
        )
        .values("username")
        .distinct()
        .count()
    )
    return {"policy": policy, "locked": locked}


def _recent_audit() -> list:
    from tongzhan.audit.models import AuditEntry

    return list(AuditEntry.objects.order_by("-seq")[:RECENT_AUDIT])


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # No request context: the context processors use the database, which may be
    # what just failed.
    return HttpResponseServerError(loader.get_template("errors/500.html").render({}))
