"""Contact log pages (联系记录): list, detail, create, edit, delete, attachments, and the
person picker other pages use too.

Out of scope answers 404 (a person or a log the user may not see), read-only 403; the
services decide what may be written and answer with field errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzhan.core.scope import OutOfScope, ReadOnly
from tongzhan.people.access import require
from tongzhan.people.filters import scoped_search
from tongzhan.people.models import Person

from .. import attachments as files
from ..access import access_contact_log, holds
from ..contact_forms import ContactFilterForm, ContactLogForm, FilesField
from ..contact_queries import mark_visible_persons, page_of, revisions_for
from ..models import Attachment, ContactLog
from ..services import contacts as services

PICKER_LIMIT = 20


def chosen_persons(user, ids) -> list[Person]:
    """The persons a form names, for its chips; 404 when any is not the user's to see,
    403 when the user may see but not record them."""
    if not ids:
        return []
    try:
        return services.scoped_persons(user, ids)
    except OutOfScope as exc:
        raise Http404 from exc
    except ReadOnly as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValueError as exc:
        raise Http404 from exc


def posted_ids(request, name: str = "persons") -> list[str]:
    source = request.POST if request.method == "POST" else request.GET
    return [v for v in source.getlist(name) if v.strip()]


def request_url(pk: int) -> str | None:
    """The requests helper's page of one request, once it exists."""
    try:
        return reverse("engagement:request_detail", args=[pk])
    except NoReverseMatch:
        return None


# --- list and detail ----------------------------------------------------------------------------


@login_required
def contact_list(request):
    require(holds(request.user, "view"))
    form = ContactFilterForm(request.GET or None, user=request.user)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    page = page_of(request.user, data, request.GET.get("page")) if valid else None
    return render(
        request,
        "engagement/contact_list.html",
        {
            "filters": form,
            "page": page,
            "can_record": holds(request.user, "record"),
            "filter_person": _named(Person, request.user, data.get("person")),
            "filter_cadre": _cadre_name(data.get("cadre")),
        },
    )


def _named(model, user, pk):
    if not pk:
        return None
    return model.objects.restrict(user, "view").filter(pk=pk).first()


def _cadre_name(pk) -> str:
    from tongzhan.accounts.models import User

    user = User.objects.filter(pk=pk).first() if pk else None
    return str(user) if user else ""


