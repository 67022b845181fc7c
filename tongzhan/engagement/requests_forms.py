"""Forms of the request pages and API: the list's filters, raising, advancing, editing.

The API feeds the same forms (as dicts), so one set of rules and messages serves both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzhan.core.forms import offer_regions
from tongzhan.core.scope import grants, user_assignments
from tongzhan.lib import divisioncode

from . import requests_query as rq
from .choices import NEXT_STATE, RequestCategory, RequestState, Satisfaction
from .models import Request

PAGE_SIZE = 50
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FLAG_CHOICES = [
    ("", _("全部")),
    ("1", _("逾期")),
    (rq.CLOSED_LATE, _("逾期办结")),
    (rq.DUE_SOON, _("即将到期")),
]


def handler_choices(user):
    """Who may be named 承办人: active users who record work (county staff, unit contacts,
    township members, village liaisons) in a region above, at or below the user's own."""
    from tongzhan.accounts.models import RoleAssignment, User

    mine = [a.region_id for a in user_assignments(user) if grants(a, "view")]
    ids = {
        a.user_id
        for a in RoleAssignment.objects.filter(active=True, user__is_active=True).only(
            "user_id", "role", "region_id"
        )
        if grants(a, "record")
        and any(
            divisioncode.is_within(a.region_id, r) or divisioncode.is_within(r, a.region_id)
            for r in mine
        )
    }
    return User.objects.filter(pk__in=ids).order_by("username")


def set_queryset(field, queryset) -> None:
    """A model choice field's choices, set per user."""
    assert isinstance(field, forms.ModelChoiceField)  # a programming error, not input
    field.queryset = queryset


class _Styled:
    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


