"""One person: detail, create, edit, delete, phone reveal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhan.accounts.roles import UNMASK, VIEW_SENSITIVE
from tongzhan.core.scope import OutOfScope, ReadOnly

from .. import services
from ..access import access_person, can_change, can_create, require
from ..forms import PersonForm
from ..models import Person


@login_required
def person_detail(request, pk):
    person = access_person(request.user, pk)
    user = request.user
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "can_change": can_change(user, person),
            "show_sensitive": user.has_job(VIEW_SENSITIVE),
            "can_unmask": user.has_job(UNMASK),
        },
    )


@login_required
def person_create(request):
    require(can_create(request.user))
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.do_create_person(request.user, _person_data(form))
        except OutOfScope:
            form.add_error(None, _("该记录不在您的管辖范围（区域或条线）内，未保存。"))
        else:
            messages.success(request, _("已新增统战对象 %(name)s。") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request, pk):
    person = access_person(request.user, pk, "change")
    initial = _initial(person)
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            expected = form.cleaned_data.get("version") or person.version
            services.do_update_person(request.user, person, _person_data(form), expected)
        except services.VersionConflict as exc:
            form.add_error(None, str(exc))
        except OutOfScope:
            form.add_error("region", _("不能把记录移出您的管辖范围。"))
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


def _initial(person: Person) -> dict:
    return {
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "region": person.region,
        "categories": person.category_codes(),
        "status": person.status,
        "status_date": person.status_date,
        "phone": person.phone,
        "ethnicity": person.ethnicity,
        "political_status": person.political_status,
        "version": person.version,
    }


def _person_data(form: PersonForm) -> dict:
    """Cleaned values for the service; fields the user may not see are left untouched."""
    return {k: v for k, v in form.cleaned_data.items() if k in form.fields and k != "version"}


@login_required
def person_delete(request, pk):
    person = access_person(request.user, pk, "change")
    if request.method == "POST":
        services.do_delete_person(request.user, person)
        messages.success(request, _("已删除统战对象 %(name)s。") % {"name": person.name})
        return redirect("people:list")
    return render(request, "people/person_confirm_delete.html", {"person": person})


@login_required
@require_POST
def person_reveal_phone(request, pk):
    person = access_person(request.user, pk)
    try:
        with transaction.atomic():
            phone = services.do_reveal_phone(request.user, person)
    except ReadOnly as exc:
        return HttpResponse(str(exc), status=403)
    return HttpResponse(format_html('<span class="masked" data-testid="phone">{}</span>', phone))
