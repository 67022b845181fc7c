"""The home page of each role, and the error pages."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from tongzhan.accounts import roles
from tongzhan.core.choices import PersonStatus
from tongzhan.people.models import Person


@login_required
def home(request):
    user = request.user
    held = user.active_roles()
    context = {"held_roles": held, "cards": []}
    if any("view" in roles.ROLES[c].data_actions for c in held):
        visible = Person.objects.restrict(user, "view")
        by_status = dict(visible.values_list("status").annotate(n=Count("pk")).order_by())
        context["person_total"] = sum(by_status.values())
        context["person_active"] = by_status.get(PersonStatus.ACTIVE, 0)
        context["recent_people"] = visible.select_related("region").order_by("-updated_at")[:8]
    context["scopes"] = [
        {"role": roles.ROLES[a.role].label, "region": a.region, "lines": a.lines}
        for a in user.role_assignments.filter(active=True).select_related("region")
    ]
    if roles.MANAGE_ACCOUNTS in _perms(held):
        from tongzhan.accounts.models import User

        context["user_total"] = User.objects.filter(is_active=True).count()
    if roles.READ_AUDIT in _perms(held):
        from tongzhan.audit.models import AuditEntry

        context["recent_audit"] = AuditEntry.objects.order_by("-seq")[:8]
    return render(request, "dashboard/home.html", context)


def _perms(held) -> set[str]:
    return {p for code in held for p in roles.ROLES[code].permissions}


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)
