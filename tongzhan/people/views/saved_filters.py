"""Saved filters: a user keeps named searches of the person list as quick links."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..access import can_view_any, require
from ..filters import PersonFilterForm
from ..models import SavedFilter


@login_required
@require_POST
def saved_filter_create(request):
    require(can_view_any(request.user))
    name = " ".join(request.POST.get("name", "").split())
    form = PersonFilterForm(QueryDict(request.POST.get("query", "")), user=request.user)
    query = form.query_string() if form.is_valid() else ""
    if not name or len(name) > 50:
        messages.error(request, _("常用筛选的名称应为 1–50 个字。"))
    elif not query:
        messages.error(request, _("没有可保存的筛选条件。"))
    else:
        try:
            services.do_save_filter(request.user, name, query)
        except services.SavedFilterError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已保存常用筛选“%(name)s”。") % {"name": name})
    return redirect(_list_url(query))


@login_required
@require_POST
def saved_filter_delete(request, pk):
    saved = SavedFilter.objects.filter(pk=pk, user=request.user).first()
    if saved is None:
        raise Http404  # another user's filter is as missing as one that does not exist
    services.do_delete_saved_filter(request.user, saved)
    messages.success(request, _("已删除常用筛选“%(name)s”。") % {"name": saved.name})
    return redirect("people:list")


def _list_url(query: str) -> str:
    url = reverse("people:list")
    return f"{url}?{query}" if query else url


__all__ = ["saved_filter_create", "saved_filter_delete"]
