"""Request (诉求/实事) pages: list with filters and the 台账 export, detail with the steps,
raise, advance one step, edit, delete. Out of scope answers 404, read-only 403; pages a
user's roles do not open at all answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhan.core.scope import OutOfScope, ReadOnly
from tongzhan.ledgers.exports import audit_filters, download_name
from tongzhan.ledgers.views.exports import XLSX, file_response

from .. import requests_export
from .. import requests_query as rq
from ..access import access_request, holds
from ..choices import NEXT_STATE, OPEN_STATES, RequestState
from ..models import Request
from ..requests_forms import (
    AdvanceForm,
    RequestCreateForm,
    RequestEditForm,
    find_requests,
)
from ..services import requests as services

PICKER_LIMIT = 20


def require(condition: bool) -> None:
    if not condition:
        raise Http404


def show_error(form, exc: services.RequestError) -> None:
    """A service's refusal under its field, or above the form when the field is hidden."""
    field = form.fields.get(exc.field)
    visible = field is not None and not field.widget.is_hidden
    form.add_error(exc.field if visible else None, exc.message)


def can_record(user, request_obj: Request) -> bool:
    return Request.objects.restrict(user, "change").filter(pk=request_obj.pk).exists()


def contact_log_url(request_obj: Request) -> str:
    """The source contact log's page; "" until that page exists or when there is none."""
    if not request_obj.contact_log_id:
        return ""
    try:
        return reverse("engagement:contact_detail", args=[request_obj.contact_log_id])
    except NoReverseMatch:
        return ""


@login_required
def request_list(request):
    user = request.user
    require(holds(user, "view"))
    results = find_requests(user, request.GET, request.GET.get("page") or 1)
    return render(
        request,
        "engagement/request_list.html",
        {
            "results": results,
            "page": results.page,
            "filters": results.form,
            "flag_labels": rq.FLAG_LABELS,
            "flag_badges": rq.FLAG_BADGES,
            "can_create": holds(user, "record"),
            "can_export": requests_export.can_export(user),
        },
    )


@login_required
def request_export(request):
    """The 诉求办理台账 of the list's current filter, as xlsx."""
    user = request.user
    require(requests_export.can_export(user))
    results = find_requests(user, request.GET)
    if results.queryset is None:
        messages.error(request, _("筛选条件有误，请先在列表中修正。"))
        return redirect(reverse("engagement:request_list") + "?" + request.GET.urlencode())
    region = results.form.cleaned_data.get("region", "")
    path_, meta = requests_export.export_requests(
        user,
        results.queryset,
        filters=audit_filters(results.form),
        region_code=region,
    )
    return file_response(path_, download_name(meta), XLSX)


@login_required
def request_detail(request, pk):
    user = request.user
    obj = access_request(user, pk)
    steps = obj.steps.select_related("acted_by").order_by("acted_on", "acted_at", "pk")
    today = timezone.localdate()
    flag = rq.flag_of(obj, today)
    changeable = can_record(user, obj)
    return render(
        request,
        "engagement/request_detail.html",
        {
            "obj": obj,
            "steps": list(steps),
            "flag": flag,
            "flag_label": rq.FLAG_LABELS.get(flag, ""),
            "flag_badge": rq.FLAG_BADGES.get(flag, ""),
            "next_state": NEXT_STATE.get(RequestState(obj.state)),
            "can_change": changeable,
            "can_edit": changeable and obj.closed_on is None,
            "can_delete": changeable and obj.state == RequestState.RECEIVED,
            "contact_log_url": contact_log_url(obj),
            "open": obj.state in OPEN_STATES,
        },
    )


def person_choices(user, q: str):
    """Persons the user may raise a request for, matching the search box."""
    from tongzhan.people.models import Person
    from tongzhan.people.search import search_q

    condition = search_q(q)
    if condition is None:
        return []
    persons = Person.objects.restrict(user, "record").filter(condition)
    return list(persons.select_related("region").order_by("name_pinyin", "pk")[:PICKER_LIMIT])


def chosen_person(user, pk):
    """The person picked on the form: visible or 404 (the service checks "record")."""
    from tongzhan.people.access import access_person

    try:
        return access_person(user, int(pk))
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


