"""The organisation and membership forms: one set of rules for the pages and the API
(the API builds the same form from its JSON body)."""

from datetime import date

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhan.core.choices import Religion
from tongzhan.core.models import Region
from tongzhan.core.scope import grants, regions_for, user_assignments
from tongzhan.lib import divisioncode, uscc, venuecert
from tongzhan.people.forms import NormalisedMixin, RegionChoiceField
from tongzhan.people.models import Person

from .choices import ChamberKind, OrgType, types_for_lines
from .models import Organisation
from .services import FIELDS, would_cycle


def creatable_types(user) -> list[str]:
    """The types the user may file: a line-restricted contact only its lines' types."""
    types: set[str] = set()
    for assignment in user_assignments(user):
        if not grants(assignment, "change"):
            continue
        if not assignment.lines:
            return list(OrgType.values)
        types |= set(types_for_lines(assignment.lines))
    return [t for t in OrgType.values if t in types]


def with_own(persons, pk):
    """The persons, plus the record's own (which the editor may not see: kept, not lost)."""
    if pk is None:
        return persons
    return Person.objects.filter(Q(pk__in=persons.values("pk")) | Q(pk=pk)).select_related("region")


def visible_persons(user):
    return (
        Person.objects.restrict(user, "view")
        .select_related("region")
        .only("pk", "name", "region__name")
    )


SUGGESTIONS = 100  # persons rendered in a picker; the search box finds the others


def person_label(person) -> str:
    return f"{person.name} · {person.region.name}"


class PersonChoiceField(forms.ModelChoiceField):
    """A person among those the user sees. The page renders only a few suggestions (a
    county holds thousands, a province far more) and a search box fills the rest in;
    validation still takes any person of the full queryset."""

    def label_from_instance(self, person):
        return person_label(person)

    def offer(self, persons, selected=None) -> None:
        offered = list(persons)
        if selected is not None and selected not in offered:
            offered.insert(0, selected)
        self.choices = [("", "—"), *[(p.pk, person_label(p)) for p in offered]]


def posted_person(form, name: str):
    """The person a bound form's field names, if the user may see it (to keep it offered)."""
    value = form.data.get(form.add_prefix(name), "") if form.is_bound else ""
    if not str(value).isdigit():
        return None
    return form.fields[name].queryset.filter(pk=value).first()


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, org):
        return f"{org.name}（{org.get_org_type_display()}）"


def error_list(form) -> list[dict]:
    """Every error with its place in the JSON body, for the API."""
    return [
        {"loc": ["body", "" if field == "__all__" else field], "msg": str(message)}
        for field, messages in form.errors.items()
        for message in messages
    ]


