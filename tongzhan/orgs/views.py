"""Organisation pages: list, detail, create, edit, delete, memberships, import, export."""

import secrets
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhan.core.scope import OutOfScope, grants, user_assignments
from tongzhan.ledgers.exports import audit_filters, download_name
from tongzhan.ledgers.services import import_dir
from tongzhan.ledgers.views.exports import XLSX, file_response
from tongzhan.lib import divisioncode
from tongzhan.people.models import Person
from tongzhan.people.search import search_q

from . import exports, importer, services
from .access import (
    access_membership,
    access_org,
    can_change,
    can_create,
    can_view_any,
    require,
    visible_person,
)
from .filters import find_orgs, list_queryset
from .forms import (
    EndMembershipForm,
    ImportUploadForm,
    MembershipForm,
    OrgForm,
    person_label,
    visible_persons,
)
from .models import Organisation

SESSION_KEY = "orgs_import"
OPTIONS = 50


@login_required
def org_list(request):
    require(can_view_any(request.user))
    results = find_orgs(request.user, request.GET, request.GET.get("page"))
    return render(
        request,
        "orgs/org_list.html",
        {
            "results": results,
            "page": results.page,
            "filters": results.form,
            "can_create": can_create(request.user),
            "can_export": exports.can_export(request.user),
        },
    )


def detail_context(user, org: Organisation) -> dict:
    """The organisation with the members and child organisations the user may see."""
    visible = Person.objects.restrict(user, "view")
    members = org.memberships.select_related("person__region").order_by(
        F("end_date").desc(nulls_first=True), "start_date", "pk"
    )
    shown = list(members.filter(person__in=visible))
    children = Organisation.objects.restrict(user, "view").filter(parent=org).order_by("name")
    leader_visible = org.leader_id is not None and visible.filter(pk=org.leader_id).exists()
    return {
        "org": org,
        "current": [m for m in shown if m.end_date is None],
        "former": [m for m in shown if m.end_date is not None],
        "hidden_members": members.count() - len(shown),
        "children": list(children.select_related("region")),
        "leader_visible": leader_visible,
        "parent_visible": org.parent_id is not None
        and Organisation.objects.restrict(user, "view").filter(pk=org.parent_id).exists(),
        "can_change": can_change(user, org),
    }


@login_required
def org_detail(request, pk):
    org = access_org(request.user, pk)
    return render(request, "orgs/org_detail.html", detail_context(request.user, org))


def _form_page(request, form, org=None):
    return render(request, "orgs/org_form.html", {"form": form, "org": org})


@login_required
def org_create(request):
    require(can_create(request.user))
    form = OrgForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form)
    try:
        org = services.do_create_org(request.user, form.service_data())
    except OutOfScope:
        form.add_error(None, _("该组织不在您的管辖范围（区域或条线）内，未保存。"))
        return _form_page(request, form)
    except services.InvalidChange as exc:
        form.add_error(exc.field, str(exc))
        return _form_page(request, form)
    messages.success(request, _("已新增组织 %(name)s。") % {"name": org.name})
    return redirect("orgs:detail", pk=org.pk)


@login_required
def org_edit(request, pk):
    org = access_org(request.user, pk, "change")
    form = OrgForm(request.POST if request.method == "POST" else None, user=request.user, org=org)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, org)
    try:
        expected = form.cleaned_data.get("version") or org.version
        services.do_update_org(request.user, org, form.service_data(), expected)
    except services.VersionConflict as exc:
        form.add_error(None, str(exc))
    except services.InvalidChange as exc:
        form.add_error(exc.field, str(exc))
    except OutOfScope:
        form.add_error("region", _("不能把组织移出您的管辖范围。"))
    else:
        messages.success(request, _("已保存。"))
        return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, form, org)


@login_required
def org_delete(request, pk):
    org = access_org(request.user, pk, "change")
    error = ""
    if request.method == "POST":
        try:
            services.do_delete_org(request.user, org)
        except services.InvalidChange as exc:
            error = str(exc)
        else:
            messages.success(request, _("已删除组织 %(name)s。") % {"name": org.name})
            return redirect("orgs:list")
    return render(request, "orgs/org_confirm_delete.html", {"org": org, "error": error})


@login_required
def person_options(request):
    """The <option>s of a person picker for a search (name, pinyin, initials …): at most
    OPTIONS persons the user may see, for the select that htmx fills in."""
    require(can_view_any(request.user))
    text = request.GET.get("q", "")[:50]
    persons = visible_persons(request.user).order_by("region_id", "name_pinyin", "pk")
    ranges = [
        divisioncode.subtree_range(a.region_id)
        for a in user_assignments(request.user)
        if grants(a, "view")
    ]
    condition = search_q(text, ranges)
    # An empty box lists no one: the page already shows the suggestions.
    persons = persons.filter(condition) if condition is not None else persons.none()
    options = [(p.pk, person_label(p)) for p in persons[:OPTIONS]]
    return render(
        request, "orgs/includes/person_options.html", {"options": options, "searched": bool(text)}
    )


