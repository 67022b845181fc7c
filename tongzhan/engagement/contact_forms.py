"""Forms of the contact log pages (full page and phone page) and the list's filters.

The forms only read input; the services decide what may be written (persons in scope,
cadres among the choices, no future date) and answer with field errors.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzhan.core.forms import offer_regions
from tongzhan.lib import divisioncode

from . import attachments
from .choices import ContactMode, RequestCategory
from .services.contacts import LogData, cadre_choices

REQUEST_LINES = 3


class IdListField(forms.Field):
    """Repeated hidden inputs of ids (the person picker's chips) → a list of ints."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return list(dict.fromkeys(int(v) for v in value if str(v).strip()))
        except (TypeError, ValueError):
            raise forms.ValidationError(_("联系对象无效。")) from None

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(_("请至少选择一位联系对象。"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Any number of uploads; each checked by attachments.prepare."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not uploads:
            raise forms.ValidationError(_("请选择要上传的照片或文件。"))
        if len(uploads) > attachments.MAX_PER_LOG:
            raise forms.ValidationError(
                _("每条联系记录最多 %(n)s 个附件。") % {"n": attachments.MAX_PER_LOG}
            )
        prepared, errors = [], []
        for upload in uploads:
            try:
                prepared.append(attachments.prepare(upload))
            except attachments.AttachmentError as exc:
                errors.append(f"{attachments.clean_name(upload.name)}：{exc}")
        if errors:
            raise forms.ValidationError(errors)
        return prepared


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif not isinstance(widget, forms.RadioSelect | forms.MultipleHiddenInput):
            widget.attrs.setdefault("class", "form-control")


class ContactLogForm(forms.Form):
    """A contact log: who, when, how, what was said; on the create page also the 诉求
    raised and the photos and files."""

    persons = IdListField(label=_("联系对象"))
    happened_on = forms.DateField(
        label=_("联系日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    happened_time = forms.TimeField(
        label=_("联系时间"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    mode = forms.ChoiceField(
        label=_("联系方式"), choices=ContactMode.choices, widget=forms.RadioSelect
    )
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    summary = forms.CharField(
        label=_("交流内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    cadres = forms.ModelMultipleChoiceField(
        label=_("其他参与干部"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("您本人自动记为参与干部。"),
    )
    uploads = FilesField(
        label=_("照片和文件"),
        required=False,
        help_text=_(
            "JPEG、PNG 图片（不超过 10 MB，自动缩小并去除拍摄信息）或 PDF、DOCX、XLSX 文件"
            "（不超过 20 MB），最多 10 个。"
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, files=None, *, user, log=None, with_extras=True, **kwargs):
        super().__init__(data, files, **kwargs)
        self.user = user
        # The author is always present: on a new log the user, on an edit the log's author.
        author = log.created_by_id if log is not None else user.pk
        self.fields["cadres"].queryset = cadre_choices(user).exclude(pk=author)
        self.fields["happened_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["uploads"].widget.attrs["accept"] = attachments.ACCEPT
        if not with_extras:
            del self.fields["uploads"]
        self.request_lines = []
        if with_extras and log is None:
            self._add_request_lines()
        if log is None:
            self.fields.pop("version")
            self.initial.setdefault("happened_on", timezone.localdate())
            self.initial.setdefault("mode", ContactMode.VISIT)
        _styled(self)

    def _add_request_lines(self) -> None:
        for n in range(REQUEST_LINES):
            self.fields[f"request_title_{n}"] = forms.CharField(
                label=_("诉求事项"),
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("诉求事项")}),
            )
            self.fields[f"request_category_{n}"] = forms.ChoiceField(
                label=_("类别"), choices=[("", "—")] + RequestCategory.choices, required=False
            )
            self.request_lines.append((self[f"request_title_{n}"], self[f"request_category_{n}"]))

    def clean(self):
        data = super().clean()
        for n in range(len(self.request_lines)):
            title, category = data.get(f"request_title_{n}"), data.get(f"request_category_{n}")
            if title and not category:
                self.add_error(f"request_category_{n}", _("请选择诉求类别。"))
            elif category and not title:
                self.add_error(f"request_title_{n}", _("请填写诉求事项。"))
        return data

    def log_data(self) -> LogData:
        data = self.cleaned_data
        return LogData(
            happened_on=data["happened_on"],
            happened_time=data.get("happened_time"),
            mode=data["mode"],
            place=data.get("place", ""),
            summary=data["summary"],
            persons=data["persons"],
            cadres=[u.pk for u in data.get("cadres") or []],
        )

    def requests_raised(self, person_id: int) -> list[dict]:
        """The 诉求 lines filled in, raised by `person_id` (the first person of the log)."""
        data = self.cleaned_data
        return [
            {
                "person": person_id,
                "title": data[f"request_title_{n}"].strip(),
                "category": data[f"request_category_{n}"],
            }
            for n in range(len(self.request_lines))
            if data.get(f"request_title_{n}")
        ]

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class QuickLogForm(forms.Form):
    """The phone page: one or more persons, a mode, the date, a few words, a photo."""

    persons = IdListField(label=_("联系对象"))
    mode = forms.ChoiceField(
        label=_("联系方式"),
        choices=ContactMode.choices,
        widget=forms.RadioSelect,
        initial=ContactMode.VISIT,
    )
    happened_on = forms.DateField(
        label=_("联系日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    summary = forms.CharField(
        label=_("交流内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("聊了什么、有什么困难或诉求")}),
    )
    photo = FilesField(label=_("拍照"), required=False)

    def __init__(self, data=None, files=None, *, user, **kwargs):
        super().__init__(data, files, **kwargs)
        self.user = user
        self.initial.setdefault("happened_on", timezone.localdate())
        self.initial.setdefault("mode", ContactMode.VISIT)
        self.fields["happened_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["photo"].widget = MultipleFileInput(
            attrs={"accept": "image/*", "capture": "environment"}
        )
        _styled(self)

    def log_data(self) -> LogData:
        data = self.cleaned_data
        return LogData(
            happened_on=data["happened_on"],
            mode=data["mode"],
            summary=data["summary"],
            persons=data["persons"],
        )

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class ContactFilterForm(forms.Form):
    """The list's filters (page and API)."""

    mode = forms.ChoiceField(
        label=_("联系方式"), choices=[("", _("全部方式"))] + ContactMode.choices, required=False
    )
    region = forms.CharField(label=_("区域代码"), max_length=12, required=False)
    date_from = forms.DateField(
        label=_("联系日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    person = forms.IntegerField(label=_("联系对象"), required=False, widget=forms.HiddenInput)
    cadre = forms.IntegerField(label=_("参与干部"), required=False, widget=forms.HiddenInput)
    late = forms.BooleanField(label=_("仅看补录"), required=False)

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, **kwargs)
        _styled(self)
        self.fields["region"].widget.attrs.update(inputmode="numeric", maxlength="12")
        if user is not None:  # the page's drop-down; the API sends codes
            offer_regions(self.fields["region"], user)

    def clean_region(self):
        code = self.cleaned_data.get("region", "").strip()
        if code and not divisioncode.is_valid(code):
            raise forms.ValidationError(_("区域代码应为 12 位统计用区划代码。"))
        return code

    def clean(self):
        data = super().clean()
        low, high = data.get("date_from"), data.get("date_to")
        if low and high and low > high:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


def form_errors(form: forms.Form) -> list[dict]:
    """Field errors as the API reports them."""
    return [
        {"loc": ["body", name] if name != "__all__" else ["body"], "msg": str(message)}
        for name, messages in form.errors.items()
        for message in messages
    ]
