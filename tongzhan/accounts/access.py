"""Who may open the account pages: each admin job has its own pages, and a page a user's
roles do not open answers 404, like anything out of scope."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from tongzhan.core.models import Region
from tongzhan.lib import divisioncode

from .models import ApiToken, RoleAssignment, User
from .roles import MANAGE_ACCOUNTS, ROLES


def job_required(permission: str):
    """Login first (anonymous → login page), then 404 unless a role holds `permission`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_job(permission):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def manageable_regions(actor):
    """Regions a 系统管理员 may put roles on: the subtrees of its own 系统管理员 assignments."""
    condition: Q | None = None
    for assignment in actor.role_assignments.filter(active=True):
        if MANAGE_ACCOUNTS not in ROLES[assignment.role].permissions:
            continue
        low, high = divisioncode.subtree_range(assignment.region_id)
        part = Q(code__gte=low, code__lte=high)
        condition = part if condition is None else condition | part
    if condition is None:
        return Region.objects.none()
    return Region.objects.active().filter(condition)


def access_user(pk: int) -> User:
    return get_object_or_404(User, pk=pk)


def access_assignment(user_pk: int, pk: int) -> RoleAssignment:
    return get_object_or_404(
        RoleAssignment.objects.select_related("region"), pk=pk, user_id=user_pk
    )


def access_own_token(user, pk: int) -> ApiToken:
    """Another user's token answers 404 exactly like a missing one."""
    return get_object_or_404(ApiToken, pk=pk, user=user)
