"""Code tables of the orgs app: organisation types and the lines (条) each belongs to."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhan.core.choices import Category


class OrgType(models.TextChoices):
    """The organisation types of DOMAIN.md."""

    PARTY_BRANCH = "party_branch", _("民主党派基层组织")
    FEDERATION = "federation", _("工商联")
    CHAMBER = "chamber", _("商会")
    INTELLECTUALS = "intellectuals", _("知联会")
    NEW_STRATUM = "new_stratum", _("新联会")
    RETURNED_OVERSEAS = "returned_overseas", _("侨联")
    OVERSEAS_FRIENDSHIP = "overseas_friendship", _("海外联谊会")
    LOCAL_TALENT = "local_talent", _("乡土人才联谊会")
    THREE_COMPATRIOTS = "three_compatriots", _("“三胞”联谊会")
    RELIGIOUS_VENUE = "religious_venue", _("宗教活动场所")
    ENTERPRISE = "enterprise", _("非公企业")
    SOCIAL_ORG = "social_org", _("社会组织")


class ChamberKind(models.TextChoices):
    """商会 are organised by trade or by the members' home place."""

    TRADE = "trade", _("行业商会")
    HOMETOWN = "hometown", _("异地商会")
    AREA = "area", _("基层商会")


# The lines (categories of persons) whose member-unit contacts work on each type: a
# 工商联 contact (lines 06/07) sees chambers and firms, a 民宗局 contact venues.
ORG_TYPE_LINES: dict[str, tuple[str, ...]] = {
    OrgType.PARTY_BRANCH: (Category.DEMOCRATIC_PARTY,),
    OrgType.FEDERATION: (Category.NON_PUBLIC_ECONOMY, Category.NEW_SOCIAL_STRATUM),
    OrgType.CHAMBER: (Category.NON_PUBLIC_ECONOMY,),
    OrgType.INTELLECTUALS: (Category.INTELLECTUAL,),
    OrgType.NEW_STRATUM: (Category.NEW_SOCIAL_STRATUM,),
    OrgType.RETURNED_OVERSEAS: (Category.OVERSEAS_CHINESE, Category.STUDIED_ABROAD),
    OrgType.OVERSEAS_FRIENDSHIP: (Category.OVERSEAS_CHINESE, Category.HK_MACAO, Category.TAIWAN),
    OrgType.LOCAL_TALENT: (Category.OTHER,),
    OrgType.THREE_COMPATRIOTS: (Category.HK_MACAO, Category.TAIWAN, Category.OVERSEAS_CHINESE),
    OrgType.RELIGIOUS_VENUE: (Category.RELIGIOUS,),
    OrgType.ENTERPRISE: (Category.NON_PUBLIC_ECONOMY,),
    OrgType.SOCIAL_ORG: (Category.NEW_SOCIAL_STRATUM,),
}


def types_for_lines(lines) -> list[str]:
    """The organisation types a line-restricted user works on."""
    wanted = set(lines)
    return [code for code, type_lines in ORG_TYPE_LINES.items() if wanted & set(type_lines)]
