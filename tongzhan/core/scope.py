"""The one data-scope rule (条块结合): `restrict(user, action)` on every scoped manager.

A user's scope is the union of its role assignments. Each assignment grants
actions (by its role) over a region subtree (块: a code range) and, for
line-restricted roles, a set of categories (条). A scoped model says how it
reaches a region code and, where it has one, a line; nothing else decides
who sees what.

Actions:
- "view"      see the record and its details
- "change"    create, edit or delete the record
- "aggregate" count it in totals (upper levels see totals, not details)
- "record"    log the work done with the persons (contact logs, requests): a village
              liaison records contacts with persons it may only view. A model whose
              "change" means recording work says so with `scope_change_action = "record"`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from tongzhan.lib import divisioncode

if TYPE_CHECKING:
    from tongzhan.accounts.models import RoleAssignment

ACTIONS = ("view", "change", "aggregate", "record")


class OutOfScope(Exception):
    """The object is not in the user's scope for this action (answer 404)."""


class ReadOnly(Exception):
    """The user may see the object but not change it (answer 403)."""


def user_assignments(user) -> list[RoleAssignment]:
    """The user's active assignments, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_scope_assignments", None)
    if cached is None:
        cached = list(user.role_assignments.filter(active=True).select_related("region"))
        user._scope_assignments = cached
    return cached


def grants(assignment: RoleAssignment, action: str) -> bool:
    from tongzhan.accounts.roles import ROLES

    return action in ROLES[assignment.role].data_actions


class ScopedQuerySet(models.QuerySet):
    """Querysets of scoped models. Subclasses' models define `scope_region_field`
    (path to a region code) and, when they have a line, `scope_line_q(lines)`."""

    def restrict(self, user, action: str):
        if action not in ACTIONS:
            raise ValueError(f"unknown scope action {action!r}")
        condition = scope_condition(self.model, user, action)
        if condition is None:
            return self.none()
        return self.filter(condition)


def scope_condition(model, user, action: str) -> Q | None:
    """The OR of every assignment's (region range AND line) condition; None if none."""
    region_field = model.scope_region_field
    if action == "change":
        action = getattr(model, "scope_change_action", "change")
    condition: Q | None = None
    for assignment in user_assignments(user):
        if not grants(assignment, action):
            continue
        low, high = divisioncode.subtree_range(assignment.region_id)
        part = Q(**{f"{region_field}__gte": low, f"{region_field}__lte": high})
        if assignment.lines:
            part &= model.scope_line_q(assignment.lines)
        condition = part if condition is None else condition | part
    return condition


def check_in_scope(model, user, pk, action: str) -> None:
    """Raise OutOfScope unless the object is within the user's scope for `action`.

    The do_* writers call this inside their transaction after the write, so a
    change that would move a record out of the writer's scope rolls back.
    """
    if not model.objects.restrict(user, action).filter(pk=pk).exists():
        raise OutOfScope(f"{model.__name__} {pk} is outside the user's {action} scope")


def access_object(queryset_or_model, user, pk, action: str = "view"):
    """Fetch one object for `action`: OutOfScope (→404) when the user cannot see it,
    ReadOnly (→403) when it can see it but not perform `action`."""
    model = getattr(queryset_or_model, "model", queryset_or_model)
    base = queryset_or_model if hasattr(queryset_or_model, "model") else model.objects.all()
    obj = base.restrict(user, "view").filter(pk=pk).first()
    if obj is None:
        raise OutOfScope(f"{model.__name__} {pk}")
    if action != "view" and not model.objects.restrict(user, action).filter(pk=pk).exists():
        raise ReadOnly(f"{model.__name__} {pk} is read-only for this user")
    return obj


def regions_for(user, action: str):
    """Regions the user may file records under for `action` (form choices, imports)."""
    from .models import Region

    condition: Q | None = None
    for assignment in user_assignments(user):
        if grants(assignment, action):
            low, high = divisioncode.subtree_range(assignment.region_id)
            part = Q(code__gte=low, code__lte=high)
            condition = part if condition is None else condition | part
    if condition is None:
        return Region.objects.none()
    return Region.objects.filter(condition)
