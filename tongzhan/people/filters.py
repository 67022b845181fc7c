"""Finding persons: the filter form and the query behind the list page and the API.

Every query starts from `Person.objects.restrict(user, "view")`; the search box and the
filters narrow it, the category counts and the page are read from it. Whatever the
filters, a page costs one pass over the result for the total and the counts per category
together, and one statement for the page's rows with their regions and categories; a
first page that holds the whole result (a search for one person) is counted from itself.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
)
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from tongzhan.accounts.roles import VIEW_SENSITIVE
from tongzhan.core.choices import (
    DEMOCRATIC_PARTIES,
    Category,
    PersonStatus,
    PoliticalStatus,
    Religion,
    RepresentativeLevel,
)
from tongzhan.core.forms import offer_regions
from tongzhan.core.scope import grants, user_assignments
from tongzhan.lib import chinese, divisioncode

from .choices import ArrangementKind
from .models import Person, PoliticalArrangement, codes_of, in_categories
from .search import search_q

PAGE_SIZE = 50
PARTY_CODES = [code for code, *_names in DEMOCRATIC_PARTIES]
ANY_PARTY = "parties"
ANY_LEVEL = "any"
MAX_AGE = 150
# Each order ends in the primary key so that pages never overlap. The default one reads
# the page straight from the (region, name_pinyin, id) index; the others sort the rows of
# the scope (a county at most: no role views more), which costs less than an index per
# order would cost every import.
SORTS = {
    "region": ("region_id", "name_pinyin", "id"),
    "name": ("name_pinyin", "id"),
    "birth": ("birth_date", "id"),
    "updated": ("-updated_at", "-id"),
}
SORT_CHOICES = [
    ("region", _("按区域")),
    ("name", _("按姓名拼音")),
    ("birth", _("按出生日期")),
    ("updated", _("按最近修改")),
]


def _with_all(label, choices, *extra):
    """Choices of a filter: "all" (empty), then `extra`, then the code table's. A callable,
    which Django copies with the form as it is: every form copies its fields, and copying
    these lists label by label took 0.15 of the form's 0.36 ms."""
    items = [("", label), *extra, *choices.choices]
    return lambda: items


