"""The audit log's search form."""

from datetime import date

from django import forms
from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditResult

# Outside these bounds a day's start cannot be converted to UTC (or is plainly a typo).
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
DATE_ERRORS = {"invalid": _("请输入有效日期，例如 2026-03-01。")}


def object_type_choices() -> list[tuple[str, str]]:
    """The project's models, by the label `record` stores as the object type."""
    models = [m for m in apps.get_models() if m.__module__.startswith("tongzhan.")]
    choices = sorted((m._meta.label_lower, str(m._meta.verbose_name)) for m in models)
    return [("", _("全部")), *choices]


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        error_messages=DATE_ERRORS,
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )


class AuditFilterForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        choices=[("", _("全部")), *AuditAction.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    result = forms.ChoiceField(
        label=_("结果"),
        required=False,
        choices=[("", _("全部")), *AuditResult.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    object_type = forms.ChoiceField(
        label=_("对象类型"),
        required=False,
        choices=object_type_choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    obj = forms.CharField(
        label=_("对象 ID 或名称"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    date_from = _date_field(_("起始日期"))
    date_to = _date_field(_("截止日期"))

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return cleaned
