"""Person lists: the scoped list with its filters, and totals for upper levels."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from tongzhan.accounts.roles import VIEW_STATS

from .. import stats
from ..access import can_create, can_view_any, require
from ..filters import filter_people
from ..forms import PersonFilterForm
from ..models import Person

PAGE_SIZE = 50


@login_required
def person_list(request):
    require(can_view_any(request.user))
    filters = PersonFilterForm(request.GET or None)
    people = Person.objects.restrict(request.user, "view")
    if filters.is_valid():
        people = filter_people(people, **filters.cleaned_data)
    people = people.select_related("region").prefetch_related("categories")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/person_list.html",
        {
            "page": page,
            "filters": filters,
            "can_create": can_create(request.user),
        },
    )


@login_required
def person_stats(request):
    require(request.user.has_job(VIEW_STATS))
    tables = [
        {"root": root, "rows": stats.totals_by_child(request.user, root)}
        for root in stats.aggregate_roots(request.user)
    ]
    return render(
        request,
        "people/person_stats.html",
        {
            "tables": tables,
            "category_headers": stats.category_headers(),
        },
    )
