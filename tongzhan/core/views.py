"""Region pages for the 系统管理员: browse the tree, and import the yearly list.

The import is two steps: upload → a preview of every change and every error, with
nothing written → confirm, which writes it all in one transaction. The checked
rows wait in the session between the two steps, under a one-time token.
"""

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from tongzhan.accounts.roles import MANAGE_REGIONS
from tongzhan.lib import divisioncode

from .choices import RegionLevel
from .forms import RegionImportForm, RegionSearchForm
from .models import Region
from .regioncsv import RegionRow
from .services import RegionImportError, do_import_regions, plan_region_import

SESSION_KEY = "core.region_import"
SEARCH_LIMIT = 100
PREVIEW_LIMIT = 500


def region_manager_required(view):
    """Pages of the 系统管理员 job; for everyone else they do not exist (404)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_job(MANAGE_REGIONS):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@region_manager_required
def region_list(request):
    code = request.GET.get("code", "").strip()
    node = None
    if code:
        if not divisioncode.is_valid(code):
            raise Http404
        node = get_object_or_404(Region, code=code)
    children = node.children.all() if node else Region.objects.roots()
    search = RegionSearchForm(request.GET or None)
    context = {
        "node": node,
        "ancestors": node.ancestors() if node else [],
        "children": children.annotate(child_count=Count("children")).order_by("code"),
        "below": _counts_below(node) if node else [],
        "search": search,
        "results": _search(search),
        "search_limit": SEARCH_LIMIT,
    }
    return render(request, "core/region_list.html", context)


def _counts_below(node: Region) -> list[dict]:
    rows = (
        Region.objects.within(node.code)
        .exclude(code=node.code)
        .values("level")
        .annotate(n=Count("code"), retired=Count("code", filter=Q(retired=True)))
        .order_by("level")
    )
    return [{**row, "label": RegionLevel(row["level"]).label} for row in rows]


def _search(form: RegionSearchForm):
    if not form.is_bound or not form.is_valid() or not form.cleaned_data["q"]:
        return None
    q = form.cleaned_data["q"].strip()
    regions = (
        Region.objects.filter(code__startswith=q)
        if q.isdigit()
        else Region.objects.filter(name__contains=q)
    )
    return list(regions.select_related("parent").order_by("code")[: SEARCH_LIMIT + 1])


@region_manager_required
def region_import(request):
    step = request.POST.get("step", "upload") if request.method == "POST" else ""
    if step == "confirm":
        return _confirm(request)
    if step == "cancel":
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("已取消导入，未写入任何数据。"))
        return redirect("core:region_import")
    form = RegionImportForm(request.POST or None, request.FILES or None)
    if step == "upload" and form.is_valid():
        data = form.cleaned_data
        plan = plan_region_import(form.parsed, data["year"], partial=data["partial"])
        token = ""
        request.session.pop(SESSION_KEY, None)
        if plan.ok and plan.rows:
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {
                "token": token,
                "rows": [row.to_json() for row in form.parsed.rows],
                "year": plan.year,
                "partial": plan.partial,
                "source": data["file"].name[:100],
            }
        return _preview(request, plan, token, data["file"].name)
    return render(request, "core/region_import.html", {"form": form})


def _preview(request, plan, token: str, source: str, status: int = 200):
    context = {
        "plan": plan,
        "token": token,
        "source": source,
        "counts": plan.counts(),
        "changes": plan.changes[:PREVIEW_LIMIT],
        "preview_limit": PREVIEW_LIMIT,
    }
    return render(request, "core/region_import_preview.html", context, status=status)


def _confirm(request):
    stored = request.session.get(SESSION_KEY)
    token = request.POST.get("token", "")
    if not stored or not constant_time_compare(stored["token"], token):
        messages.error(request, _("导入预览已失效或已使用，请重新上传文件。"))
        return redirect("core:region_import")
    request.session.pop(SESSION_KEY)
    rows = [RegionRow.from_json(row) for row in stored["rows"]]
    try:
        plan = do_import_regions(
            request.user, rows, stored["year"], partial=stored["partial"], source=stored["source"]
        )
    except RegionImportError as exc:
        # The tree changed between the preview and the confirmation.
        messages.error(request, _("区划数据在预览后已发生变化，未写入任何数据，请核对后重新上传。"))
        return _preview(request, exc.plan, "", stored["source"])
    messages.success(request, _("区划已导入：%(s)s。") % {"s": plan.summary()})
    target = reverse("core:region_list")
    return redirect(f"{target}?code={plan.roots[0]}" if plan.roots else target)
