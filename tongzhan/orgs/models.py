"""Organisations (民主党派基层组织, 商会, 宗教活动场所, 非公企业 …) and who belongs to them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhan.core.choices import Religion
from tongzhan.core.scope import ScopedQuerySet

from .choices import ChamberKind, OrgType, types_for_lines


class Organisation(models.Model):
    """An organisation the department works with, filed under a region."""

    name = models.CharField(_("名称"), max_length=100)
    org_type = models.CharField(_("类型"), max_length=20, choices=OrgType.choices)
    region = models.ForeignKey("core.Region", models.PROTECT, verbose_name=_("所属区域"))
    parent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级组织"),
    )
    # The leader is usually a person in the registry; leader_name covers one who is not.
    leader = models.ForeignKey(
        "people.Person",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_organisations",
        verbose_name=_("负责人"),
    )
    leader_name = models.CharField(_("负责人姓名"), max_length=50, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    # Only 宗教活动场所: 宗场证字(渝)F000140001 (REFERENCE.md), and the religion.
    venue_certificate = models.CharField(_("宗教活动场所登记证号"), max_length=30, blank=True)
    religion = models.CharField(_("宗教"), max_length=1, choices=Religion.choices, blank=True)
    chamber_kind = models.CharField(
        _("商会类别"), max_length=10, choices=ChamberKind.choices, blank=True
    )
    founded_on = models.DateField(_("成立时间"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # An office number, not a person's: not sensitive personal data.
    office_phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    active = models.BooleanField(_("存续"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    scope_region_field = "region_id"

    class Meta:
        ordering = ["region_id", "org_type", "name", "pk"]
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        indexes = [
            models.Index(fields=["region", "org_type", "name"]),
            models.Index(fields=["org_type", "region"]),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_line_q(lines: list[str]) -> Q:
        return Q(org_type__in=types_for_lines(lines))


class Membership(models.Model):
    """A person's place in an organisation (会长, 会员 …) from one date to another."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="memberships", verbose_name=_("组织")
    )
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="memberships", verbose_name=_("人员")
    )
    role = models.CharField(_("职务"), max_length=30, blank=True)
    start_date = models.DateField(_("起始日期"), null=True, blank=True)
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    # A membership is seen through its organisation (the person must be in scope too:
    # services and views check both).
    objects = ScopedQuerySet.as_manager()

    scope_region_field = "organisation__region_id"

    class Meta:
        ordering = ["organisation_id", "start_date", "pk"]
        verbose_name = _("组织成员")
        verbose_name_plural = _("组织成员")
        indexes = [models.Index(fields=["person", "organisation"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.person} · {self.role}"

    @staticmethod
    def scope_line_q(lines: list[str]) -> Q:
        return Q(organisation__org_type__in=types_for_lines(lines))
