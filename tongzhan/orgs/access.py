"""Getting one organisation or membership for an action: 404 out of scope, 403 read-only.

A membership is seen through its organisation AND its person: a member whose person the
user cannot see is as good as missing (404), whatever the organisation.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tongzhan.core.scope import OutOfScope, ReadOnly, access_object, grants, user_assignments
from tongzhan.people.models import Person

from .models import Membership, Organisation


def access_org(user, pk: int, action: str = "view") -> Organisation:
    queryset = Organisation.objects.select_related("region", "parent", "leader")
    try:
        return access_object(queryset, user, pk, action)
    except OutOfScope as exc:
        raise Http404 from exc
    except ReadOnly as exc:
        raise PermissionDenied(str(exc)) from exc


def access_membership(user, org: Organisation, pk: int) -> Membership:
    """A membership of `org` (already fetched for the action) whose person the user sees."""
    membership = (
        Membership.objects.filter(organisation=org, pk=pk)
        .filter(person__in=Person.objects.restrict(user, "view"))
        .select_related("person", "organisation")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def visible_person(user, pk) -> Person:
    """A person the user may see (for a membership or a leader), else 404."""
    person = Person.objects.restrict(user, "view").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def can_change(user, org: Organisation) -> bool:
    return Organisation.objects.restrict(user, "change").filter(pk=org.pk).exists()


def can_create(user) -> bool:
    return any(grants(a, "change") for a in user_assignments(user))


def can_view_any(user) -> bool:
    return any(grants(a, "view") for a in user_assignments(user))


def require(condition: bool) -> None:
    """Pages a user's roles do not open answer 404, like anything out of scope."""
    if not condition:
        raise Http404
