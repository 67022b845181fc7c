"""Forms of the region pages: search, and the upload step of the import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .regioncsv import YEAR_RANGE, ParsedFile, RegionFileError, read_region_csv

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a whole province's list is ~3 MB


class RegionSearchForm(forms.Form):
    q = forms.CharField(label=_("代码或名称"), max_length=50, required=False)


class RegionImportForm(forms.Form):
    file = forms.FileField(
        label=_("区划文件（CSV）"),
        help_text=_(
            "列：区划代码,名称[,城乡分类][,年度]；可带表头；UTF-8 或 GBK 编码（Excel 另存为 CSV 即可）。"
        ),
    )
    year = forms.IntegerField(
        label=_("有效年度"),
        required=False,
        min_value=YEAR_RANGE[0],
        max_value=YEAR_RANGE[1],
        help_text=_("留空则取文件中的年度列；没有年度列则为今年。"),
    )
    partial = forms.BooleanField(
        label=_("部分更新：不撤销文件中缺少的区划"),
        required=False,
        help_text=_(
            "不勾选时，文件最上层区划之下、系统中有而文件中没有的区划将标为已撤销（不会删除）。"
        ),
    )

    parsed: ParsedFile

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大：上限为 10 MB。"))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("请上传 CSV 文件（.csv）；Excel 文件请先“另存为 CSV”。"))
        try:
            self.parsed = read_region_csv(upload.read())
        except RegionFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


# Up to this many regions in scope, a list filter offers them in a drop-down; a wider
# scope (a city or a province: tens of thousands of villages) keeps the code box.
REGION_PICKER_LIMIT = 400


class RegionPicker(forms.Select):
    """A drop-down of the regions in the user's scope, indented by level; a 12-digit code
    box when there are none or too many. The regions are read only when the widget is
    drawn, so the API, which uses the same filter forms, pays nothing for it."""

    def __init__(self, user, action: str, attrs=None):
        super().__init__(attrs)
        self.user, self.action = user, action

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.user, copy.action = self.user, self.action
        return copy

    def render(self, name, value, attrs=None, renderer=None):
        choices = region_choices(self.user, self.action)
        if choices is None:
            box = forms.TextInput(
                {**self.attrs, "class": "form-control", "inputmode": "numeric", "maxlength": "12"}
            )
            box.attrs["placeholder"] = _("12 位区划代码")
            return box.render(name, value, attrs, renderer)
        self.choices = choices
        self.attrs["class"] = "form-select"
        return super().render(name, value, attrs, renderer)


def region_choices(user, action: str = "view") -> list[tuple[str, str]] | None:
    """("", 全部区域) and the regions in scope, indented by level; None when there are none
    or more than REGION_PICKER_LIMIT."""
    from .scope import regions_for

    regions = list(
        regions_for(user, action)
        .filter(retired=False)
        .order_by("code")
        .values_list("code", "name", "level")[: REGION_PICKER_LIMIT + 1]
    )
    if not regions or len(regions) > REGION_PICKER_LIMIT:
        return None
    top = min(level for _code, _name, level in regions)
    return [("", _("全部区域"))] + [
        (code, "\u3000" * (level - top) + name) for code, name, level in regions
    ]


def offer_regions(field: forms.Field, user, action: str = "view") -> None:
    """Give a list filter's region-code field the RegionPicker. The field still holds a
    12-digit code, so the form's own checks and the API stay as they are."""
    field.widget = RegionPicker(user, action)
    field.label = _("区域")
