"""Duplicates: the warning before a create, the find-duplicates page, and the merge page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongzhan.core.scope import OutOfScope

from .. import duplicates, merge
from ..access import access_person, can_view_any, require
from ..models import Person
from ..services import VersionConflict

GROUPS_PER_PAGE = 20


def unconfirmed_duplicates(request, data: dict) -> list[duplicates.Match]:
    """Likely duplicates of a new record, to show before saving; [] when there are none
    or the user ticked "仍然保存" (confirm_duplicate) after seeing them."""
    if request.POST.get("confirm_duplicate"):
        return []
    return duplicates.find_duplicates_for(data, request.user)


@login_required
def person_duplicates(request):
    """Groups of likely duplicates within the user's view scope, one kind per tab."""
    user = request.user
    require(can_view_any(user))
    kind = request.GET.get("kind")
    if kind not in duplicates.GROUP_KINDS:
        kind = duplicates.ID_NUMBER
    page, groups = duplicates.group_page(user, kind, request.GET.get("page"), GROUPS_PER_PAGE)
    _attach_merge_pairs(user, groups)
    tabs = [(code, label, code == kind) for code, label in duplicates.GROUP_KINDS.items()]
    return render(
        request,
        "people/duplicates.html",
        {"page": page, "groups": groups, "tabs": tabs, "kind": kind},
    )


def _attach_merge_pairs(user, groups) -> None:
    """group.rows: (member, the record to merge it with or None). Each changeable member
    after the first is paired with the group's first changeable one; the compare page
    chooses which record survives."""
    pks = {p.pk for g in groups for p in g.members}
    changeable = set(
        Person.objects.restrict(user, "change").filter(pk__in=pks).values_list("pk", flat=True)
    )
    for group in groups:
        mergeable = [p for p in group.members if p.pk in changeable]
        first = mergeable[0] if mergeable else None
        group.rows = [
            (p, first if p.pk in changeable and p != first else None) for p in group.members
        ]


# --- merge ------------------------------------------------------------------------------------


def merge_pair(user, keep_pk: int, remove_pk: int) -> tuple[Person, Person]:
    """Both records for a merge: 404 unless the user sees both, 403 unless it may change
    both (the same answer as for one record)."""
    if keep_pk == remove_pk:
        raise Http404
    keep, remove = access_person(user, keep_pk), access_person(user, remove_pk)
    changeable = Person.objects.restrict(user, "change").filter(pk__in=[keep_pk, remove_pk])
    if changeable.count() != 2:
        raise PermissionDenied(_("您没有修改这两条记录的权限。"))
    return keep, remove


@login_required
def person_merge(request, keep_pk, remove_pk):
    """Compare two records side by side; POST merges `remove` into `keep`."""
    user = request.user
    keep, remove = merge_pair(user, keep_pk, remove_pk)
    error = ""
    if request.method == "POST":
        kept, error = _merge_from_post(request, keep, remove)
        if kept is not None:
            messages.success(request, _("已合并为一条记录：%(name)s。") % {"name": kept.name})
            return redirect("people:detail", pk=kept.pk)
    context = {
        "keep": keep,
        "remove": remove,
        "rows": compare_rows(user, keep, remove),
        "linked": linked_counts(keep, remove),
        "error": error,
    }
    return render(request, "people/merge.html", context)


def _merge_from_post(request, keep: Person, remove: Person) -> tuple[Person | None, str]:
    names = merge.choosable_fields(request.user)
    choices = {n: request.POST[f"choice_{n}"] for n in names if f"choice_{n}" in request.POST}
    try:
        versions = (int(request.POST["keep_version"]), int(request.POST["remove_version"]))
    except (KeyError, ValueError):
        return None, _("提交的数据不完整，请刷新后重试。")
    try:
        kept = merge.do_merge_persons(request.user, keep, remove, choices, versions=versions)
    except (merge.MergeError, VersionConflict) as exc:
        return None, str(exc)
    except OutOfScope:
        return None, _("不能把记录移出您的管辖范围。")
    return kept, ""


def compare_rows(user, keep: Person, remove: Person) -> list[dict]:
    """One row per field and line profile that either record fills: both values, and a
    choice where they differ. Where only the removed record has a value, taking it is
    preselected; where only the kept one has, there is nothing to choose. A line profile
    is a choice only when both records have one."""
    rows = []
    profiles = merge.profile_names()
    for name in merge.choosable_fields(user):
        left, right = _raw(keep, name), _raw(remove, name)
        if _empty(left) and _empty(right):
            continue
        differ = left != right and not _empty(right)
        if name in profiles:  # a profile only one record has moves over anyway
            differ = not _empty(left) and not _empty(right)
        rows.append(
            {
                "name": name,
                "label": _label(name),
                "keep": _shown(keep, name),
                "remove": _shown(remove, name),
                "differ": differ,
                "default": merge.REMOVE if _empty(left) else merge.KEEP,
                "masked": name in merge.SECRET_FIELDS,
            }
        )
    return rows


def _empty(value) -> bool:
    return value in ("", None)


def _raw(person: Person, name: str):
    """The value compared: the blind index of a secret, a profile's presence."""
    if name in merge.SECRET_FIELDS:
        return getattr(person, f"{name}_index")
    if name in merge.profile_names():
        profile = getattr(person, name, None)
        return profile.pk if profile else None
    return getattr(person, Person._meta.get_field(name).attname)


def _shown(person: Person, name: str):
    if name in merge.SECRET_FIELDS:
        return getattr(person, f"{name}_masked")
    if name in merge.profile_names():
        profile = getattr(person, name, None)
        return str(profile or "") or (_("已填写") if profile else "")
    value = getattr(person, name)
    if name == "photo":
        return _("有照片") if value else ""
    display = getattr(person, f"get_{name}_display", None)
    if display and value not in ("", None):
        return display()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return "" if value is None else str(value)


def _label(name: str) -> str:
    profiles = {r.get_accessor_name(): r.related_model for r in merge.relations()}
    if name in profiles:
        return str(profiles[name]._meta.verbose_name)
    if name in merge.SECRET_FIELDS:
        return str(Person._meta.get_field(f"{name}_masked").verbose_name)
    return str(Person._meta.get_field(name).verbose_name)


def linked_counts(keep: Person, remove: Person) -> list[dict]:
    """Rows linked to each record that move to the survivor (categories and profiles have
    their own rows on the page)."""
    counts = []
    for rel in merge.relations():
        model = rel.related_model
        if model in merge.REBUILT_MODELS or model in merge.UNION_MODELS or rel.one_to_one:
            continue
        rows = model._base_manager.filter(**{f"{rel.field.name}__in": [keep.pk, remove.pk]})
        tally = {p: 0 for p in (keep.pk, remove.pk)}
        for pk in rows.values_list(rel.field.attname, flat=True):
            tally[pk] += 1
        if any(tally.values()):
            label = str(model._meta.verbose_name_plural)
            counts.append({"label": label, "keep": tally[keep.pk], "remove": tally[remove.pk]})
    return counts
