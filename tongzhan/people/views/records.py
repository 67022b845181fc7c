"""One person: detail, create, edit, delete, status change, photo, ID/phone reveal."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongzhan.accounts.roles import EXPORT, UNMASK, VIEW_SENSITIVE
from tongzhan.core.scope import OutOfScope, ReadOnly

from .. import photos, services
from ..access import access_person, can_change, can_create, require
from ..forms import EDUCATION_WORK, PROFILES, PersonRecordForm, PhotoForm, StatusForm
from ..models import Person

# What a full record shows, fetched in a fixed number of queries.
RECORD_RELATED = (
    "responsible_cadre",
    "non_public",
    "religious",
    "overseas",
    "categories",
    "arrangements",
    "resume_entries",
    "relations",
    "status_changes__changed_by",
)
DETAIL_SECTIONS = (
    # 民族 is shown with the identity fields, for the same roles.
    (
        "sensitive",
        gettext_lazy("政治面貌与宗教"),
        tuple(f for f in Person.SENSITIVE_FIELDS if f != "ethnicity"),
    ),
    ("work", gettext_lazy("学历与工作"), EDUCATION_WORK),
    (
        "united_front",
        gettext_lazy("统战工作"),
        ("responsible_cadre", "representative_level", "recommendation", "notes"),
    ),
)


def load_record(person: Person) -> Person:
    prefetch_related_objects([person], *RECORD_RELATED)
    return person


def _display(instance, name: str):
    """A field's value as shown: choice labels, ISO dates, yes/no; None when empty."""
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if field.choices and value:
        return getattr(instance, f"get_{name}_display")()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return value if value not in ("", None) else None


def _rows(instance, names, hidden=()) -> list[dict]:
    return [
        {
            "name": name,
            "label": instance._meta.get_field(name).verbose_name,
            "value": _display(instance, name),
            "long": name in ("recommendation", "notes", "resume"),
        }
        for name in names
        if name not in hidden
    ]


def detail_sections(person: Person, sensitive: bool) -> list[dict]:
    sections = [
        {"key": key, "title": title, "rows": _rows(person, names)}
        for key, title, names in DETAIL_SECTIONS
        if sensitive or key != "sensitive"
    ]
    for name, (form_class, _lines, title) in PROFILES.items():
        profile = getattr(person, name, None)
        if profile is not None:
            hidden = () if sensitive else ("religion",)
            rows = _rows(profile, form_class._meta.fields, hidden)
            sections.append({"key": name, "title": title, "rows": rows})
    return sections


def photo_version(person: Person) -> str:
    """Part of the photo URL, so a new photo is not taken from the browser's cache."""
    return person.photo.rsplit("/", 1)[-1][:8]


@login_required
def person_detail(request, pk):
    person = load_record(access_person(request.user, pk))
    user = request.user
    sensitive = user.has_job(VIEW_SENSITIVE)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "can_change": can_change(user, person),
            # Logging a contact or raising a request for this person (engagement).
            "can_record": Person.objects.restrict(user, "record").filter(pk=person.pk).exists(),
            "show_sensitive": sensitive,
            "can_unmask": user.has_job(UNMASK),
            "can_export": user.has_job(EXPORT),
            "sections": detail_sections(person, sensitive),
            "photo_version": photo_version(person),
        },
    )


def _form_page(request, record: PersonRecordForm, person=None, duplicates=()):
    return render(
        request,
        "people/person_form.html",
        {"record": record, "form": record.main, "person": person, "duplicates": duplicates},
    )


@login_required
def person_create(request):
    from .duplicates import unconfirmed_duplicates

    require(can_create(request.user))
    posted = request.POST if request.method == "POST" else None
    record = PersonRecordForm(posted, user=request.user)
    if posted is None or not record.is_valid():
        return _form_page(request, record)
    data = record.service_data()
    matches = unconfirmed_duplicates(request, data)
    if matches:
        return _form_page(request, record, duplicates=matches)
    try:
        person = services.do_create_person(request.user, data)
    except OutOfScope:
        record.main.add_error(None, _("该记录不在您的管辖范围（区域或条线）内，未保存。"))
        return _form_page(request, record)
    messages.success(request, _("已新增统战对象 %(name)s。") % {"name": person.name})
    return redirect("people:detail", pk=person.pk)


@login_required
def person_edit(request, pk):
    person = load_record(access_person(request.user, pk, "change"))
    posted = request.POST if request.method == "POST" else None
    record = PersonRecordForm(posted, user=request.user, person=person)
    if posted is None or not record.is_valid():
        return _form_page(request, record, person)
    try:
        expected = record.main.cleaned_data.get("version") or person.version
        services.do_update_person(request.user, person, record.service_data(), expected)
    except services.VersionConflict as exc:
        record.main.add_error(None, str(exc))
    except OutOfScope:
        record.main.add_error("region", _("不能把记录移出您的管辖范围。"))
    else:
        messages.success(request, _("已保存。"))
        return redirect("people:detail", pk=person.pk)
    return _form_page(request, record, person)


@login_required
def person_delete(request, pk):
    person = access_person(request.user, pk, "change")
    if request.method == "POST":
        try:
            services.do_delete_person(request.user, person)
        except services.PersonInUse as refused:
            blocked = str(refused)  # the counts as they are now
        else:
            messages.success(request, _("已删除统战对象 %(name)s。") % {"name": person.name})
            return redirect("people:list")
    else:
        blocked = services.deletion_refusal(person)
    return render(
        request, "people/person_confirm_delete.html", {"person": person, "blocked": blocked}
    )


@login_required
def person_status(request, pk):
    """调出 / 去世 / 退出 / 恢复在库: an action with a date and a reason, kept as history."""
    person = access_person(request.user, pk, "change")
    form = StatusForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            services.do_change_status(
                request.user, person, values["status"], values["date"], values["reason"]
            )
        except services.InvalidStatusChange as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("状态已变更。"))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_status.html", {"person": person, "form": form})


@login_required
def person_photo(request, pk):
    """Upload (or remove) the photo on a small form of its own."""
    person = access_person(request.user, pk, "change")
    form = PhotoForm(request.POST, request.FILES) if request.method == "POST" else PhotoForm()
    if request.method == "POST":
        if request.POST.get("remove") and person.photo:
            services.do_set_photo(request.user, person, None)
            messages.success(request, _("照片已删除。"))
            return redirect("people:detail", pk=person.pk)
        if form.is_valid():
            services.do_set_photo(request.user, person, form.cleaned_data["photo"])
            messages.success(request, _("照片已上传。"))
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/person_photo.html",
        {"person": person, "form": form, "photo_version": photo_version(person)},
    )


@login_required
def person_photo_file(request, pk):
    """The photo itself: only through the scope rule; 404 when out of scope or none."""
    person = access_person(request.user, pk)
    path = photos.path_of(person.photo)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type=photos.content_type(person.photo))
    response["Cache-Control"] = "private, no-store"
    return response


def _reveal(request, pk, field: str):
    person = access_person(request.user, pk)
    try:
        value = services.do_reveal(request.user, person, field)
    except ReadOnly as exc:
        return HttpResponse(str(exc), status=403)
    testid = "phone" if field == "phone" else "id-number"
    return HttpResponse(
        format_html('<span class="masked" data-testid="{}">{}</span>', testid, value)
    )


@login_required
@require_POST
def person_reveal_phone(request, pk):
    return _reveal(request, pk, "phone")


@login_required
@require_POST
def person_reveal_id_number(request, pk):
    return _reveal(request, pk, "id_number")
