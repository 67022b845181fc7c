"""Person lists: the scoped list with its filters, and totals for upper levels."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from tongzhan.accounts.roles import EXPORT, VIEW_STATS
from tongzhan.core.choices import Category
from tongzhan.core.scope import grants, user_assignments

from .. import stats
from ..access import can_create, can_view_any, require
from ..filters import PAGE_SIZE, find_people, search_kind
from ..models import SavedFilter

__all__ = ["PAGE_SIZE", "person_list", "person_stats"]


@login_required
def person_list(request):
    require(can_view_any(request.user))
    results = find_people(request.user, request.GET, request.GET.get("page"))
    form = results.form
    # As the user types in the search box, htmx asks for the results alone; going back
    # to a page htmx no longer holds asks for the whole page again (history restore).
    partial = request.htmx and not request.htmx.history_restore_request
    template = "people/includes/person_results.html" if partial else "people/person_list.html"
    response = render(
        request,
        template,
        {
            "results": results,
            "page": results.page,
            "filters": form,
            "query": form.query_string() if form.is_valid() else "",
            "search_kind": search_kind(form.cleaned_data.get("q", "")),
            "saved_filters": SavedFilter.objects.filter(user=request.user),
            "can_create": can_create(request.user),
            "can_export": request.user.has_job(EXPORT),
            "only_lines": only_lines(request.user),
            "partial": partial,  # the export button then comes out of band (export_link.html)
        },
    )
    patch_vary_headers(response, ("HX-Request",))  # one URL, two answers: caches must tell
    return response


def only_lines(user) -> list[str]:
    """The categories a line-restricted user sees (成员单位联络人), for a note on the list:
    its counts per category are of those persons only. Empty when any assignment that
    grants "view" has no line (the user sees every category somewhere)."""
    viewing = [a for a in user_assignments(user) if grants(a, "view")]
    if not viewing or any(not a.lines for a in viewing):
        return []
    codes = sorted({code for a in viewing for code in a.lines})
    return [str(Category(code).label) for code in codes]


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
