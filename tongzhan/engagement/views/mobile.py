"""Phone pages for 村联络员 and 乡镇统战委员 (375 px wide): the friends due soon, my open
requests, and a contact logged in half a minute (find the person by initials, tap a
mode, say a few words, take a photo, save)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from tongzhan.core.scope import OutOfScope, ReadOnly
from tongzhan.people.access import require

from ..access import access_contact_log, holds
from ..choices import OPEN_STATES
from ..contact_forms import QuickLogForm
from ..contact_queries import mark_visible_persons
from ..models import Pairing, Request
from ..services import contacts as services
from .contacts import _saved_message, chosen_persons, load_log, posted_ids, request_url

DUE_WITHIN_DAYS = 14
OPEN_REQUESTS_SHOWN = 20


def due_pairings(user, today):
    """The user's own open pairings due within two weeks (or overdue), soonest first."""
    return (
        Pairing.objects.restrict(user, "view")
        .filter(cadre=user, end_date__isnull=True)
        .filter(next_due_on__lte=today + timedelta(days=DUE_WITHIN_DAYS))
        .select_related("person", "person__region")
        .order_by("next_due_on", "pk")
    )


def my_open_requests(user):
    return (
        Request.objects.restrict(user, "view")
        .filter(Q(created_by=user) | Q(handler=user), state__in=OPEN_STATES)
        .select_related("person")
        .order_by("deadline", "pk")[:OPEN_REQUESTS_SHOWN]
    )


@login_required
def mobile_home(request):
    user = request.user
    require(holds(user, "record"))
    today = timezone.localdate()
    requests = [(r, request_url(r.pk)) for r in my_open_requests(user)]
    return render(
        request,
        "engagement/mobile_home.html",
        {"today": today, "due": list(due_pairings(user, today)), "requests": requests},
    )


@login_required
def mobile_log(request):
    user = request.user
    require(holds(user, "record"))
    chosen = chosen_persons(user, posted_ids(request) or posted_ids(request, "person"))
    if request.method != "POST":
        form = QuickLogForm(user=user)
        return _page(request, form, chosen)
    form = QuickLogForm(request.POST, request.FILES, user=user)
    if not form.is_valid():
        return _page(request, form, chosen)
    try:
        log = services.do_create_log(
            user, form.log_data(), uploads=form.cleaned_data.get("photo") or []
        )
    except services.ContactError as exc:
        form.add_service_errors(exc.errors)
        return _page(request, form, chosen)
    except OutOfScope as exc:
        raise Http404 from exc
    except ReadOnly as exc:
        raise PermissionDenied(str(exc)) from exc
    _saved_message(request, log)
    return redirect("engagement:mobile_saved", pk=log.pk)


def _page(request, form, chosen):
    return render(request, "engagement/mobile_log.html", {"form": form, "chosen": chosen})


@login_required
def mobile_saved(request, pk):
    log = load_log(access_contact_log(request.user, pk))
    mark_visible_persons(request.user, [log])
    return render(request, "engagement/mobile_saved.html", {"log": log})


urlpatterns = [
    path("m/", mobile_home, name="mobile_home"),
    path("m/log/", mobile_log, name="mobile_log"),
    path("m/saved/<int:pk>/", mobile_saved, name="mobile_saved"),
]
