"""The person form: one set of rules for the page and the API."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhan.accounts.roles import VIEW_SENSITIVE
from tongzhan.core.choices import Category, Ethnicity, Gender, PersonStatus, PoliticalStatus
from tongzhan.core.scope import regions_for, user_assignments
from tongzhan.lib.text import format_list

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return f"{region.code} {region.name}"


class PersonForm(forms.Form):
    """Create or edit a person; region and line choices come from the user's scope."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    birth_date = forms.DateField(
        label=_("出生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = RegionChoiceField(label=_("所属区域"), queryset=None)
    categories = forms.MultipleChoiceField(
        label=_("类别"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=PersonStatus.choices, initial=PersonStatus.ACTIVE
    )
    status_date = forms.DateField(
        label=_("状态日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("调出、去世或退出的日期"),
    )
    phone = forms.CharField(
        label=_("联系电话"), required=False, max_length=20, help_text=_("手机号或座机（区号-号码）")
    )
    ethnicity = forms.ChoiceField(
        label=_("民族"), choices=[("", "—")] + Ethnicity.choices, required=False
    )
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=[("", "—")] + PoliticalStatus.choices, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = (
            regions_for(user, "change").filter(retired=False, level__gte=3).order_by("code")
        )
        if not user.has_job(VIEW_SENSITIVE):
            # Roles without the field permission neither see nor set these fields.
            del self.fields["ethnicity"], self.fields["political_status"]
        for field in self.visible_fields():
            if not isinstance(field.field.widget, forms.CheckboxSelectMultiple):
                css = (
                    "form-select"
                    if isinstance(field.field.widget, forms.Select)
                    else "form-control"
                )
                field.field.widget.attrs.setdefault("class", css)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写姓名。"))
        return name

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and not date(1900, 1, 1) <= value <= date.today():
            raise forms.ValidationError(_("出生日期应在 1900-01-01 与今天之间。"))
        return value

    def clean_phone(self):
        phone = re.sub(r"[\s()（）]", "", self.cleaned_data.get("phone", ""))
        if phone and not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
            raise forms.ValidationError(_("联系电话格式不正确：应为 11 位手机号或“区号-号码”。"))
        return phone

    def clean(self):
        data = super().clean()
        self._check_lines(data.get("categories") or [])
        if data.get("status") == PersonStatus.ACTIVE and data.get("status_date"):
            data["status_date"] = None
        return data

    def _check_lines(self, categories) -> None:
        """A line-restricted user (成员单位) may only keep persons of its own lines."""
        assignments = [a for a in user_assignments(self.user) if "change" in _actions(a)]
        if assignments and all(a.lines for a in assignments):
            lines = {line for a in assignments for line in a.lines}
            if categories and not lines.intersection(categories):
                labels = format_list(Category(c).label for c in sorted(lines))
                self.add_error(
                    "categories", _("至少应包含您所负责条线的一个类别：%(l)s。") % {"l": labels}
                )


def _actions(assignment) -> frozenset[str]:
    from tongzhan.accounts.roles import ROLES

    return ROLES[assignment.role].data_actions


class PersonFilterForm(forms.Form):
    """List filters; every value is validated, a bad one is ignored with an error shown."""

    q = forms.CharField(label=_("姓名"), required=False, max_length=50)
    region = forms.CharField(label=_("区域代码"), required=False, max_length=12)
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部类别"))] + Category.choices, required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部状态"))] + PersonStatus.choices, required=False
    )

    def clean_region(self):
        from tongzhan.lib import divisioncode

        code = self.cleaned_data.get("region", "").strip()
        if code and not divisioncode.is_valid(code):
            raise forms.ValidationError(_("区域代码应为 12 位统计用区划代码。"))
        return code
