"""Finding organisations: the filter form and the query behind the list, the API and the
export. Every query starts from `Organisation.objects.restrict(user, "view")`."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from tongzhan.core.forms import offer_regions
from tongzhan.lib import divisioncode, uscc, venuecert
from tongzhan.lib.chinese import clean

from .choices import OrgType
from .models import Organisation

PAGE_SIZE = 50
SORTS = {
    "region": ("region_id", "org_type", "name", "pk"),
    "name": ("name", "pk"),
    "type": ("org_type", "region_id", "name", "pk"),
    "updated": ("-updated_at", "-pk"),
}
SORT_CHOICES = [
    ("region", _("按区域")),
    ("name", _("按名称")),
    ("type", _("按类型")),
    ("updated", _("按最近修改")),
]
ACTIVE_CHOICES = [("", _("全部")), ("1", _("存续")), ("0", _("已撤销/停止"))]


class OrgFilterForm(forms.Form):
    """The search box, the filters and the sort of the organisation list (page and API)."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    org_type = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *OrgType.choices], required=False
    )
    region = forms.CharField(label=_("区域代码"), required=False, max_length=12)
    active = forms.ChoiceField(label=_("存续状态"), choices=ACTIVE_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("排序"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["q"].widget.attrs["placeholder"] = _("名称、统一社会信用代码或登记证号")
        self.fields["region"].widget.attrs.update(inputmode="numeric", maxlength="12")
        if user is not None:  # the page's drop-down; the API sends codes
            offer_regions(self.fields["region"], user)

    def clean_q(self):
        return clean(self.cleaned_data.get("q", ""))

    def clean_region(self):
        code = self.cleaned_data.get("region", "").strip()
        if code and not divisioncode.is_valid(code):
            raise forms.ValidationError(_("区域代码应为 12 位统计用区划代码。"))
        return code

    def query_string(self) -> str:
        pairs = [(name, str(self.data.get(name, "")).strip()) for name in self.fields]
        return urlencode([(name, value) for name, value in pairs if value])


def search_q(text: str) -> Q | None:
    """Name (part of it), or a 统一社会信用代码 / 登记证号 (part of it, as typed or normalised)."""
    if not text:
        return None
    condition = Q(name__icontains=text) | Q(leader_name__icontains=text)
    code = uscc.normalise(text)
    if code.isascii() and code.isalnum() and len(code) >= 4:
        condition |= Q(uscc__contains=code)
    cert = venuecert.normalise(text)
    condition |= Q(venue_certificate__contains=cert)
    return condition


def filter_orgs(queryset, data: dict):
    """Apply the cleaned filters, all but the type (the counts are taken before it)."""
    condition = search_q(data.get("q") or "")
    if condition is not None:
        queryset = queryset.filter(condition)
    if data.get("region"):
        low, high = divisioncode.subtree_range(data["region"])
        queryset = queryset.filter(region_id__gte=low, region_id__lte=high)
    if data.get("active"):
        queryset = queryset.filter(active=data["active"] == "1")
    return queryset


def list_queryset(user, params):
    """(organisations, form) the list shows for these parameters, in its order; None for
    the organisations when a parameter is invalid (exports never guess at a filter)."""
    form = OrgFilterForm(params)
    if not form.is_valid():
        return None, form
    data = form.cleaned_data
    orgs = filter_orgs(Organisation.objects.restrict(user, "view"), data)
    if data.get("org_type"):
        orgs = orgs.filter(org_type=data["org_type"])
    return orgs.order_by(*SORTS[data.get("sort") or "region"]), form


@dataclass
class TypeCount:
    code: str
    label: str
    count: int


@dataclass
class OrgResults:
    """One page of the list, with the counts per type of the whole result."""

    form: OrgFilterForm
    page: Page | None  # None when a filter value is invalid
    total: int
    counts: list[TypeCount]


def find_orgs(user, params, page_number=1) -> OrgResults:
    form = OrgFilterForm(params, user=user)
    if not form.is_valid():
        return OrgResults(form, None, 0, [])
    data = form.cleaned_data
    orgs = filter_orgs(Organisation.objects.restrict(user, "view"), data)
    per_type = dict(orgs.order_by().values_list("org_type").annotate(n=Count("pk")))
    total = sum(per_type.values())
    if data.get("org_type"):
        orgs = orgs.filter(org_type=data["org_type"])
        total = per_type.get(data["org_type"], 0)
    orgs = (
        orgs.select_related("region", "parent", "leader")
        .annotate(members=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
        .order_by(*SORTS[data.get("sort") or "region"])
    )
    paginator = Paginator(orgs, PAGE_SIZE)
    paginator.count = total  # already counted: spare the paginator its own COUNT(*)
    counts = [TypeCount(t.value, t.label, per_type.get(t.value, 0)) for t in OrgType]
    return OrgResults(form, paginator.get_page(page_number), total, counts)
