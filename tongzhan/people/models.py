"""The core 统战对象 record; issue #3 completes the registry on top of it."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tongzhan.core.choices import Category, Ethnicity, Gender, PersonStatus, PoliticalStatus
from tongzhan.core.scope import ScopedQuerySet
from tongzhan.lib import crypto, masking


class Person(models.Model):
    """A person the department keeps in touch with (统战对象)."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    region = models.ForeignKey("core.Region", models.PROTECT, verbose_name=_("所属区域"))
    status = models.CharField(
        _("状态"), max_length=12, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    status_date = models.DateField(_("状态日期"), null=True, blank=True)
    # Sensitive: encrypted at rest, masked on screen, found by blind index.
    phone_encrypted = models.TextField(_("联系电话（加密）"), blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Shown only to roles with the view_sensitive permission.
    ethnicity = models.CharField(_("民族"), max_length=3, choices=Ethnicity.choices, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=2, choices=PoliticalStatus.choices, blank=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    scope_region_field = "region_id"
    SENSITIVE_FIELDS = ("ethnicity", "political_status")

    class Meta:
        ordering = ["region_id", "name", "pk"]
        verbose_name = _("统战对象")
        verbose_name_plural = _("统战对象")
        indexes = [models.Index(fields=["region", "name"])]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_line_q(lines: list[str]) -> Q:
        return Q(Exists(PersonCategory.objects.filter(person=OuterRef("pk"), category__in=lines)))

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    @phone.setter
    def phone(self, value: str) -> None:
        value = (value or "").strip()
        self.phone_encrypted = crypto.encrypt(value)
        self.phone_index = crypto.blind_index(value)

    @property
    def phone_masked(self) -> str:
        return masking.mask_phone(self.phone) if self.phone_encrypted else ""

    def category_codes(self) -> list[str]:
        return sorted(c.category for c in self.categories.all())

    def category_labels(self) -> list[str]:
        return [Category(code).label for code in self.category_codes()]


class PersonCategory(models.Model):
    """A person's membership in one of the 12 categories; lines (条) filter on these."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="categories")
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
