"""The 统战对象 registry: the person, categories, line profiles, 政治安排, resume,
relations, status history and search keys."""

import functools

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _

from tongzhan.core.choices import (
    Category,
    Education,
    Ethnicity,
    Gender,
    PersonStatus,
    PoliticalStatus,
    Religion,
    RepresentativeLevel,
)
from tongzhan.core.scope import ScopedQuerySet
from tongzhan.lib import crypto, masking
from tongzhan.people.choices import ArrangementKind, EnterpriseScale, RelationKind


class Person(models.Model):
    """A person the department keeps in touch with (统战对象)."""

    # --- identity
    name = models.CharField(_("姓名"), max_length=50)
    former_name = models.CharField(_("曾用名"), max_length=50, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    native_place = models.CharField(_("籍贯"), max_length=50, blank=True)
    birthplace = models.CharField(_("出生地"), max_length=50, blank=True)
    health = models.CharField(_("健康状况"), max_length=20, blank=True)
    # Sensitive: encrypted at rest (SM4-GCM), found by blind index (HMAC-SM3); the masked
    # form is stored so that lists and exports never need to decrypt.
    id_number_encrypted = models.TextField(_("身份证号（加密）"), blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone_encrypted = models.TextField(_("联系电话（加密）"), blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通讯地址"), max_length=200, blank=True)
    # --- shown only to roles with the view_sensitive permission
    ethnicity = models.CharField(_("民族"), max_length=3, choices=Ethnicity.choices, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=2, choices=PoliticalStatus.choices, blank=True
    )
    party_join_date = models.DateField(_("加入党派时间"), null=True, blank=True)
    second_party = models.CharField(
        _("第二党派"), max_length=2, choices=PoliticalStatus.choices, blank=True
    )
    non_party_date = models.DateField(_("认定无党派人士时间"), null=True, blank=True)
    religion = models.CharField(_("宗教信仰"), max_length=1, choices=Religion.choices, blank=True)
    # --- education and work
    education = models.CharField(_("学历"), max_length=2, choices=Education.choices, blank=True)
    degree = models.CharField(_("学位"), max_length=30, blank=True)
    fulltime_education = models.CharField(_("全日制教育学历学位"), max_length=50, blank=True)
    fulltime_school = models.CharField(_("全日制毕业院校及专业"), max_length=100, blank=True)
    inservice_education = models.CharField(_("在职教育学历学位"), max_length=50, blank=True)
    inservice_school = models.CharField(_("在职毕业院校及专业"), max_length=100, blank=True)
    professional_title = models.CharField(_("职称"), max_length=50, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    post = models.CharField(_("职务"), max_length=100, blank=True)
    work_start = models.DateField(_("参加工作时间"), null=True, blank=True)
    social_posts = models.CharField(_("主要社会兼职"), max_length=200, blank=True)
    specialty = models.CharField(_("专业特长"), max_length=100, blank=True)
    # --- the department's view
    # No index of its own: every index below starts with the region.
    region = models.ForeignKey(
        "core.Region", models.PROTECT, verbose_name=_("所属区域"), db_index=False
    )
    responsible_cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("联系干部"),
    )
    is_representative = models.BooleanField(_("党外代表人士"), default=False)
    representative_level = models.CharField(
        _("代表人士层级"), max_length=10, choices=RepresentativeLevel.choices, blank=True
    )
    resume = models.TextField(_("简历"), blank=True)
    recommendation = models.TextField(_("推荐理由"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    photo = models.CharField(_("照片"), max_length=200, blank=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    status_date = models.DateField(_("状态日期"), null=True, blank=True)
    # --- search keys (simplified name; pinyin and initials live in PersonSearchKey)
    name_key = models.CharField(max_length=50, blank=True, editable=False)
    # The main reading of the name (search.pinyin_sort_key): the list's "by name" order.
    name_pinyin = models.CharField(max_length=64, blank=True, editable=False)
    # The person's categories (PersonCategory, the record) as a bit set, code NN as bit NN-1,
    # in the list's covering index: the counts per category and a line's scope are read
    # from the index instead of probing the category table once per person (17,000 probes
    # for a county). Every writer of categories sets it with the rows (set_categories,
    # the import, the merge, gen-data); tests hold them equal on each path.
    category_bits = models.IntegerField(default=0, db_default=0, editable=False)
    # --- bookkeeping
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    scope_region_field = "region_id"
    # Fields only roles with the view_sensitive permission see or set.
    SENSITIVE_FIELDS = (
        "ethnicity",
        "political_status",
        "party_join_date",
        "second_party",
        "non_party_date",
        "religion",
    )

    class Meta:
        ordering = ["region_id", "name", "pk"]
        verbose_name = _("统战对象")
        verbose_name_plural = _("统战对象")
        # Each index is paid for by every write of a person (an import writes 100,000):
        # the list's default order (region, name_pinyin, id) is the key of the covering
        # index of migration 0003, and the blind indexes and the name key are only ever
        # compared whole, so they are declared here rather than with db_index, which on
        # PostgreSQL adds a second, pattern-matching (_like) copy of each.
        indexes = [
            models.Index(fields=["region", "name"]),
            models.Index(fields=["region", "status"]),
            models.Index(fields=["birth_date"]),
            models.Index(fields=["id_number_index"], name="person_id_number_index"),
            models.Index(fields=["phone_index"], name="person_phone_index"),
            models.Index(fields=["name_key"], name="person_name_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_line_q(lines: list[str]) -> Q:
        return in_categories(lines)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    @phone.setter
    def phone(self, value: str) -> None:
        from .search import phone_key  # search imports this module

        value = (value or "").strip()
        self.phone_encrypted = crypto.encrypt(value)
        # Indexed as the search box reads a number: "138 1234 5678" finds 13812345678.
        self.phone_index = crypto.blind_index(phone_key(value))
        self.phone_masked = masking.mask_phone(value)

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted)

    @id_number.setter
    def id_number(self, value: str) -> None:
        from .search import id_number_key  # search imports this module

        value = (value or "").strip().upper()
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_number_index = crypto.blind_index(id_number_key(value))
        self.id_number_masked = masking.mask_id_number(value)

    def category_codes(self) -> list[str]:
        return sorted(c.category for c in self.categories.all())

    def set_categories(self, codes) -> None:
        """Replace the saved person's categories: the rows and the bit set, together."""
        codes = sorted(set(codes))
        self.categories.all().delete()
        PersonCategory.objects.bulk_create([PersonCategory(person=self, category=c) for c in codes])
        self.category_bits = category_bits(codes)
        Person.objects.filter(pk=self.pk).update(category_bits=self.category_bits)

    def category_labels(self) -> list[str]:
        return [Category(code).label for code in self.category_codes()]


def category_bits(codes) -> int:
    """The bit set of Person.category_bits for category codes: code NN is bit NN - 1."""
    bits = 0
    for code in codes:
        bits |= 1 << (int(code) - 1)
    return bits


def codes_of(bits: int) -> list[str]:
    """The category codes of a bit set, in code order."""
    return list(_codes_of(bits))


@functools.cache  # 4,096 possible sets; a list page decodes 50 (Category.values is slow)
def _codes_of(bits: int) -> tuple[str, ...]:
    return tuple(c for c in Category.values if bits >> (int(c) - 1) & 1)


def in_categories(codes, person: str = "") -> Q:
    """Persons in any of the categories: one AND on the column the covering index holds.
    `person` is the path to the person from another model ("person"), for line scopes."""
    column = f"{person}__category_bits" if person else "category_bits"
    return Q(GreaterThan(F(column).bitand(category_bits(codes)), 0))


class PersonCategory(models.Model):
    """A person's membership in one of the 12 categories; lines (条) filter on these."""

    # No index of its own: the unique (person, category) index serves lookups by person.
    person = models.ForeignKey(Person, models.CASCADE, related_name="categories", db_index=False)
    category = models.CharField(_("类别"), max_length=2, choices=Category.choices)

    class Meta:
        verbose_name = _("统战对象类别")
        verbose_name_plural = _("统战对象类别")
        constraints = [
            models.UniqueConstraint(fields=["person", "category"], name="uniq_person_category")
        ]
        indexes = [models.Index(fields=["category", "person"])]

    def __str__(self) -> str:
        return self.get_category_display()


class PersonSearchKey(models.Model):
    """One search key of a person: every pinyin reading and initials of the name, so that
    `zhangsan` or `zs` finds 张三 with a prefix range scan."""

    class Kind(models.TextChoices):
        PINYIN = "p", _("全拼")
        INITIALS = "i", _("首字母")

    # No index of its own: the unique (person, kind, key) index serves lookups by person.
    person = models.ForeignKey(Person, models.CASCADE, related_name="search_keys", db_index=False)
    kind = models.CharField(max_length=1, choices=Kind.choices)
    key = models.CharField(max_length=64)
    # The person's region, copied (search.index_person) so that a scoped search reads only
    # the keys of its own region range: the cost follows the scope, not how common "z" is.
    region_code = models.CharField(max_length=12, blank=True, editable=False)

    class Meta:
        verbose_name = _("检索键")
        verbose_name_plural = _("检索键")
        indexes = [
            models.Index(fields=["key", "person"]),
            models.Index(fields=["region_code", "key", "person"], name="search_key_region"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "key"], name="uniq_person_key")
        ]

    def __str__(self) -> str:
        return self.key


class NonPublicProfile(models.Model):
    """The 非公经济人士 line: the enterprise behind the person."""

    person = models.OneToOneField(Person, models.CASCADE, related_name="non_public")
    enterprise = models.CharField(_("企业名称"), max_length=100, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    scale = models.CharField(
        _("企业规模"), max_length=10, choices=EnterpriseScale.choices, blank=True
    )
    employees = models.PositiveIntegerField(_("员工数"), null=True, blank=True)
    revenue = models.DecimalField(
        _("营业收入（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    tax = models.DecimalField(
        _("纳税额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    chamber = models.CharField(_("所属商会"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("非公经济人士信息")
        verbose_name_plural = _("非公经济人士信息")

    def __str__(self) -> str:
        return self.enterprise


class ReligiousProfile(models.Model):
    """The 宗教界人士 line: religion, clerical post and venue."""

    person = models.OneToOneField(Person, models.CASCADE, related_name="religious")
    religion = models.CharField(_("宗教"), max_length=1, choices=Religion.choices)
    clerical_post = models.CharField(_("教职"), max_length=50, blank=True)
    venue = models.CharField(_("宗教活动场所"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("宗教界人士信息")
        verbose_name_plural = _("宗教界人士信息")

    def __str__(self) -> str:
        return self.get_religion_display()


class OverseasProfile(models.Model):
    """The 港澳台侨 line: ties abroad and the country or region."""

    person = models.OneToOneField(Person, models.CASCADE, related_name="overseas")
    ties = models.CharField(_("境外关系"), max_length=100, blank=True)
    country_region = models.CharField(_("国家或地区"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("港澳台侨信息")
        verbose_name_plural = _("港澳台侨信息")

    def __str__(self) -> str:
        return self.country_region


class PoliticalArrangement(models.Model):
    """One 政治安排: a seat in a 人大 or 政协 (or another post), dated."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="arrangements")
    kind = models.CharField(_("类型"), max_length=10, choices=ArrangementKind.choices)
    level = models.CharField(_("层级"), max_length=10, choices=RepresentativeLevel.choices)
    term = models.CharField(_("届次"), max_length=20, blank=True)
    post = models.CharField(_("职务"), max_length=100, blank=True)
    start = models.DateField(_("开始"), null=True, blank=True)
    end = models.DateField(_("结束"), null=True, blank=True)

    class Meta:
        ordering = ["person_id", "-start", "pk"]
        verbose_name = _("政治安排")
        verbose_name_plural = _("政治安排")
        indexes = [models.Index(fields=["kind", "level"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.get_kind_display()}"


class ResumeEntry(models.Model):
    """One line of the 简历: from, to, unit and post."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="resume_entries")
    start = models.DateField(_("开始"), null=True, blank=True)
    end = models.DateField(_("结束"), null=True, blank=True)
    description = models.CharField(_("单位及职务"), max_length=200)

    class Meta:
        ordering = ["person_id", "start", "pk"]
        verbose_name = _("简历")
        verbose_name_plural = _("简历")

    def __str__(self) -> str:
        return self.description


class Relation(models.Model):
    """A family member or social relation of the person."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="relations")
    kind = models.CharField(_("类型"), max_length=10, choices=RelationKind.choices)
    relationship = models.CharField(_("称谓"), max_length=20)
    name = models.CharField(_("姓名"), max_length=50)
    work = models.CharField(_("工作单位及职务"), max_length=200, blank=True)

    class Meta:
        ordering = ["person_id", "kind", "pk"]
        verbose_name = _("家庭成员及社会关系")
        verbose_name_plural = _("家庭成员及社会关系")

    def __str__(self) -> str:
        return f"{self.relationship} {self.name}"


class StatusChange(models.Model):
    """A change of status (调出/去世/退出/恢复在库), with date and reason: status is never
    changed by editing or deleting, so its history stays."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="status_changes")
    old_status = models.CharField(_("原状态"), max_length=12, choices=PersonStatus.choices)
    new_status = models.CharField(_("新状态"), max_length=12, choices=PersonStatus.choices)
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["person_id", "-date", "-pk"]
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")

    def __str__(self) -> str:
        return f"{self.get_old_status_display()} → {self.get_new_status_display()}"


class SavedFilter(models.Model):
    """A user's named search of the person list (its query string), shown as a quick link."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="saved_person_filters"
    )
    name = models.CharField(_("名称"), max_length=50)
    query = models.CharField(_("筛选条件"), max_length=1000)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["user_id", "name", "pk"]
        verbose_name = _("常用筛选")
        verbose_name_plural = _("常用筛选")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="uniq_saved_filter_name")
        ]

    def __str__(self) -> str:
        return self.name