@login_required
def request_create(request):
    user = request.user
    require(holds(user, "record"))
    posted = request.POST if request.method == "POST" else None
    form = RequestCreateForm(posted, initial={"person": request.GET.get("person")})
    picked = form.data.get("person") if posted else request.GET.get("person")
    person = chosen_person(user, picked) if picked else None
    if posted is not None and form.is_valid():
        created = _create(request, form, person)
        if created is not None:
            messages.success(request, _("已登记诉求“%(t)s”。") % {"t": created.title})
            return redirect("engagement:request_detail", pk=created.pk)
    q = request.GET.get("q", "").strip()[:50]
    return render(
        request,
        "engagement/request_create.html",
        {
            "form": form,
            "person": person,
            "q": q,
            "matches": person_choices(user, q) if q and person is None else [],
        },
    )


def _create(request, form, person):
    data = form.cleaned_data
    if person is None:
        form.add_error(None, _("请先选择诉求人。"))
        return None
    try:
        return services.do_create_request(
            request.user,
            person=person,
            title=data["title"],
            category=data["category"],
            raised_on=data["raised_on"],
            description=data["description"],
            deadline=data["deadline"],
        )
    except ReadOnly as exc:
        raise PermissionDenied(str(exc)) from exc
    except OutOfScope as exc:
        raise Http404 from exc
    except services.RequestError as exc:
        show_error(form, exc)
    return None


@login_required
def request_advance(request, pk):
    user = request.user
    obj = access_request(user, pk, "change")
    if obj.state not in NEXT_STATE:
        messages.info(request, _("该诉求已回访，办理已结束。"))
        return redirect("engagement:request_detail", pk=obj.pk)
    posted = request.POST if request.method == "POST" else None
    form = AdvanceForm(posted, request_obj=obj, user=user)
    if posted is not None and form.is_valid():
        try:
            services.do_advance_request(user, obj, **form.service_kwargs())
        except services.RequestError as exc:
            show_error(form, exc)
        except services.RequestConflict as exc:
            form.add_error(None, str(exc))
        else:
            label = RequestState(form.cleaned_data["to_state"]).label
            messages.success(request, _("已转为“%(s)s”。") % {"s": label})
            return redirect("engagement:request_detail", pk=obj.pk)
    return render(
        request,
        "engagement/request_advance.html",
        {"obj": obj, "form": form, "next_label": RequestState(form.next_state).label},
    )


@login_required
def request_edit(request, pk):
    user = request.user
    obj = access_request(user, pk, "change")
    initial = {
        "title": obj.title,
        "category": obj.category,
        "deadline": obj.deadline,
        "description": obj.description,
        "version": obj.version,
    }
    if obj.closed_on is not None:
        messages.error(request, _("诉求已办结，不能再修改。"))
        return redirect("engagement:request_detail", pk=obj.pk)
    form = RequestEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.do_update_request(user, obj, data, version)
        except services.RequestError as exc:
            show_error(form, exc)
        except services.RequestConflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("engagement:request_detail", pk=obj.pk)
    return render(request, "engagement/request_edit.html", {"obj": obj, "form": form})


@login_required
def request_delete(request, pk):
    user = request.user
    obj = access_request(user, pk, "change")
    error = ""
    if request.method == "POST":
        try:
            services.do_delete_request(user, obj)
        except services.RequestError as exc:
            error = exc.message
        else:
            messages.success(request, _("已删除诉求“%(t)s”。") % {"t": obj.title})
            return redirect("engagement:request_list")
    return render(request, "engagement/request_confirm_delete.html", {"obj": obj, "error": error})


urlpatterns = [
    path("requests/", request_list, name="request_list"),
    path("requests/export.xlsx", request_export, name="request_export"),
    path("requests/new/", request_create, name="request_create"),
    path("requests/<int:pk>/", request_detail, name="request_detail"),
    path("requests/<int:pk>/advance/", request_advance, name="request_advance"),
    path("requests/<int:pk>/edit/", request_edit, name="request_edit"),
    path("requests/<int:pk>/delete/", request_delete, name="request_delete"),
]