class StyledForm(NormalisedMixin, forms.Form):
    """Typed text normalised like the person forms; Tabler classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.normalise_data()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = "—"  # not choices[]: that would read the whole queryset
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not widget.is_hidden:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 3)
            if isinstance(field, forms.DateField):
                widget.input_type, widget.format = "date", "%Y-%m-%d"


OUT_OF_SCOPE = {
    "org_type": _("您不能登记该类型的组织（不在您负责的条线内）。"),
    "region": _("所选区域不存在或不在您的管辖范围内。"),
    "parent": _("所选上级组织不存在或不在您的查看范围内。"),
    "leader": _("所选负责人不存在或不在您的查看范围内。"),
}


class OrgForm(StyledForm):
    """An organisation; region, parent and leader choices come from the user's scope."""

    name = forms.CharField(label=_("名称"), max_length=100)
    org_type = forms.ChoiceField(label=_("类型"), choices=OrgType.choices)
    region = RegionChoiceField(label=_("所属区域"), queryset=None)
    parent = OrgChoiceField(label=_("上级组织"), queryset=None, required=False)
    leader = PersonChoiceField(
        label=_("负责人"),
        queryset=None,
        required=False,
        help_text=_("从统战对象中选择；不在库中的负责人请填写下面的姓名。"),
    )
    leader_name = forms.CharField(label=_("负责人姓名"), max_length=50, required=False)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    religion = forms.ChoiceField(
        label=_("宗教"), choices=[("", "—"), *Religion.choices], required=False
    )
    venue_certificate = forms.CharField(
        label=_("宗教活动场所登记证号"),
        max_length=40,
        required=False,
        help_text=_("如：宗场证字(浙)F330990001"),
    )
    chamber_kind = forms.ChoiceField(
        label=_("商会类别"), choices=[("", "—"), *ChamberKind.choices], required=False
    )
    founded_on = forms.DateField(label=_("成立时间"), required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    office_phone = forms.CharField(label=_("办公电话"), max_length=30, required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea)
    active = forms.BooleanField(label=_("存续"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, user, org: Organisation | None = None, suggest=True, **kwargs):
        """`suggest=False` (API, import) skips the picker's suggestions: nothing renders."""
        initial = initial_values(org) if org is not None else {"active": True}
        super().__init__(data, initial=initial, **kwargs)
        self.user, self.org = user, org
        regions = regions_for(user, "change").filter(retired=False, level__gte=3)
        parents = Organisation.objects.restrict(user, "view")
        leaders = visible_persons(user)
        types = creatable_types(user)
        if org is not None:  # its own values stay selectable, even those out of view
            regions = Region.objects.filter(Q(pk__in=regions.values("pk")) | Q(pk=org.region_id))
            parents = Organisation.objects.filter(
                Q(pk__in=parents.values("pk")) | Q(pk=org.parent_id)
            ).exclude(pk=org.pk)
            leaders = with_own(leaders, org.leader_id)
            types = types if org.org_type in types else [*types, org.org_type]
        self.fields["region"].queryset = regions.order_by("code")
        self.fields["parent"].queryset = parents.order_by("region_id", "org_type", "name")
        self.fields["leader"].queryset = leaders.order_by("region_id", "name_pinyin", "pk")
        if suggest:
            self._suggest_leaders(leaders, org)
        self.fields["org_type"].choices = [(t, OrgType(t).label) for t in types]
        for name, message in OUT_OF_SCOPE.items():
            self.fields[name].error_messages["invalid_choice"] = message
        self.style()

    def _suggest_leaders(self, leaders, org) -> None:
        """The organisation's members, and the current (or posted) leader."""
        members = leaders.filter(memberships__organisation=org) if org else leaders.none()
        current = posted_person(self, "leader") or (org.leader if org and org.leader_id else None)
        self.fields["leader"].offer(members.distinct()[:SUGGESTIONS], current)

    def clean_uscc(self):
        text = self.cleaned_data.get("uscc", "")
        if not text:
            return ""
        try:
            return uscc.validate(text).code
        except uscc.UsccError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        kind = data.get("org_type")
        if kind == OrgType.RELIGIOUS_VENUE:
            self._clean_venue(data)
        if kind == OrgType.CHAMBER and not data.get("chamber_kind"):
            self.add_error("chamber_kind", _("商会请选择类别（行业、异地或基层商会）。"))
        parent = data.get("parent")
        if parent is not None and self.org is not None and would_cycle(self.org, parent):
            self.add_error("parent", _("上级组织不能是本组织或其下级组织。"))
        return data

    def _clean_venue(self, data: dict) -> None:
        religion, text = data.get("religion", ""), data.get("venue_certificate", "")
        if not religion:
            self.add_error("religion", _("宗教活动场所请选择宗教。"))
        if text:
            try:
                data["venue_certificate"] = venuecert.validate(text, religion).code
            except venuecert.VenueCertError as exc:
                self.add_error("venue_certificate", str(exc))

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FIELDS}


def initial_values(org: Organisation) -> dict:
    values = {name: getattr(org, name) for name in FIELDS}
    values.update(
        region=org.region_id, parent=org.parent_id, leader=org.leader_id, version=org.version
    )
    return values


def api_form_data(values: dict) -> dict:
    """A JSON body → form data: ids stay ids, None → "", booleans as the checkbox sends."""
    data = {k: ("" if v is None else v) for k, v in values.items()}
    data["active"] = "on" if values.get("active", True) else ""
    for name in ("founded_on",):
        if isinstance(values.get(name), date):
            data[name] = values[name].isoformat()
    return data


class MembershipForm(StyledForm):
    """A person joins an organisation: the person from the user's view scope."""

    person = PersonChoiceField(label=_("人员"), queryset=None)
    role = forms.CharField(label=_("职务"), max_length=30, required=False)
    start_date = forms.DateField(label=_("起始日期"), required=False)
    end_date = forms.DateField(label=_("终止日期"), required=False)
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, data=None, *, user, org: Organisation | None = None, **kwargs):
        super().__init__(data, **kwargs)
        queryset = visible_persons(user).order_by("region_id", "name_pinyin", "pk")
        self.fields["person"].queryset = queryset
        nearby = queryset
        if org is not None:  # the organisation's own area first
            low, high = divisioncode.subtree_range(org.region_id)
            nearby = queryset.filter(region_id__gte=low, region_id__lte=high)
        self.fields["person"].offer(nearby[:SUGGESTIONS], posted_person(self, "person"))
        self.fields["role"].widget.attrs["placeholder"] = _("如：会长、副会长、会员、住持")
        self.style()

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("终止日期不能早于起始日期。"))
        return data

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "person"}


class EndMembershipForm(StyledForm):
    end_date = forms.DateField(label=_("终止日期"), initial=date.today)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def clean_end_date(self):
        value = self.cleaned_data["end_date"]
        if value > date.today():
            raise forms.ValidationError(_("终止日期不能晚于今天。"))
        return value


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("组织名单文件"),
        help_text=_("Excel（.xlsx）或 CSV；第一行或前几行为表头，须含“名称”和“类型”列。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx,.csv"})