class PersonFilterForm(forms.Form):
    """The search box, the filters and the sort of the person list (page and API)."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    region = forms.CharField(label=_("区域代码"), required=False, max_length=12)
    category = forms.ChoiceField(
        label=_("类别"), choices=_with_all(_("全部类别"), Category), required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=_with_all(_("全部状态"), PersonStatus), required=False
    )
    political_status = forms.ChoiceField(
        label=_("政治面貌"),
        choices=_with_all(_("全部"), PoliticalStatus, (ANY_PARTY, _("民主党派成员（全部）"))),
        required=False,
    )
    religion = forms.ChoiceField(
        label=_("宗教信仰"), choices=_with_all(_("全部"), Religion), required=False
    )
    representative = forms.ChoiceField(
        label=_("党外代表人士"),
        choices=_with_all(_("全部"), RepresentativeLevel, (ANY_LEVEL, _("各层级代表人士"))),
        required=False,
    )
    arrangement = forms.ChoiceField(
        label=_("政治安排"),
        choices=_with_all(_("全部"), ArrangementKind),
        required=False,
    )
    arrangement_level = forms.ChoiceField(
        label=_("政治安排层级"),
        choices=_with_all(_("全部层级"), RepresentativeLevel),
        required=False,
    )
    arrangement_current = forms.BooleanField(label=_("仅现任"), required=False)
    age_min = forms.IntegerField(
        label=_("最小年龄"), required=False, min_value=0, max_value=MAX_AGE
    )
    age_max = forms.IntegerField(
        label=_("最大年龄"), required=False, min_value=0, max_value=MAX_AGE
    )
    sort = forms.ChoiceField(label=_("排序"), choices=lambda: SORT_CHOICES, required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.show_sensitive = user.has_job(VIEW_SENSITIVE)
        for field in self.fields.values():
            css = {
                forms.Select: "form-select",
                forms.CheckboxInput: "form-check-input",
            }.get(type(field.widget), "form-control")
            field.widget.attrs.setdefault("class", css)
        self.fields["q"].widget.attrs["placeholder"] = _(
            "姓名、拼音、首字母、身份证号、电话、工作单位或企业"
        )
        self.fields["region"].widget.attrs.update(inputmode="numeric", maxlength="12")
        offer_regions(self.fields["region"], user)

    def clean_region(self):
        code = self.cleaned_data.get("region", "").strip()
        if code and not divisioncode.is_valid(code):
            raise forms.ValidationError(_("区域代码应为 12 位统计用区划代码。"))
        return code

    def clean_political_status(self):
        return self._sensitive("political_status")

    def clean_religion(self):
        return self._sensitive("religion")

    def _sensitive(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        if value and not self.show_sensitive:
            # Filtering on a field reveals it: refuse, as the field itself is withheld.
            raise forms.ValidationError(_("您没有按此项筛选的权限。"))
        return value

    def clean(self):
        data = super().clean()
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("最大年龄不能小于最小年龄。"))
        return data

    def query_string(self) -> str:
        """The filters as typed, without the page: what a saved filter keeps."""
        pairs = [(name, str(self.data.get(name, "")).strip()) for name in self.fields]
        return urlencode([(name, value) for name, value in pairs if value])


def filter_people(queryset, data: dict, *, regions=None, today: date | None = None):
    """Apply the cleaned filters, all but the category (the counts are taken before it).

    `regions`: code ranges that cover the queryset's scope, for the search (search_q).
    """
    condition = search_q(data.get("q") or "", regions)
    if condition is not None:
        queryset = queryset.filter(condition)
    if data.get("region"):
        low, high = divisioncode.subtree_range(data["region"])
        queryset = queryset.filter(region_id__gte=low, region_id__lte=high)
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    if data.get("political_status"):
        queryset = queryset.filter(_political_q(data["political_status"]))
    if data.get("religion"):
        queryset = queryset.filter(
            Q(religion=data["religion"]) | Q(religious__religion=data["religion"])
        )
    if data.get("representative"):
        queryset = queryset.filter(_representative_q(data["representative"]))
    today = today or timezone.localdate()
    if data.get("arrangement") or data.get("arrangement_level") or data.get("arrangement_current"):
        queryset = queryset.filter(_arrangement_q(data, today))
    return queryset.filter(_age_q(data.get("age_min"), data.get("age_max"), today))


def _political_q(code: str) -> Q:
    """A party is matched as the first or the second party (双重党籍)."""
    if code == ANY_PARTY:
        return Q(political_status__in=PARTY_CODES) | Q(second_party__in=PARTY_CODES)
    if code in PARTY_CODES:
        return Q(political_status=code) | Q(second_party=code)
    return Q(political_status=code)


def _representative_q(level: str) -> Q:
    if level == ANY_LEVEL:
        return Q(is_representative=True)
    return Q(is_representative=True, representative_level=level)


def _arrangement_q(data: dict, today: date) -> Q:
    """Has a 政治安排 of the kind and level; current = not ended before today."""
    rows = PoliticalArrangement.objects.filter(person=OuterRef("pk"))
    if data.get("arrangement"):
        rows = rows.filter(kind=data["arrangement"])
    if data.get("arrangement_level"):
        rows = rows.filter(level=data["arrangement_level"])
    if data.get("arrangement_current"):
        rows = rows.filter(Q(end__isnull=True) | Q(end__gte=today))
    return Q(Exists(rows))


def _age_q(age_min: int | None, age_max: int | None, today: date) -> Q:
    """Age in whole years on `today`, from the birth date."""
    condition = Q()
    birth = Unindexed("birth_date")
    if age_min is not None:
        condition &= Q(LessThanOrEqual(birth, _years_before(today, age_min)))
    if age_max is not None:
        condition &= Q(GreaterThan(birth, _years_before(today, age_max + 1)))
    return condition


class Unindexed(Func):
    """A column that SQLite's planner must not choose an index for (unary +, its documented
    hint). Without it SQLite, which has no statistics on ranges, reads a 20-year birth-date
    range of the whole province instead of the user's region range."""

    template = "%(expressions)s"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


def _years_before(day: date, years: int) -> date:
    year = max(day.year - years, 1)
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=year, day=28)


def has_category(code: str) -> Q:
    return in_categories([code])


@dataclass
class CategoryCount:
    code: str
    label: str
    count: int


@dataclass
class PersonResults:
    """One page of the person list, with the counts per category of the whole result."""

    form: PersonFilterForm
    page: Page | None  # None when a filter value is invalid
    total: int
    counts: list[CategoryCount]


def scoped_search(user, data: dict):
    """The persons in the user's view scope that match cleaned filter data, before the
    category filter and the order (the category counts are taken at this point)."""
    return filter_people(
        Person.objects.restrict(user, "view"), data, regions=_search_regions(user, data)
    )


def list_queryset(user, params):
    """(persons, form): every person the list shows for these parameters, in its order.
    Persons is None when a parameter is invalid: exports never guess at a filter."""
    form = PersonFilterForm(params, user=user)
    if not form.is_valid():
        return None, form
    data = form.cleaned_data
    people = scoped_search(user, data)
    if data.get("category"):
        people = people.filter(has_category(data["category"]))
    return people.order_by(*SORTS[data.get("sort") or "region"]), form


