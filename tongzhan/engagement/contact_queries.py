"""Reading contact logs: the filtered list (page and API), one log with what its page shows,
and the persons a viewer may see named in them.

Every query starts from `ContactLog.objects.restrict(user, "view")`. A log is placed by its
first person's region, so it can name a person the viewer may not see (a county cadre who
met persons of two townships at once): such persons are not named to the viewer, only
counted.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch

from tongzhan.lib import divisioncode
from tongzhan.people.models import Person

from .models import ContactLog

PAGE_SIZE = 30
PERSON_FIELDS = ("id", "name", "region_id", "region__name")


def filter_logs(user, data: dict):
    """The logs in the user's view scope that match cleaned ContactFilterForm data."""
    logs = ContactLog.objects.restrict(user, "view")
    if data.get("mode"):
        logs = logs.filter(mode=data["mode"])
    if data.get("region"):
        low, high = divisioncode.subtree_range(data["region"])
        logs = logs.filter(region_id__gte=low, region_id__lte=high)
    if data.get("date_from"):
        logs = logs.filter(happened_on__gte=data["date_from"])
    if data.get("date_to"):
        logs = logs.filter(happened_on__lte=data["date_to"])
    if data.get("person"):
        # Only a person the user may see: a log in scope may name one it may not, and
        # filtering on that person would tell who met whom.
        visible = Person.objects.restrict(user, "view").filter(pk=data["person"])
        logs = logs.filter(persons__in=visible)
    if data.get("cadre"):
        logs = logs.filter(cadres=data["cadre"])
    if data.get("late"):
        logs = logs.filter(is_late=True)
    return logs


def with_related(logs):
    """What a list row shows, in a fixed number of queries whatever the page size."""
    return (
        logs.select_related("region", "created_by")
        .prefetch_related(
            Prefetch(
                "persons",
                queryset=Person.objects.select_related("region")
                .only(*PERSON_FIELDS)
                .order_by("pk"),
            ),
            "cadres",
        )
        .annotate(attachment_count=Count("attachments", distinct=True))
    )


def page_of(user, data: dict, number):
    logs = filter_logs(user, data).order_by("-happened_on", "-pk")
    paginator = Paginator(logs.values_list("pk", flat=True), PAGE_SIZE)
    page = paginator.get_page(number)
    ids = list(page.object_list)
    rows = with_related(ContactLog.objects.filter(pk__in=ids)).in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    mark_visible_persons(user, page.object_list)
    return page


def mark_visible_persons(user, logs) -> None:
    """Give each log `shown_persons` (the persons the user may see) and `hidden_persons`
    (how many more it names): one query for all the logs."""
    every = {p.pk for log in logs for p in log.persons.all()}
    visible = set(
        Person.objects.restrict(user, "view").filter(pk__in=every).values_list("pk", flat=True)
    )
    for log in logs:
        persons = list(log.persons.all())
        log.shown_persons = [p for p in persons if p.pk in visible]
        log.hidden_persons = len(persons) - len(log.shown_persons)


def revisions_for(user, log: ContactLog) -> list[dict]:
    """The log's revisions as the user may read them: the persons each named that the user
    cannot see are left out (counted in `hidden_persons`), the mode given its label."""
    from .choices import ContactMode

    revisions = list(log.revisions.all())
    named = {p["id"] for rev in revisions for p in rev.data.get("persons", [])}
    visible = set(
        Person.objects.restrict(user, "view").filter(pk__in=named).values_list("pk", flat=True)
    )
    rows = []
    for rev in revisions:
        data = dict(rev.data)
        persons = data.get("persons", [])
        data["persons"] = [p for p in persons if p["id"] in visible]
        mode = data.get("mode", "")
        rows.append(
            {
                "version": rev.version,
                "edited_at": rev.edited_at,
                "edited_by": str(rev.edited_by) if rev.edited_by else None,
                "data": data,
                "hidden_persons": len(persons) - len(data["persons"]),
                "mode_label": ContactMode(mode).label if mode in ContactMode.values else mode,
            }
        )
    return rows
