"""The demo's organisations: about twenty across 清溪县 (a 工商联 and its 商会, 民主党派基层组织,
the 联谊会, 宗教活动场所 with valid 登记证号, 非公企业 with valid 统一社会信用代码), with the
demo persons of each one's area and lines as members.

Call `load()` after core.demo.build_persons(); it writes through the services (audit rows
included) as the county staff account, and a second run adds nothing.
"""

from datetime import date

from tongzhan.lib import divisioncode, uscc

COUNTY = "330599000000"
# (name, type, region, extra fields, parent's name)
PLAN = [
    ("清溪县工商业联合会", "federation", COUNTY, {}, None),
    ("清溪县竹木产业商会", "chamber", COUNTY, {"chamber_kind": "trade"}, "清溪县工商业联合会"),
    ("清溪县温州商会", "chamber", COUNTY, {"chamber_kind": "hometown"}, "清溪县工商业联合会"),
    ("梅林镇商会", "chamber", "330599102000", {"chamber_kind": "area"}, "清溪县工商业联合会"),
    ("民建清溪县基层委员会", "party_branch", COUNTY, {}, None),
    ("民盟清溪县支部", "party_branch", "330599001000", {}, None),
    ("九三学社清溪县支社", "party_branch", COUNTY, {}, None),
    ("清溪县党外知识分子联谊会", "intellectuals", COUNTY, {}, None),
    ("清溪县新的社会阶层人士联谊会", "new_stratum", COUNTY, {}, None),
    ("清溪县归国华侨联合会", "returned_overseas", COUNTY, {}, None),
    ("清溪县海外联谊会", "overseas_friendship", COUNTY, {}, None),
    ("清溪县“三胞”联谊会", "three_compatriots", COUNTY, {}, None),
    ("竹坞镇乡土人才联谊会", "local_talent", "330599103000", {}, None),
    ("溪口禅寺", "religious_venue", "330599101001", {"religion": "F"}, None),
    ("云岭观", "religious_venue", "330599202201", {"religion": "D"}, None),
    ("清溪基督教堂", "religious_venue", "330599001002", {"religion": "J"}, None),
    ("茶岭天主堂", "religious_venue", "330599203201", {"religion": "T"}, None),
    ("青山竹木制品有限公司", "enterprise", "330599101201", {}, None),
    ("梅林茶业有限公司", "enterprise", "330599102201", {}, None),
    ("白石矿泉水有限公司", "enterprise", "330599201201", {}, None),
    ("湖滨新材料科技有限公司", "enterprise", "330599002001", {}, None),
    ("清溪县律师协会", "social_org", COUNTY, {}, None),
]
# type -> (the leader's title, the members' title)
ROLES = {
    "federation": ("主席", "执委"),
    "chamber": ("会长", "会员"),
    "party_branch": ("主任委员", "成员"),
    "religious_venue": ("负责人", "教职人员"),
    "enterprise": ("董事长", "股东"),
}
DEFAULT_ROLES = ("会长", "会员")
MEMBERS = 5
SINCE = date(2021, 6, 1)


def demo_uscc(serial: int) -> str:
    body = f"91330599MA{serial:07d}"
    return body + uscc.check_char(body)


def venue_certificate(letter: str, serial: int) -> str:
    # 湖州 is city 05 of 浙江; the county part is the demo county's 599.
    return f"宗场证字(浙){letter}05599{serial:04d}"


def _extra(kind: str, extra: dict, serial: int) -> dict:
    values = dict(extra)
    if kind == "religious_venue":
        values["venue_certificate"] = venue_certificate(extra["religion"], serial)
    if kind in ("enterprise", "chamber", "federation", "social_org"):
        values["uscc"] = demo_uscc(serial)
    return values


def candidates(region: str, kind: str):
    """Active persons of the organisation's lines in its area (widened to the township, then
    the county, when the area has none), in a fixed order."""
    from tongzhan.core.choices import PersonStatus
    from tongzhan.people.models import Person

    from .choices import ORG_TYPE_LINES

    lines = [str(c) for c in ORG_TYPE_LINES[kind]]
    for area in (region, region[:9] + "000", COUNTY):
        low, high = divisioncode.subtree_range(area)
        found = list(
            Person.objects.filter(
                region_id__gte=low,
                region_id__lte=high,
                status=PersonStatus.ACTIVE,
                categories__category__in=lines,
            )
            .distinct()
            .order_by("pk")[:MEMBERS]
        )
        if found:
            return found
    return []


def load(today: date | None = None) -> tuple[int, int]:
    """Create the organisations not yet there (same name and region); (new, kept)."""
    from tongzhan.accounts.models import User
    from tongzhan.core.models import Region

    from . import services
    from .models import Organisation

    staff = User.objects.get(username="staff")
    regions = Region.objects.in_bulk({region for _n, _k, region, _e, _p in PLAN})
    by_name = dict(Organisation.objects.values_list("name", "pk"))
    created = 0
    for serial, (name, kind, region, extra, parent) in enumerate(PLAN, start=1):
        if Organisation.objects.filter(name=name, region_id=region).exists():
            continue
        members = candidates(region, kind)
        data = {
            "name": name,
            "org_type": kind,
            "region": regions[region],
            "parent": Organisation.objects.get(pk=by_name[parent]) if parent else None,
            "leader": members[0] if members else None,
            "founded_on": date(1990 + serial, serial % 12 + 1, 1),
            "active": True,
            **_extra(kind, extra, serial),
        }
        org = services.do_create_org(staff, data)
        by_name[name] = org.pk
        _add_members(staff, org, members, today or date.today())
        created += 1
    return created, len(PLAN) - created


def _add_members(staff, org, members, today: date) -> None:
    from . import services

    head, rest = ROLES.get(org.org_type, DEFAULT_ROLES)
    for index, person in enumerate(members):
        data = {"role": head if index == 0 else rest, "start_date": SINCE}
        if index == len(members) - 1 and index > 1:
            # One former member per organisation shows the history.
            data.update(start_date=date(2016, 3, 1), end_date=date(2020, 12, 31))
        services.do_add_membership(staff, org, person, data)
