"""联谊交友 pages: my friends, the unit's pairings (filter, counts, ledger export), one
pairing (create, edit, end, delete), the county settings, and the block on a person's page.

Pages a user's roles do not open answer 404; a pairing out of scope 404; read-only 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _

from tongzhan.core.scope import OutOfScope
from tongzhan.ledgers.views.exports import XLSX, file_response
from tongzhan.people.access import access_person, can_change

from ..access import access_pairing, holds
from ..models import ContactLog, EngagementSettings, Pairing
from ..pairing_export import can_export, export_pairings
from ..pairing_forms import PairingEditForm, PairingEndForm, PairingForm, SettingsForm
from ..pairing_queries import decorate, filtered, find_pairings, my_pairings, scope_cadres
from ..services import pairings as services
from ..services.settings import SettingsError, can_manage_settings, do_update_settings


def require(condition: bool) -> None:
    if not condition:
        raise Http404


def contact_create_url() -> str | None:
    """Where "log a contact" goes (the contacts pages); None until they exist."""
    try:
        return reverse("engagement:contact_create")
    except NoReverseMatch:
        return None


def _url_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- lists ------------------------------------------------------------------------------------


@login_required
def pairing_mine(request):
    """我的朋友: the logged-in cadre's open pairings, most urgent first."""
    require(holds(request.user, "view"))
    rows = decorate(my_pairings(request.user))
    return render(
        request,
        "engagement/pairing_mine.html",
        {
            "rows": rows,
            "overdue": sum(1 for p in rows if p.state == "overdue"),
            "due_soon": sum(1 for p in rows if p.state == "due_soon"),
            "contact_url": contact_create_url(),
        },
    )


@login_required
def pairing_list(request):
    """The unit's page: every pairing in the user's scope, filtered, with the counts."""
    user = request.user
    require(holds(user, "view"))
    results = find_pairings(user, request.GET, request.GET.get("page"))
    results.form.fields["cadre"].widget.choices = _cadre_choices(user)
    return render(
        request,
        "engagement/pairing_list.html",
        {
            "results": results,
            "page": results.page,
            "filters": results.form,
            "counts": results.counts,
            "can_create": holds(user, "change"),
            "can_export": can_export(user),
            "can_settings": can_manage_settings(user),
        },
    )


def _cadre_choices(user):
    from ..pairing_forms import cadre_label

    return [("", _("全部干部")), *[(c.pk, cadre_label(c)) for c in scope_cadres(user)]]


@login_required
def pairing_export(request):
    """The 联谊交友台账 of the list's current filter (xlsx, watermarked, audited)."""
    user = request.user
    require(can_export(user) and holds(user, "view"))
    pairings, form, _counts = filtered(user, request.GET)
    if pairings is None:
        messages.error(request, _("筛选条件有误，未导出。"))
        return redirect(f"{reverse('engagement:pairing_list')}?{request.GET.urlencode()}")
    logged = {k: v for k, v in form.cleaned_data.items() if v not in ("", None, False)}
    path_, name = export_pairings(
        user, pairings, filters=logged, region_code=form.cleaned_data.get("region", "")
    )
    return file_response(path_, name, XLSX)


# --- one pairing ----------------------------------------------------------------------------------


@login_required
def pairing_detail(request, pk):
    user = request.user
    pairing = decorate([access_pairing(user, pk)])[0]
    logs = (
        ContactLog.objects.restrict(user, "view")
        .filter(
            persons=pairing.person_id,
            cadres=pairing.cadre_id,
            happened_on__gte=pairing.start_date,
        )
        .order_by("-happened_on", "-pk")[:20]
    )
    return render(
        request,
        "engagement/pairing_detail.html",
        {
            "pairing": pairing,
            "logs": logs,
            "can_change": Pairing.objects.restrict(user, "change").filter(pk=pk).exists(),
            "contact_url": contact_create_url(),
            "has_contact_detail": _url_or_none("engagement:contact_detail", 1) is not None,
        },
    )


@login_required
def pairing_create(request):
    user = request.user
    require(holds(user, "change"))
    initial = {}
    if request.GET.get("person", "").isdigit():
        # Coming from a person's page: that person must be one the user may pair.
        initial["person"] = access_person(user, int(request.GET["person"]), "change").pk
    form = PairingForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pairing = services.do_create_pairing(
                user,
                cadre=data["cadre"],
                person=data["person"],
                start_date=data["start_date"],
                interval_months=data.get("interval_months"),
                notes=data.get("notes", ""),
            )
        except services.PairingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        except OutOfScope:
            form.add_error("person", _("该交友对象不在您的管辖范围内。"))
        else:
            messages.success(request, _("已建立结对。"))
            return redirect("engagement:pairing_detail", pk=pairing.pk)
    return render(request, "engagement/pairing_form.html", {"form": form, "pairing": None})


