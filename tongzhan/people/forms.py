"""The person record forms: one set of rules for the page and the API.

`PersonRecordForm` bundles the main `PersonForm`, the line profiles and the child rows
(政治安排, 简历, 家庭成员及社会关系). The API builds the same form from its JSON body
(`record_form_data`), so a rule lives here once.
"""

import re
from datetime import date

from django import forms
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from tongzhan.accounts.roles import ROLES, VIEW_SENSITIVE
from tongzhan.core.choices import Category, Gender, PersonStatus
from tongzhan.core.models import Region
from tongzhan.core.scope import grants, regions_for, user_assignments
from tongzhan.lib import chinese, divisioncode, idcard, uscc
from tongzhan.lib.text import format_list

from .models import (
    NonPublicProfile,
    OverseasProfile,
    Person,
    PoliticalArrangement,
    Relation,
    ReligiousProfile,
    ResumeEntry,
)

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")
# Ledgers pad 张三 to "张　三" so that columns line up: such spaces are not part of a name.
SPACE_NEXT_TO_HAN_RE = chinese._SPACE_NEXT_TO_HAN_RE
EARLIEST = date(1900, 1, 1)
MAX_ROWS = 50


class Keep:
    """An ID or phone field left as shown (masked) or left out: keep the stored value."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


# --- shared behaviour -------------------------------------------------------------------------


def normalise_text(value: str, multiline: bool = False) -> str:
    """Full-width → half-width and stray spaces removed; the characters themselves (繁 or
    简) are kept as typed."""
    if multiline:
        lines = [chinese.clean(line) for line in value.splitlines()]
        return "\n".join(lines).strip("\n")
    return chinese.clean(value)


class NormalisedMixin:
    """Every text the user typed is normalised before any field sees it."""

    def normalise_data(self) -> None:
        if not self.is_bound:
            return
        data = self.data.copy()
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                continue
            key = self.add_prefix(name)
            value = data.get(key)
            if isinstance(value, str):
                data[key] = normalise_text(value, isinstance(field.widget, forms.Textarea))
        self.data = data

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            if isinstance(field, forms.ChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = [("", "—"), *field.choices[1:]]
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 3)
            if isinstance(field, forms.DateField):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"


class BlankRowMixin:
    """A child row or line profile with every field left blank is ignored, not an error."""

    def full_clean(self):
        if self.is_bound and self.is_blank():
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_blank(self) -> bool:
        for name, field in self.fields.items():
            if name == "DELETE":
                continue
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if value not in (None, "", [], ()):
                return False
        return True

    def row(self) -> dict | None:
        """The cleaned values for the service; None for a blank or deleted row."""
        if self.is_blank() or self.cleaned_data.get("DELETE"):
            return None
        return {k: v for k, v in self.cleaned_data.items() if k != "DELETE"}


class RowForm(NormalisedMixin, BlankRowMixin, forms.ModelForm):
    """Base of the profile and child-row forms: normalised, styled, blank = ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # An empty first option, so that an untouched row stays blank.
            if isinstance(field, forms.TypedChoiceField) and field.choices[0][0] != "":
                field.choices = [("", "—"), *field.choices]
        self.normalise_data()
        self.style_widgets()

    def check_dates(self, start="start", end="end") -> None:
        first, last = self.cleaned_data.get(start), self.cleaned_data.get(end)
        if first and last and last < first:
            self.add_error(end, _("结束日期不能早于开始日期。"))


def _not_future(value):
    if value and not EARLIEST <= value <= date.today():
        raise forms.ValidationError(_("日期应在 1900-01-01 与今天之间。"))
    return value


# --- the main form ------------------------------------------------------------------------------

IDENTITY = (
    "name",
    "former_name",
    "gender",
    "birth_date",
    "id_number",
    "native_place",
    "birthplace",
    "health",
)
EDUCATION_WORK = (
    "education",
    "degree",
    "fulltime_education",
    "fulltime_school",
    "inservice_education",
    "inservice_school",
    "professional_title",
    "work_unit",
    "post",
    "work_start",
    "social_posts",
    "specialty",
)
CONTACT = ("phone", "email", "address")
UNITED_FRONT = (
    "region",
    "categories",
    "responsible_cadre",
    "is_representative",
    "representative_level",
    "resume",
    "recommendation",
    "notes",
)
SECTIONS = (
    ("identity", _("身份信息"), IDENTITY),
    ("sensitive", _("政治面貌与宗教"), Person.SENSITIVE_FIELDS),
    ("work", _("学历与工作"), EDUCATION_WORK),
    ("contact", _("通讯方式"), CONTACT),
    ("united_front", _("统战工作"), UNITED_FRONT),
)
# Person model fields the form edits (the rest: ID/phone, categories, version, are extra).
MODEL_FIELDS = tuple(
    name
    for _key, _title, names in SECTIONS
    for name in names
    if name not in ("id_number", "phone", "categories")
)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return f"{region.code} {region.name}"


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        name = user.display_name or user.username
        return f"{name} · {user.unit}" if user.unit else name