def load_log(log: ContactLog) -> ContactLog:
    """Everything the detail page (and the API's detail) shows."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        [log], "persons__region", "cadres", "attachments", "revisions__edited_by", "requests"
    )
    return log


@login_required
def contact_detail(request, pk):
    log = load_log(access_contact_log(request.user, pk))
    mark_visible_persons(request.user, [log])
    can_record = ContactLog.objects.restrict(request.user, "change").filter(pk=log.pk).exists()
    raised = [(r, request_url(r.pk)) for r in log.requests.all()]
    return render(
        request,
        "engagement/contact_detail.html",
        {
            "log": log,
            "can_record": can_record,
            "raised": raised,
            "revisions": revisions_for(request.user, log),
            "upload": FilesField(required=False).widget,
            "accept": files.ACCEPT,
            "max_attachments": files.MAX_PER_LOG,
        },
    )


# --- create, edit, delete -------------------------------------------------------------------------


def _form_page(request, form, log=None, chosen=()):
    return render(
        request,
        "engagement/contact_form.html",
        {"form": form, "log": log, "chosen": chosen},
    )


@login_required
def contact_create(request):
    user = request.user
    require(holds(user, "record"))
    chosen = chosen_persons(user, posted_ids(request) or posted_ids(request, "person"))
    if request.method != "POST":
        form = ContactLogForm(user=user, initial={"persons": [p.pk for p in chosen]})
        return _form_page(request, form, chosen=chosen)
    form = ContactLogForm(request.POST, request.FILES, user=user)
    if not form.is_valid():
        return _form_page(request, form, chosen=chosen)
    try:
        log = services.do_create_log(
            user,
            form.log_data(),
            requests=form.requests_raised(chosen[0].pk),
            uploads=form.cleaned_data.get("uploads") or [],
        )
    except services.ContactError as exc:
        form.add_service_errors(exc.errors)
        return _form_page(request, form, chosen=chosen)
    except OutOfScope as exc:
        raise Http404 from exc
    except ReadOnly as exc:
        raise PermissionDenied(str(exc)) from exc
    _saved_message(request, log)
    return redirect("engagement:contact_detail", pk=log.pk)


def _saved_message(request, log: ContactLog) -> None:
    if log.is_late:
        messages.warning(request, _("已保存。此记录录入时距联系日期已超过补录期限，标记为“补录”。"))
    else:
        messages.success(request, _("联系记录已保存。"))


def _edit_initial(log: ContactLog) -> dict:
    return {
        "persons": [p.pk for p in log.persons.all()],
        "happened_on": log.happened_on,
        "happened_time": log.happened_time,
        "mode": log.mode,
        "place": log.place,
        "summary": log.summary,
        "cadres": [u.pk for u in log.cadres.all()],
        "version": log.version,
    }


@login_required
def contact_edit(request, pk):
    user = request.user
    log = load_log(access_contact_log(user, pk, "change"))
    if request.method != "POST":
        mark_visible_persons(user, [log])
        initial = _edit_initial(log)
        initial["persons"] = [p.pk for p in log.shown_persons]
        form = ContactLogForm(user=user, log=log, with_extras=False, initial=initial)
        return _form_page(request, form, log, log.shown_persons)
    chosen = chosen_persons(user, posted_ids(request))
    form = ContactLogForm(request.POST, user=user, log=log, with_extras=False)
    if form.is_valid():
        expected = form.cleaned_data.get("version") or log.version
        try:
            services.do_update_log(user, log, form.log_data(), expected)
        except services.ContactError as exc:
            form.add_service_errors(exc.errors)
        except services.VersionConflict as exc:
            form.add_error(None, str(exc))
        except OutOfScope:
            form.add_error("persons", _("不能把联系记录移出您的管辖范围。"))
        else:
            messages.success(request, _("已保存，修改前的内容保留在修改历史中。"))
            return redirect("engagement:contact_detail", pk=log.pk)
    return _form_page(request, form, log, chosen)


@login_required
def contact_delete(request, pk):
    log = access_contact_log(request.user, pk, "change")
    if request.method == "POST":
        services.do_delete_log(request.user, log)
        messages.success(request, _("联系记录已删除。"))
        return redirect("engagement:contact_list")
    return render(request, "engagement/contact_confirm_delete.html", {"log": log})


# --- attachments ---------------------------------------------------------------------------------


def access_attachment(user, pk: int, action: str = "view") -> Attachment:
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    access_contact_log(user, attachment.log_id, action)
    return attachment


@login_required
@require_POST
def attachment_upload(request, pk):
    log = access_contact_log(request.user, pk, "change")
    field = FilesField(required=True)
    try:
        uploads = field.clean(request.FILES.getlist("files"))
    except Exception as exc:  # ValidationError: its messages are for the user
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
        return redirect("engagement:contact_detail", pk=log.pk)
    room = files.MAX_PER_LOG - log.attachments.count()
    if len(uploads) > room:
        messages.error(request, _("每条联系记录最多 %(n)s 个附件。") % {"n": files.MAX_PER_LOG})
        return redirect("engagement:contact_detail", pk=log.pk)
    try:
        for prepared in uploads:
            services.do_add_attachment(request.user, log, prepared)
    except services.ContactError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已上传 %(n)s 个附件。") % {"n": len(uploads)})
    return redirect("engagement:contact_detail", pk=log.pk)


@login_required
@require_GET
def attachment_file(request, pk):
    """The file itself, only through the scope rule; images inline, files as downloads."""
    attachment = access_attachment(request.user, pk)
    path_ = files.path_of(attachment.stored_name)
    if path_ is None:
        raise Http404
    if attachment.is_image and request.GET.get("thumb"):
        response = HttpResponse(files.thumbnail(path_), content_type="image/jpeg")
    else:
        response = FileResponse(
            path_.open("rb"),
            content_type=attachment.content_type,
            as_attachment=not attachment.is_image,
            filename=attachment.original_name,
        )
        if attachment.is_image:
            response["Content-Disposition"] = response["Content-Disposition"].replace(
                "attachment", "inline", 1
            )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = access_attachment(request.user, pk, "change")
    services.do_remove_attachment(request.user, attachment)
    messages.success(request, _("附件已删除。"))
    return redirect("engagement:contact_detail", pk=attachment.log_id)


# --- the person picker --------------------------------------------------------------------------


def picker_results(user, text: str) -> list[Person]:
    """Active persons in the user's view scope whose name, pinyin or initials match."""
    text = (text or "").strip()[:50]
    if not text:
        return []
    people = scoped_search(user, {"q": text}).filter(status="active")
    return list(people.select_related("region").order_by("name_pinyin", "pk")[:PICKER_LIMIT])


@login_required
@require_GET
def person_picker(request):
    """htmx: the persons matching ?q=, as buttons the picker turns into chips. Other pages'
    forms use it through templates/engagement/includes/person_picker.html."""
    require(holds(request.user, "view"))
    text = request.GET.get("q", "")
    return render(
        request,
        "engagement/includes/person_picker_results.html",
        {"results": picker_results(request.user, text), "q": text.strip()},
    )


urlpatterns = [
    path("contacts/", contact_list, name="contact_list"),
    path("contacts/new/", contact_create, name="contact_create"),
    path("contacts/<int:pk>/", contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/attachments/", attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", attachment_file, name="attachment_file"),
    path("attachments/<int:pk>/delete/", attachment_delete, name="attachment_delete"),
    path("person-picker/", person_picker, name="person_picker"),
]
