"""Getting one person for an action: 404 when out of scope, 403 when read-only."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tongzhan.core.scope import OutOfScope, ReadOnly, access_object

from .models import Person


def access_person(user, pk: int, action: str = "view") -> Person:
    queryset = Person.objects.select_related("region").prefetch_related("categories")
    try:
        return access_object(queryset, user, pk, action)
    except OutOfScope as exc:
        raise Http404 from exc
    except ReadOnly as exc:
        raise PermissionDenied(str(exc)) from exc


def can_change(user, person: Person) -> bool:
    return Person.objects.restrict(user, "change").filter(pk=person.pk).exists()


def can_create(user) -> bool:
    from tongzhan.core.scope import grants, user_assignments

    return any(grants(a, "change") for a in user_assignments(user))


def can_view_any(user) -> bool:
    from tongzhan.core.scope import grants, user_assignments

    return any(grants(a, "view") for a in user_assignments(user))


def require(condition: bool) -> None:
    """Pages a user's roles do not open answer 404, like anything out of scope."""
    if not condition:
        raise Http404