def change_roles() -> list[str]:
    return [code for code, role in ROLES.items() if "change" in role.data_actions]


def cadre_queryset(user, current_id=None):
    """联系干部 choices: active users holding a role that may change records in the acting
    user's regions (below them, or above them, like the county staff)."""
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
        role_assignments__role__in=change_roles(),
    )
    keep = Q(pk=current_id) if current_id else Q(pk__in=[])
    return User.objects.filter(Q(pk__in=candidates.values("pk")) | keep).order_by("username")


def cadre_covers(cadre, region_code: str) -> bool:
    """Whether one of the cadre's roles may change records of the region."""
    return any(
        grants(a, "change") and divisioncode.is_within(region_code, a.region_id)
        for a in cadre.role_assignments.filter(active=True)
    )


class PersonForm(NormalisedMixin, forms.ModelForm):
    """The person's own fields; region, 联系干部 and line choices come from the user's scope.

    Status is not here: it changes by an action with a date and a reason.
    """

    gender = forms.ChoiceField(
        label=_("性别"),
        choices=[("", "—"), *Gender.choices],
        required=False,
        help_text=_("填写身份证号时可留空，按身份证号自动识别"),
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=40,
        help_text=_("18 位；出生日期、性别留空时按身份证号填入，已填时核对"),
    )
    phone = forms.CharField(
        label=_("联系电话"), required=False, max_length=30, help_text=_("手机号或座机（区号-号码）")
    )
    region = RegionChoiceField(label=_("所属区域"), queryset=None)
    categories = forms.MultipleChoiceField(
        label=_("类别"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    responsible_cadre = CadreChoiceField(label=_("联系干部"), queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = MODEL_FIELDS

    def __init__(self, *args, user, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.person = user, person
        regions = regions_for(user, "change").filter(retired=False, level__gte=3)
        if person is not None:  # a retired region stays selectable for its own records
            regions = Region.objects.filter(Q(pk__in=regions.values("pk")) | Q(pk=person.region_id))
        self.fields["region"].queryset = regions.order_by("code")
        self.fields["responsible_cadre"].queryset = cadre_queryset(
            user, person.responsible_cadre_id if person else None
        )
        if not user.has_job(VIEW_SENSITIVE):
            # Roles without the field permission neither see nor set these fields.
            for name in Person.SENSITIVE_FIELDS:
                del self.fields[name]
        self.normalise_data()
        self.style_widgets()

    def sections(self):
        """(key, title, bound fields) per section; a section with no field is left out."""
        for key, title, names in SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                yield key, title, fields

    # --- single fields

    def clean_name(self):
        name = SPACE_NEXT_TO_HAN_RE.sub("", self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("请填写姓名。"))
        return name

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and not EARLIEST <= value <= date.today():
            raise forms.ValidationError(_("出生日期应在 1900-01-01 与今天之间。"))
        return value

    def clean_party_join_date(self):
        return _not_future(self.cleaned_data.get("party_join_date"))

    def clean_non_party_date(self):
        return _not_future(self.cleaned_data.get("non_party_date"))

    def clean_work_start(self):
        return _not_future(self.cleaned_data.get("work_start"))

    def clean_id_number(self):
        if self._kept("id_number"):
            return KEEP
        value = self.cleaned_data.get("id_number", "")
        if not value:
            return ""
        try:
            return idcard.validate(value).number
        except idcard.IdNumberError as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from None

    def clean_phone(self):
        if self._kept("phone"):
            return KEEP
        phone = re.sub(r"[\s()]", "", self.cleaned_data.get("phone", ""))
        phone = re.sub(r"^(?:\+86|0086)-?", "", phone)
        if MOBILE_RE.match(phone.replace("-", "")):
            return phone.replace("-", "")  # 138-1234-5678 is stored as the 11 digits
        if phone and not LANDLINE_RE.match(phone):
            raise forms.ValidationError(_("联系电话格式不正确：应为 11 位手机号或“区号-号码”。"))
        return phone

    def _kept(self, name: str) -> bool:
        """Left out of the request, or sent back as the masked value the form showed."""
        key = self.add_prefix(name)
        if key not in self.data:
            return self.person is not None
        shown = getattr(self.person, f"{name}_masked", "") if self.person else ""
        return bool(shown) and self.data.get(key) == shown

    # --- across fields

    def clean(self):
        data = super().clean()
        self._check_id_number(data)
        if not data.get("gender") and "gender" not in self.errors:
            self.add_error("gender", _("请选择性别，或填写身份证号以自动识别。"))
        if "is_representative" in data:
            self._check_representative(data)
        self._check_cadre(data)
        self._check_lines(data.get("categories") or [])
        return data

    def _check_id_number(self, data) -> None:
        """Birth date and gender: filled in from the ID number when blank, else checked."""
        number = data.get("id_number")
        if number is KEEP:
            number = self.person.id_number if self.person else ""
        if not number or "id_number" in self.errors:
            return
        try:
            info = idcard.validate(number)
        except idcard.IdNumberError:
            return  # a stored legacy value: the field itself was not edited
        self._check_birth_date(data, info.birth_date)
        self._check_gender(data, info.gender)

    def _check_birth_date(self, data, derived: date) -> None:
        if "birth_date" in self.errors:
            return
        entered = data.get("birth_date")
        if entered is None:
            data["birth_date"] = derived
        elif entered != derived:
            message = _("出生日期 %(entered)s 与身份证号中的出生日期 %(derived)s 不一致。")
            dates = {"entered": f"{entered:%Y-%m-%d}", "derived": f"{derived:%Y-%m-%d}"}
            self.add_error("birth_date", message % dates)

    def _check_gender(self, data, derived: str) -> None:
        entered = data.get("gender")
        if not entered and "gender" not in self.errors:
            data["gender"] = derived
        elif entered in (Gender.MALE, Gender.FEMALE) and entered != derived:
            message = _("性别“%(entered)s”与身份证号不一致：按身份证号第 17 位应为“%(derived)s”。")
            labels = {"entered": Gender(entered).label, "derived": Gender(derived).label}
            self.add_error("gender", message % labels)

    def _check_representative(self, data) -> None:
        if not data["is_representative"]:
            data["representative_level"] = ""
        elif not data.get("representative_level") and "representative_level" not in self.errors:
            self.add_error("representative_level", _("请选择党外代表人士的层级。"))

    def _check_cadre(self, data) -> None:
        cadre, region = data.get("responsible_cadre"), data.get("region")
        if not cadre or not region:
            return
        person = self.person
        current = (person.responsible_cadre_id, person.region_id) if person else None
        if current != (cadre.pk, region.pk) and not cadre_covers(cadre, region.pk):
            self.add_error("responsible_cadre", _("所选联系干部的工作范围不包括该记录的所属区域。"))

    def _check_lines(self, categories) -> None:
        """A line-restricted user (成员单位) may only keep persons of its own lines."""
        assignments = [a for a in user_assignments(self.user) if grants(a, "change")]
        if assignments and all(a.lines for a in assignments):
            lines = {line for a in assignments for line in a.lines}
            if categories and not lines.intersection(categories):
                labels = format_list(Category(c).label for c in sorted(lines))
                self.add_error(
                    "categories", _("至少应包含您所负责条线的一个类别：%(l)s。") % {"l": labels}
                )


# --- line profiles and child rows -------------------------------------------------------------------


class NonPublicForm(RowForm):
    """非公经济人士: the enterprise, with its 统一社会信用代码 checked (GB 32100)."""

    class Meta:
        model = NonPublicProfile
        fields = [
            "enterprise",
            "uscc",
            "industry",
            "scale",
            "employees",
            "revenue",
            "tax",
            "chamber",
        ]

    def clean_uscc(self):
        value = self.cleaned_data.get("uscc", "")
        if not value:
            return ""
        try:
            return uscc.validate(value).code
        except uscc.UsccError as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from None

    def clean(self):
        data = super().clean()
        for name in ("revenue", "tax"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("不能为负数。"))
        return data


class ReligiousForm(RowForm):
    """宗教界人士: religion, 教职, venue."""

    class Meta:
        model = ReligiousProfile
        fields = ["religion", "clerical_post", "venue"]


class OverseasForm(RowForm):
    """港澳台侨: ties abroad and the country or region."""

    class Meta:
        model = OverseasProfile
        fields = ["ties", "country_region"]


class ArrangementForm(RowForm):
    """One 政治安排 row."""

    class Meta:
        model = PoliticalArrangement
        fields = ["kind", "level", "term", "post", "start", "end"]

    def clean(self):
        data = super().clean()
        self.check_dates()
        return data


class ResumeEntryForm(RowForm):
    """One 简历 row."""

    class Meta:
        model = ResumeEntry
        fields = ["start", "end", "description"]

    def clean(self):
        data = super().clean()
        self.check_dates()
        return data


class RelationForm(RowForm):
    """One family member or social relation."""

    class Meta:
        model = Relation
        fields = ["kind", "relationship", "name", "work"]


class RowFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
        # A table row has no <label>s: name each input for screen readers.
        for field in form.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)

    def rows(self) -> list[dict]:
        return [row for form in self.forms if (row := form.row()) is not None]


def _formset(form_class):
    return forms.formset_factory(
        form_class,
        formset=RowFormSet,
        extra=1,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
    )


# name -> (form, the categories it belongs to, title)
PROFILES = {
    "non_public": (NonPublicForm, {Category.NON_PUBLIC_ECONOMY}, _("非公经济人士信息")),
    "religious": (ReligiousForm, {Category.RELIGIOUS}, _("宗教界人士信息")),
    "overseas": (
        OverseasForm,
        {Category.HK_MACAO, Category.TAIWAN, Category.OVERSEAS_CHINESE},
        _("港澳台侨信息"),
    ),
}
# name -> (formset, title)
CHILDREN = {
    "arrangements": (_formset(ArrangementForm), _("政治安排")),
    "resume_entries": (_formset(ResumeEntryForm), _("简历")),
    "relations": (_formset(RelationForm), _("家庭成员及社会关系")),
}


# --- the whole record ------------------------------------------------------------------------------


class PersonRecordForm:
    """The person form, its line profiles and its child rows, validated together.

    Parts left out of the request are left as they are: a request without the
    "arrangements-TOTAL_FORMS" key does not touch the 政治安排 rows. A profile whose
    category is not ticked is removed. The 宗教 profile is for VIEW_SENSITIVE roles only.
    """

    def __init__(self, data=None, *, user, person: Person | None = None):
        self.user, self.person, self.data = user, person, data
        current = record_values(person) if person else {}
        self.main = PersonForm(data, user=user, person=person, initial=current or None)
        self.profiles = {
            name: form_class(data, prefix=name, initial=current.get(name) or None)
            for name, (form_class, _lines, _title) in PROFILES.items()
            if name != "religious" or user.has_job(VIEW_SENSITIVE)
        }
        self.formsets = {}
        for name, (formset_class, _title) in CHILDREN.items():
            bound = data is not None and f"{name}-TOTAL_FORMS" in data
            self.formsets[name] = formset_class(
                data if bound else None,
                prefix=name,
                initial=None if bound else current.get(name),
            )
        self._used_profiles: set[str] = set()

    def _submitted(self, name: str) -> bool:
        return self.data is not None and any(key.startswith(f"{name}-") for key in self.data)

    def is_valid(self) -> bool:
        valid = self.main.is_valid()
        ticked = set(self.main.cleaned_data.get("categories") or [])
        for name, form in self.profiles.items():
            if self._submitted(name) and PROFILES[name][1] & ticked:
                self._used_profiles.add(name)
                valid = form.is_valid() and valid
            elif form.is_bound:
                # Not in use: its fields are neither checked nor saved.
                form._errors, form.cleaned_data = ErrorDict(), {}
        for formset in self.formsets.values():
            if formset.is_bound:
                valid = formset.is_valid() and valid
        return valid

    def service_data(self) -> dict:
        """The cleaned values in the shape services.do_create/update_person take."""
        cleaned = self.main.cleaned_data
        data = {
            k: v
            for k, v in cleaned.items()
            if k in self.main.fields and k != "version" and v is not KEEP
        }
        ticked = set(cleaned["categories"])
        for name, form in self.profiles.items():
            if not PROFILES[name][1] & ticked:
                data[name] = None
            elif name in self._used_profiles:
                data[name] = form.row()
        for name, formset in self.formsets.items():
            if formset.is_bound:
                data[name] = formset.rows()
        return data

    def profile_sections(self):
        """(name, title, lines, form) of each profile the user may edit."""
        for name, form in self.profiles.items():
            _form_class, lines, title = PROFILES[name]
            yield name, title, " ".join(sorted(lines)), form

    def child_sections(self):
        for name, formset in self.formsets.items():
            yield name, CHILDREN[name][1], formset

    def error_list(self) -> list[dict]:
        """Every error with its place in the JSON body, for the API."""
        errors = [
            {"loc": ["body", "" if field == "__all__" else field], "msg": str(message)}
            for field, messages in self.main.errors.items()
            for message in messages
        ]
        for name in self._used_profiles:
            for field, messages in self.profiles[name].errors.items():
                errors += [{"loc": ["body", name, field], "msg": str(m)} for m in messages]
        for name, formset in self.formsets.items():
            if not formset.is_bound:
                continue
            for index, form_errors in enumerate(formset.errors):
                for field, messages in form_errors.items():
                    errors += [
                        {"loc": ["body", name, index, field], "msg": str(m)} for m in messages
                    ]
            errors += [{"loc": ["body", name], "msg": str(m)} for m in formset.non_form_errors()]
        return errors


def _values(instance, names) -> dict:
    return {name: getattr(instance, name) for name in names}


def record_values(person: Person) -> dict:
    """The record in the API's shape: what an edit starts from. ID and phone are given as
    their masked forms, which the form reads as "unchanged"."""
    values = _values(person, MODEL_FIELDS)
    values.update(
        region=person.region_id,
        responsible_cadre=person.responsible_cadre_id,
        id_number=person.id_number_masked,
        phone=person.phone_masked,
        categories=person.category_codes(),
        version=person.version,
    )
    for name, (form_class, _lines, _title) in PROFILES.items():
        profile = getattr(person, name, None)
        values[name] = _values(profile, form_class._meta.fields) if profile else None
    for name, (formset_class, _title) in CHILDREN.items():
        fields = formset_class.form._meta.fields
        values[name] = [_values(row, fields) for row in getattr(person, name).all()]
    return values


def record_form_data(values: dict) -> dict:
    """Form data (as a browser would post it) for values in the API's shape."""
    data = {}
    for key, value in values.items():
        if key in PROFILES:
            fields = PROFILES[key][0]._meta.fields
            data.update({f"{key}-{f}": _form_value((value or {}).get(f)) for f in fields})
        elif key in CHILDREN:
            rows = value or []
            data[f"{key}-TOTAL_FORMS"], data[f"{key}-INITIAL_FORMS"] = str(len(rows)), "0"
            for index, row in enumerate(rows):
                data.update({f"{key}-{index}-{f}": _form_value(v) for f, v in row.items()})
        else:
            data[key] = _form_value(value)
    return data


def _form_value(value):
    return "" if value is None else value


# --- status and photo ---------------------------------------------------------------------------


class StatusForm(forms.Form):
    """调出 / 去世 / 退出 / back to 在库, with the date and the reason."""

    status = forms.ChoiceField(label=_("新状态"), choices=PersonStatus.choices)
    date = forms.DateField(label=_("日期"))
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.Textarea)

    def __init__(self, *args, person: Person, **kwargs):
        kwargs.setdefault("initial", {"date": date.today()})
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["status"].choices = [
            (value, label) for value, label in PersonStatus.choices if value != person.status
        ]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "status" else "form-control"
        self.fields["date"].widget.input_type = "date"
        self.fields["date"].widget.format = "%Y-%m-%d"
        self.fields["reason"].widget.attrs["rows"] = 2

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > date.today():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        if value < EARLIEST:
            raise forms.ValidationError(_("日期应在 1900-01-01 与今天之间。"))
        return value

    def clean_reason(self):
        reason = chinese.clean(self.cleaned_data["reason"])
        if not reason:
            raise forms.ValidationError(_("请填写原因。"))
        return reason


class PhotoForm(forms.Form):
    """A photo for the 登记表: JPEG or PNG, checked by its content, not its name."""

    photo = forms.FileField(
        label=_("照片"),
        help_text=_("JPEG 或 PNG 图片，不超过 5 MB；长边超过 600 像素时自动缩小。"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png", "class": "form-control"}),
    )

    def clean_photo(self):
        from . import photos

        try:
            return photos.prepare(self.cleaned_data["photo"])
        except photos.PhotoError as exc:
            raise forms.ValidationError(str(exc)) from None
