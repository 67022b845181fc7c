"""Getting one engagement record for an action: 404 when out of scope, 403 when read-only.

Pairings are changed with the "change" action (arranging who befriends whom is the
department's decision); contact logs and requests with "record" (their models say so
with scope_change_action), which village liaisons hold too.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tongzhan.core.scope import OutOfScope, ReadOnly, access_object, grants, user_assignments

from .models import ContactLog, Pairing, Request


def _access(queryset, user, pk, action):
    try:
        return access_object(queryset, user, pk, action)
    except OutOfScope as exc:
        raise Http404 from exc
    except ReadOnly as exc:
        raise PermissionDenied(str(exc)) from exc


def access_pairing(user, pk: int, action: str = "view") -> Pairing:
    return _access(Pairing.objects.select_related("person", "cadre"), user, pk, action)


def access_contact_log(user, pk: int, action: str = "view") -> ContactLog:
    return _access(ContactLog.objects.select_related("region"), user, pk, action)


def access_request(user, pk: int, action: str = "view") -> Request:
    return _access(Request.objects.select_related("person", "region"), user, pk, action)


def holds(user, action: str) -> bool:
    """The user holds `action` somewhere (shows a page or a button at all)."""
    return any(grants(a, action) for a in user_assignments(user))