def find_people(user, params, page_number=1) -> PersonResults:
    """Validate `params`, run the search in the user's scope, read one page and the counts."""
    form = PersonFilterForm(params, user=user)
    if not form.is_valid():
        return PersonResults(form=form, page=None, total=0, counts=[])
    data = form.cleaned_data
    people = scoped_search(user, data)
    category = data.get("category")
    order = SORTS[data.get("sort") or "region"]
    shown = people.filter(has_category(category)) if category else people
    rows = PageRows(shown.order_by(*order), order)
    if not category and _is_first_page(page_number):
        total, per_category = _count_first_page(people, rows)
    else:
        total, per_category = count_by_category(people)
    if category:
        # The counts stay those of every category, so the bar can switch between them.
        total = per_category.get(category, 0)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = total  # already counted: spare the paginator its own COUNT(*)
    counts = [CategoryCount(c.value, c.label, per_category.get(c.value, 0)) for c in Category]
    return PersonResults(form, paginator.get_page(page_number), total, counts)


def _is_first_page(number) -> bool:
    """Whether Paginator.get_page(number) answers the first page whatever the total."""
    try:
        return int(number) == 1
    except (TypeError, ValueError):
        return True  # not a number: get_page answers the first page


def _count_first_page(people, rows: "PageRows") -> tuple[int, dict[str, int]]:
    """The counts of count_by_category, taken from the first page when it holds the whole
    result (a search for one person needs no second pass), else counted."""
    page = rows[0:PAGE_SIZE]
    if len(page) == PAGE_SIZE:
        return count_by_category(people)
    per_category: dict[str, int] = {}
    for person in page:
        for code in person.codes:
            per_category[code] = per_category.get(code, 0) + 1
    return len(page), per_category


class PageRows:
    """The rows of one page in one statement: the page's ids in order in a subquery
    (narrow enough for an index to cover the scope, so sorting the scope does not read
    every row), around it those persons' list columns, region name and category codes."""

    def __init__(self, queryset, order):
        self.queryset, self.order = queryset, order
        self.read: tuple[slice, list[ListedPerson]] | None = None

    def __getitem__(self, window: slice) -> list["ListedPerson"]:
        # The first page may have been read to count it; the paginator asks for it again.
        if self.read and self.read[0].start == window.start and window.stop <= self.read[0].stop:
            return self.read[1][: window.stop - window.start]
        ids = self.queryset.values("pk")[window]
        # The region is joined to the page's rows only: joined to the scope's, SQLite may
        # walk core_region's code range first and then sort the whole scope.
        rows = (
            Person.objects.filter(pk__in=ids)
            .annotate(region_name=F("region__name"))
            .order_by(*self.order)
            .values_list(*ListedPerson.COLUMNS, "region_name", "category_bits")
        )
        self.read = (window, [ListedPerson(row) for row in rows])
        return self.read[1]


class RegionName(NamedTuple):
    code: str
    name: str


class ListedPerson:
    """A person as the list page and the API's list show it (api.records.to_summary): the
    columns they read, as plain values. Fifty Person instances of ~60 fields, with their
    region and categories prefetched, cost several times the page's query itself."""

    COLUMNS = (
        "id",
        "name",
        "gender",
        "birth_date",
        "region_id",
        "status",
        "status_date",
        "id_number_masked",
        "phone_masked",
        "ethnicity",
        "political_status",
        "version",
        "updated_at",
    )
    __slots__ = (*COLUMNS, "region", "codes")

    def __init__(self, row: tuple):
        *values, region_name, bits = row
        for name, value in zip(self.COLUMNS, values, strict=True):
            setattr(self, name, value)
        self.region = RegionName(self.region_id, region_name)
        self.codes = codes_of(bits)

    @property
    def pk(self) -> int:
        return self.id

    def get_gender_display(self) -> str:
        return _display("gender", self.gender)

    def get_status_display(self) -> str:
        return _display("status", self.status)

    def category_codes(self) -> list[str]:
        return list(self.codes)

    def category_labels(self) -> list[str]:
        return [Category(code).label for code in self.codes]


def _display(field: str, value):
    """What Person.get_<field>_display() shows for `value`."""
    return force_str(_choice_labels(field).get(value, value), strings_only=True)


@cache
def _choice_labels(field: str) -> dict:
    return dict(Person._meta.get_field(field).flatchoices)


def _search_regions(user, data: dict) -> list[tuple[str, str]]:
    """The code ranges a search must cover: the region filter's, else the user's scope."""
    if data.get("region"):
        return [divisioncode.subtree_range(data["region"])]
    return [
        divisioncode.subtree_range(a.region_id) for a in user_assignments(user) if grants(a, "view")
    ]


def count_by_category(people) -> tuple[int, dict[str, int]]:
    """The number of persons and the number in each category, in one pass over `people`.

    The persons are grouped by their categories' bit set, which the covering index holds
    (no probe of the category table per person): a few dozen combinations, split here.
    """
    rows = people.order_by().values_list("category_bits").annotate(n=Count("pk"))
    total, per_category = 0, {}
    for bits, n in rows:
        total += n
        for code in codes_of(bits):
            per_category[code] = per_category.get(code, 0) + n
    return total, per_category


def search_kind(text: str) -> str:
    """What the search box's text was read as (shown to the user, checked before saving)."""
    return chinese.query_keys(text).kind
