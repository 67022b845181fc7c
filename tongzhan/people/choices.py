"""Code tables of the registry that are not national standards."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArrangementKind(models.TextChoices):
    """政治安排 kinds."""

    NPC = "npc", _("人大代表")
    CPPCC = "cppcc", _("政协委员")
    OTHER = "other", _("其他职务")


class EnterpriseScale(models.TextChoices):
    """企业规模 (统计上大中小微型企业划分)."""

    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class RelationKind(models.TextChoices):
    FAMILY = "family", _("家庭成员")
    SOCIAL = "social", _("社会关系")
