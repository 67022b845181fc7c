"""Forms of the 联谊交友 pages: the list filter, create / edit / end a pairing, and the
county settings. Every choice is drawn from the acting user's scope."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzhan.accounts.roles import ROLES
from tongzhan.core.choices import Category, PersonStatus
from tongzhan.core.forms import offer_regions
from tongzhan.core.scope import grants, user_assignments
from tongzhan.lib import divisioncode
from tongzhan.people.models import Person

from .models import EngagementSettings
from .services.pairings import MAX_INTERVAL, MIN_INTERVAL, cadre_covers
from .services.settings import LIMITS

STATUS_OPEN, STATUS_ENDED, STATUS_ALL = "open", "ended", "all"
STATUS_CHOICES = [
    (STATUS_OPEN, _("进行中")),
    (STATUS_ENDED, _("已结束")),
    (STATUS_ALL, _("全部")),
]


WIDGET_CLASSES: dict[type, str] = {
    forms.Select: "form-select",
    forms.CheckboxInput: "form-check-input",
}


def style(form: forms.Form) -> None:
    for field in form.fields.values():
        css = WIDGET_CLASSES.get(type(field.widget), "form-control")
        field.widget.attrs.setdefault("class", css)


def business_roles() -> list[str]:
    """Roles that see persons: the ones a cadre can hold (not the 三员, not observers)."""
    return [code for code, role in ROLES.items() if "view" in role.data_actions]


def cadre_queryset(user):
    """Cadre choices: active users with a business role in the acting user's change area
    (below it, or above it like the county staff)."""
    from tongzhan.accounts.models import User

    area = Q()
    for assignment in user_assignments(user):
        if not grants(assignment, "change"):
            continue
        low, high = divisioncode.subtree_range(assignment.region_id)
        area |= Q(role_assignments__region_id__gte=low, role_assignments__region_id__lte=high)
        area |= Q(role_assignments__region_id__in=divisioncode.ancestors(assignment.region_id))
    if not area:
        return User.objects.none()
    candidates = User.objects.filter(
        area,
        is_active=True,
        role_assignments__active=True,
        role_assignments__role__in=business_roles(),
    )
    return User.objects.filter(pk__in=candidates.values("pk")).order_by("username")


def representatives(user):
    """The person picker: 党外代表人士 still in the registry, in the user's change scope."""
    return (
        Person.objects.restrict(user, "change")
        .filter(is_representative=True, status=PersonStatus.ACTIVE)
        .select_related("region")
        .order_by("region_id", "name_pinyin", "pk")
    )


def cadre_label(user) -> str:
    name = user.display_name or user.username
    return f"{name} · {user.unit}" if user.unit else name


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return cadre_label(user)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.name} · {person.region.name}"


class PairingFilterForm(forms.Form):
    """The unit page's filter (and the API's): cadre, region subtree, state, overdue."""

    cadre = forms.IntegerField(label=_("干部"), required=False, widget=forms.Select)
    region = forms.CharField(label=_("区域代码"), required=False, max_length=12)
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        style(self)
        self.fields["region"].widget.attrs.update(inputmode="numeric", maxlength="12")
        offer_regions(self.fields["region"], user)

    def clean_region(self):
        code = self.cleaned_data.get("region", "").strip()
        if code and not divisioncode.is_valid(code):
            raise forms.ValidationError(_("区域代码应为 12 位统计用区划代码。"))
        return code


class PairingForm(forms.Form):
    """A new pairing: who befriends whom, from when, at what interval."""

    cadre = CadreChoiceField(label=_("干部"), queryset=None)
    person = PersonChoiceField(label=_("交友对象（党外代表人士）"), queryset=None)
    start_date = forms.DateField(label=_("结对日期"))
    interval_months = forms.IntegerField(
        label=_("联系周期（月）"),
        required=False,
        min_value=MIN_INTERVAL,
        max_value=MAX_INTERVAL,
        help_text=_("留空则按县里为此人类别设定的周期"),
    )
    notes = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["cadre"].queryset = cadre_queryset(user)
        self.fields["person"].queryset = representatives(user)
        self.fields["start_date"].widget = forms.DateInput(
            attrs={"type": "date"}, format="%Y-%m-%d"
        )
        self.fields["start_date"].initial = timezone.localdate()
        style(self)

    def clean(self):
        data = super().clean()
        cadre, person = data.get("cadre"), data.get("person")
        if cadre and person and not cadre_covers(cadre, person):
            self.add_error("cadre", _("所选干部的工作范围不包括该交友对象，不能结对。"))
        return data


class PairingEditForm(forms.Form):
    """What changes on a pairing: the interval override, the start date, the notes."""

    start_date = forms.DateField(label=_("结对日期"))
    interval_months = PairingForm.base_fields["interval_months"]
    notes = forms.CharField(label=_("备注"), required=False, max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].widget = forms.DateInput(
            attrs={"type": "date"}, format="%Y-%m-%d"
        )
        style(self)


class PairingEndForm(forms.Form):
    end_date = forms.DateField(label=_("结束日期"))
    reason = forms.CharField(label=_("结束原因"), max_length=100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["end_date"].initial = timezone.localdate()
        style(self)


def category_field(code: str) -> str:
    return f"category_{code}"


class SettingsForm(forms.Form):
    """The county settings; one optional interval field per category."""

    late_entry_days = forms.IntegerField(
        label=_("补录阈值（天）"),
        min_value=LIMITS["late_entry_days"][0],
        max_value=LIMITS["late_entry_days"][1],
        help_text=_("联系发生后超过此天数才录入的记录标为“补录”"),
    )
    default_interval_months = forms.IntegerField(
        label=_("默认联系周期（月）"),
        min_value=MIN_INTERVAL,
        max_value=MAX_INTERVAL,
    )
    request_deadline_days = forms.IntegerField(
        label=_("诉求默认办理时限（天）"),
        min_value=LIMITS["request_deadline_days"][0],
        max_value=LIMITS["request_deadline_days"][1],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, settings: EngagementSettings, **kwargs):
        initial = {
            "late_entry_days": settings.late_entry_days,
            "default_interval_months": settings.default_interval_months,
            "request_deadline_days": settings.request_deadline_days,
            "version": settings.version,
        }
        for code, months in settings.category_interval_months.items():
            initial[category_field(code)] = months
        super().__init__(data, initial=initial, **kwargs)
        for category in Category:
            self.fields[category_field(category.value)] = forms.IntegerField(
                label=category.label,
                required=False,
                min_value=MIN_INTERVAL,
                max_value=MAX_INTERVAL,
            )
        style(self)

    def main_fields(self):
        names = ("late_entry_days", "default_interval_months", "request_deadline_days")
        return [self[name] for name in names]

    def category_fields(self):
        return [self[category_field(c.value)] for c in Category]

    def service_data(self) -> dict:
        data = self.cleaned_data
        months = {c.value: data.get(category_field(c.value)) for c in Category}
        return {
            "late_entry_days": data["late_entry_days"],
            "default_interval_months": data["default_interval_months"],
            "request_deadline_days": data["request_deadline_days"],
            "category_interval_months": {k: v for k, v in months.items() if v},
        }
