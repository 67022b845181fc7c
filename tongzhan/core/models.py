"""Regions (行政区划): the five-level tree keyed by the 12-digit division code."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhan.lib import divisioncode

from .choices import RegionLevel, UrbanRural


class RegionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired=False)

    def within(self, code: str):
        low, high = divisioncode.subtree_range(code)
        return self.filter(code__gte=low, code__lte=high)

    def children_of(self, code: str):
        return self.filter(parent_id=code)

    def roots(self):
        """The top of the stored tree: regions whose parent is not stored (a deployment's
        root may be a province, a city or a county)."""
        stored = Region.objects.filter(code=models.OuterRef("parent_id"))
        return self.filter(models.Q(parent__isnull=True) | ~models.Exists(stored))


class Region(models.Model):
    """One administrative division; the code is the key, so subtrees are code ranges."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=RegionLevel.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级区划"),
        db_constraint=False,
    )
    urban_rural = models.CharField(
        _("城乡分类"), max_length=3, choices=UrbanRural.choices, blank=True
    )
    valid_year = models.PositiveSmallIntegerField(_("有效年度"))
    retired = models.BooleanField(_("已撤销"), default=False)
    retired_year = models.PositiveSmallIntegerField(_("撤销年度"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.level = divisioncode.level_of(self.code)
        self.parent_id = divisioncode.parent_of(self.code)
        super().save(*args, **kwargs)

    @property
    def kind(self) -> str:
        if self.level == RegionLevel.TOWNSHIP:
            return divisioncode.township_kind(self.code)
        if self.level == RegionLevel.VILLAGE:
            return divisioncode.village_kind(self.code)
        return self.get_level_display()

    def subtree_range(self) -> tuple[str, str]:
        return divisioncode.subtree_range(self.code)

    def ancestors(self) -> list["Region"]:
        """From the root down to the parent, in one query."""
        codes = []
        code = divisioncode.parent_of(self.code)
        while code:
            codes.append(code)
            code = divisioncode.parent_of(code)
        return list(Region.objects.filter(code__in=codes).order_by("code"))