@login_required
def pairing_edit(request, pk):
    pairing = access_pairing(request.user, pk, "change")
    initial = {
        "start_date": pairing.start_date,
        "interval_months": pairing.interval_months,
        "notes": pairing.notes,
        "version": pairing.version,
    }
    form = PairingEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.do_update_pairing(request.user, pairing, data, version)
        except services.VersionConflict as exc:
            form.add_error(None, str(exc))
        except services.PairingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("engagement:pairing_detail", pk=pk)
    return render(request, "engagement/pairing_form.html", {"form": form, "pairing": pairing})


@login_required
def pairing_end(request, pk):
    pairing = access_pairing(request.user, pk, "change")
    form = PairingEndForm(request.POST or None, initial={"version": pairing.version})
    if pairing.end_date is not None:
        messages.info(request, _("此结对已经结束。"))
        return redirect("engagement:pairing_detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_end_pairing(
                request.user, pairing, data["end_date"], data["reason"], data.get("version")
            )
        except services.VersionConflict as exc:
            form.add_error(None, str(exc))
        except services.PairingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("结对已结束。"))
            return redirect("engagement:pairing_detail", pk=pk)
    return render(request, "engagement/pairing_end.html", {"form": form, "pairing": pairing})


@login_required
def pairing_delete(request, pk):
    pairing = access_pairing(request.user, pk, "change")
    error = ""
    if request.method == "POST":
        try:
            services.do_delete_pairing(request.user, pairing)
        except services.PairingError as exc:
            error = str(exc)
        else:
            messages.success(request, _("已删除结对。"))
            return redirect("engagement:pairing_list")
    return render(
        request, "engagement/pairing_confirm_delete.html", {"pairing": pairing, "error": error}
    )


# --- the person's page: its pairings (loaded into people/person_detail.html by htmx) ------------


@login_required
def person_pairings(request, pk):
    user = request.user
    person = access_person(user, pk)
    pairings = Pairing.objects.restrict(user, "view").filter(person=person)
    rows = decorate(
        pairings.select_related("cadre", "person").prefetch_related("person__categories")
    )
    may_pair = person.is_representative and holds(user, "change") and can_change(user, person)
    return render(
        request,
        "engagement/includes/person_pairings.html",
        {"person": person, "rows": rows, "may_pair": may_pair},
    )


# --- county settings ----------------------------------------------------------------------------


@login_required
def pairing_settings(request):
    require(can_manage_settings(request.user))
    settings = EngagementSettings.current()
    form = SettingsForm(settings=settings)
    return render(
        request,
        "engagement/pairing_settings.html",
        {"settings": settings, "form": form, "categories": form.category_fields()},
    )


@login_required
def pairing_settings_edit(request):
    require(can_manage_settings(request.user))
    settings = EngagementSettings.current()
    form = SettingsForm(request.POST or None, settings=settings)
    if request.method == "POST" and form.is_valid():
        try:
            _saved, moved = do_update_settings(
                request.user, form.service_data(), form.cleaned_data["version"]
            )
        except services.VersionConflict as exc:
            form.add_error(None, str(exc))
        except SettingsError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(
                request, _("设置已保存，%(n)d 个结对的下次应联系日期已重新计算。") % {"n": moved}
            )
            return redirect("engagement:pairing_settings")
    return render(
        request,
        "engagement/pairing_settings_form.html",
        {"form": form, "main": form.main_fields(), "categories": form.category_fields()},
    )


urlpatterns = [
    path("pairings/", pairing_list, name="pairing_list"),
    path("pairings/mine/", pairing_mine, name="pairing_mine"),
    path("pairings/new/", pairing_create, name="pairing_create"),
    path("pairings/export/", pairing_export, name="pairing_export"),
    path("pairings/settings/", pairing_settings, name="pairing_settings"),
    path("pairings/settings/edit/", pairing_settings_edit, name="pairing_settings_edit"),
    path("pairings/person/<int:pk>/", person_pairings, name="person_pairings"),
    path("pairings/<int:pk>/", pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/edit/", pairing_edit, name="pairing_edit"),
    path("pairings/<int:pk>/end/", pairing_end, name="pairing_end"),
    path("pairings/<int:pk>/delete/", pairing_delete, name="pairing_delete"),
]