# --- memberships -------------------------------------------------------------------------------


@login_required
def membership_add(request, pk):
    org = access_org(request.user, pk, "change")
    posted = request.POST if request.method == "POST" else None
    if posted is not None and posted.get("person", "").isdigit():
        visible_person(request.user, int(posted["person"]))  # out of view scope: 404
    form = MembershipForm(posted, user=request.user, org=org)
    if posted is not None and form.is_valid():
        try:
            services.do_add_membership(
                request.user, org, form.cleaned_data["person"], form.service_data()
            )
        except services.InvalidChange as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, _("已添加成员。"))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/membership_form.html", {"org": org, "form": form})


@login_required
def membership_end(request, pk, membership_pk):
    org = access_org(request.user, pk, "change")
    membership = access_membership(request.user, org, membership_pk)
    form = EndMembershipForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_end_membership(request.user, membership, form.cleaned_data["end_date"])
        except services.InvalidChange as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已终止成员关系。"))
            return redirect("orgs:detail", pk=org.pk)
    context = {"org": org, "membership": membership, "form": form}
    return render(request, "orgs/membership_end.html", context)


@login_required
def membership_remove(request, pk, membership_pk):
    org = access_org(request.user, pk, "change")
    membership = access_membership(request.user, org, membership_pk)
    if request.method == "POST":
        services.do_remove_membership(request.user, membership)
        messages.success(request, _("已删除成员记录。"))
        return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/membership_remove.html", {"org": org, "membership": membership})


# --- import (synchronous: an org list is a few thousand rows at most) ------------------------


def _stored(request) -> tuple[Path, str] | None:
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return None
    path = import_dir() / pending["file"]
    return (path, pending["name"]) if path.exists() else None


def _forget(request) -> None:
    stored = _stored(request)
    if stored:
        stored[0].unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


@login_required
def org_import(request):
    """GET: the upload form; POST: store the file, check every row, show the preview."""
    require(can_create(request.user))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "orgs/org_import.html", {"form": form})
    upload = form.cleaned_data["file"]
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".xlsx", ".csv") or upload.size > 5 * 1024 * 1024:
        form.add_error("file", _("请上传不超过 5 MB 的 .xlsx 或 .csv 文件。"))
        return render(request, "orgs/org_import.html", {"form": form})
    _forget(request)
    stored = f"orgs-{secrets.token_hex(12)}{suffix}"
    with open(import_dir() / stored, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {"file": stored, "name": Path(upload.name).name[:200]}
    return _preview(request, form)


def _preview(request, form, error: str = ""):
    path, name = _stored(request)
    try:
        checked = importer.check_file(request.user, path, name)
    except importer.OrgFileError as exc:
        _forget(request)
        form.add_error("file", str(exc))
        return render(request, "orgs/org_import.html", {"form": form})
    context = {"form": form, "checked": checked, "error": error}
    return render(request, "orgs/org_import.html", context)


@login_required
@require_POST
def org_import_confirm(request):
    """Write the checked rows; rows with errors only when the user asked for the good ones."""
    require(can_create(request.user))
    if _stored(request) is None:
        raise Http404
    if request.POST.get("discard"):
        _forget(request)
        messages.success(request, _("已放弃导入，没有写入任何数据。"))
        return redirect("orgs:list")
    path, name = _stored(request)
    try:  # checked again: the write takes what holds now, not what held at the preview
        checked = importer.check_file(request.user, path, name)
    except importer.OrgFileError:
        _forget(request)
        raise Http404 from None
    if not checked.good:
        return _preview(request, ImportUploadForm(), _("没有可以导入的行。"))
    if checked.bad and not request.POST.get("skip_errors"):
        return _preview(
            request,
            ImportUploadForm(),
            _("文件中有错误的行：请改正后重新上传，或勾选“只导入无误的行”。"),
        )
    try:
        count = importer.do_import_orgs(request.user, checked)
    except (importer.Problem, OutOfScope):
        return _preview(
            request, ImportUploadForm(), _("导入时数据已变化，没有写入任何数据，请重新检查。")
        )
    _forget(request)
    messages.success(request, _("已导入 %(n)d 个组织。") % {"n": count})
    return redirect("orgs:list")


# --- export ----------------------------------------------------------------------------------------


@login_required
def org_export(request):
    """The 组织名册 of the list's current filter, as an xlsx download (audited)."""
    if not exports.can_export(request.user):
        raise Http404
    orgs, form = list_queryset(request.user, request.GET)
    if orgs is None:
        messages.error(request, _("筛选条件有误，请先修正。"))
        return redirect("orgs:list")
    path, meta = exports.export_orgs(
        request.user,
        orgs,
        filters=audit_filters(form),
        region_code=form.cleaned_data.get("region", ""),
    )
    return file_response(path, download_name(meta), XLSX)
