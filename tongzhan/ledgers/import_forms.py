"""The forms of a ledger import (upload, confirm): one set of rules for pages and API."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhan.core.choices import Category
from tongzhan.core.scope import regions_for

from .services import MAX_FILE_BYTES, ImportRefused, check_upload


class RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return f"{region.code} {region.name}"


class ImportUploadForm(forms.Form):
    """A ledger file and what to assume where the file says nothing."""

    file = forms.FileField(
        label=_("花名册文件"),
        help_text=_("Excel（.xlsx、.xls、.xlsm）、.ods 或 CSV（UTF-8 或 GBK）；最大 50 MB。"),
    )
    default_region = RegionChoice(
        label=_("默认所属区域"),
        queryset=None,
        required=False,
        help_text=_("文件中没有“所属区域/村（社区）”列或某行未填写时使用。"),
    )
    default_categories = forms.MultipleChoiceField(
        label=_("默认类别"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("文件中没有“类别”列或某行未填写时使用（例如整本都是非公经济人士名册）。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = regions_for(user, "change").filter(retired=False, level__gte=3)
        self.fields["default_region"].queryset = regions.order_by("code")
        self.fields["file"].widget.attrs.update(
            {"class": "form-control", "accept": ".xlsx,.xls,.xlsm,.ods,.csv"}
        )
        self.fields["default_region"].widget.attrs["class"] = "form-select"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload.name, upload.size)
        except ImportRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload

    def options(self) -> dict:
        region = self.cleaned_data.get("default_region")
        return {
            "default_region": region.code if region else "",
            "default_categories": sorted(self.cleaned_data.get("default_categories") or []),
        }


class ImportConfirmForm(forms.Form):
    skip_duplicates = forms.BooleanField(
        label=_("疑似重复的行不导入"),
        required=False,
        help_text=_("与文件中前面的行或系统中已有记录同名（或同拼音）且出生日期相同的行。"),
    )


__all__ = ["ImportConfirmForm", "ImportUploadForm", "MAX_FILE_BYTES"]