class RequestFilterForm(_Styled, forms.Form):
    """The list's filters; the same parameters drive the API and the 台账 export."""

    q = forms.CharField(label=_("诉求事项或诉求人"), required=False, max_length=50)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *RequestState.choices]
    )
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部")), *RequestCategory.choices]
    )
    overdue = forms.ChoiceField(label=_("时限"), required=False, choices=FLAG_CHOICES)
    region = forms.CharField(label=_("区域代码"), required=False, max_length=12)
    handler: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("承办人"), required=False, queryset=None
    )
    mine = forms.BooleanField(label=_("我承办或登记的"), required=False)
    raised_from = forms.DateField(label=_("提出日期自"), required=False, widget=DATE)
    raised_to = forms.DateField(label=_("至"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        set_queryset(self.fields["handler"], handler_choices(user))
        self.fields["region"].widget.attrs.update(inputmode="numeric", maxlength="12")
        self._style()
        offer_regions(self.fields["region"], user)

    def clean_region(self):
        code = self.cleaned_data.get("region", "").strip()
        if code and not divisioncode.is_valid(code):
            raise forms.ValidationError(_("请输入 12 位区划代码。"))
        return code

    def clean(self):
        data = super().clean()
        start, end = data.get("raised_from"), data.get("raised_to")
        if start and end and start > end:
            self.add_error("raised_to", _("结束日期不能早于开始日期。"))
        return data


def filter_requests(queryset, data: dict, today):
    """Apply every filter but the state (the per-state counts are taken before it)."""
    if data.get("q"):
        q = data["q"]
        queryset = queryset.filter(Q(title__icontains=q) | Q(person__name__icontains=q))
    if data.get("category"):
        queryset = queryset.filter(category=data["category"])
    flag = data.get("overdue")
    if flag:
        queryset = queryset.filter(rq.flag_q(rq.OVERDUE if flag == "1" else flag, today))
    if data.get("region"):
        low, high = divisioncode.subtree_range(data["region"])
        queryset = queryset.filter(region_id__gte=low, region_id__lte=high)
    if data.get("handler"):
        queryset = queryset.filter(handler=data["handler"])
    if data.get("mine"):
        user = data["_user"]
        queryset = queryset.filter(Q(handler=user) | Q(created_by=user))
    if data.get("raised_from"):
        queryset = queryset.filter(raised_on__gte=data["raised_from"])
    if data.get("raised_to"):
        queryset = queryset.filter(raised_on__lte=data["raised_to"])
    return queryset


@dataclass
class RequestResults:
    form: RequestFilterForm
    queryset: object  # filtered, flagged, ordered; None when the filters are invalid
    counts: list[tuple[str, str, int]]  # (state, label, count) under the other filters
    total: int
    page: Page | None


def find_requests(user, params, page_number=None, today=None) -> RequestResults:
    """The requests a list shows: view scope, filters, flags, per-state counts, a page."""
    today = today or timezone.localdate()
    form = RequestFilterForm(params, user=user)
    if not form.is_valid():
        return RequestResults(form, None, [], 0, None)
    data = {**form.cleaned_data, "_user": user}
    base = filter_requests(Request.objects.restrict(user, "view"), data, today)
    by_state = dict(base.order_by().values_list("state").annotate(n=Count("pk")))
    counts = [(v, str(label), by_state.get(v, 0)) for v, label in RequestState.choices]
    queryset = base.filter(state=data["state"]) if data.get("state") else base
    queryset = rq.with_flags(queryset, today).select_related("person", "region", "handler")
    queryset = queryset.order_by("deadline", "pk")
    total = by_state.get(data["state"], 0) if data.get("state") else sum(by_state.values())
    page = None
    if page_number is not None:
        paginator = Paginator(queryset, PAGE_SIZE)
        paginator.count = total  # known already: spare the COUNT query
        page = paginator.get_page(page_number)
    return RequestResults(form, queryset, counts, total, page)


class RequestCreateForm(_Styled, forms.Form):
    """Raising a request directly (a contact log raises it from its own form)."""

    person = forms.IntegerField(label=_("诉求人"), widget=forms.HiddenInput)
    title = forms.CharField(label=_("诉求事项"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=RequestCategory.choices)
    raised_on = forms.DateField(label=_("提出日期"), widget=DATE)
    deadline = forms.DateField(
        label=_("办理时限"),
        required=False,
        widget=DATE,
        help_text=_("留空则按县里规定的默认时限计算。"),
    )
    description = forms.CharField(
        label=_("诉求内容"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["raised_on"].initial = timezone.localdate()
        self._style()


class RequestEditForm(_Styled, forms.Form):
    title = forms.CharField(label=_("诉求事项"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=RequestCategory.choices)
    deadline = forms.DateField(label=_("办理时限"), widget=DATE)
    description = forms.CharField(
        label=_("诉求内容"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class AdvanceForm(_Styled, forms.Form):
    """One step on: the fields the next state needs, and always a comment and a date.
    The target state is posted too, so a stale page cannot take a different step."""

    to_state = forms.ChoiceField(choices=RequestState.choices, widget=forms.HiddenInput)
    handling_unit = forms.CharField(label=_("承办单位"), max_length=100)
    handler: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("承办人"), required=False, queryset=None
    )
    deadline = forms.DateField(label=_("办理时限"), widget=DATE)
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}))
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("办理意见"), widget=forms.Textarea(attrs={"rows": 3}))
    acted_on = forms.DateField(label=_("日期"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)

    STEP_FIELDS = {
        RequestState.ASSIGNED: ("handling_unit", "handler", "deadline"),
        RequestState.IN_PROGRESS: (),
        RequestState.CLOSED: ("result",),
        RequestState.REVISITED: ("satisfaction",),
    }

    def __init__(self, *args, request_obj: Request, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.next_state = NEXT_STATE.get(RequestState(request_obj.state))
        keep = set(self.STEP_FIELDS[self.next_state]) if self.next_state else set()
        for name in ("handling_unit", "handler", "deadline", "result", "satisfaction"):
            if name not in keep:
                del self.fields[name]
        if "handler" in self.fields:
            set_queryset(self.fields["handler"], handler_choices(user))
            self.initial.setdefault("handling_unit", request_obj.handling_unit)
            self.initial.setdefault("handler", request_obj.handler_id)
            self.initial.setdefault("deadline", request_obj.deadline)
        self.initial.setdefault("to_state", self.next_state or "")
        self.initial.setdefault("acted_on", timezone.localdate())
        self.initial.setdefault("version", request_obj.version)
        self._style()
        if "satisfaction" in self.fields:
            self.fields["satisfaction"].widget.attrs["class"] = "form-check-input"

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "to_state": data["to_state"],
            "comment": data["comment"],
            "acted_on": data["acted_on"],
            "version": data["version"],
        }
        for name in ("handling_unit", "handler", "deadline", "result", "satisfaction"):
            if name in self.fields:
                kwargs[name] = data.get(name)
        return kwargs
