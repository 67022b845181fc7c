"""The roles of DOMAIN.md: what each may do with data and which jobs it holds.

A role assignment puts a role on a region (块) and, for member-unit contacts,
on lines (条). Data actions feed the scope rule; permissions gate pages.
系统管理员, 安全管理员 and 审计管理员 (三员) are mutually exclusive, hold no
business role, and each can do only its own job.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tongzhan.core.choices import RegionLevel


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    data_actions: frozenset[str]
    permissions: frozenset[str] = field(default_factory=frozenset)
    region_levels: tuple[int, ...] = (RegionLevel.COUNTY,)
    needs_lines: bool = False
    admin_job: bool = False  # one of the 三员

    def __str__(self) -> str:
        return str(self.label)


# Permissions (jobs and field rights), checked by `user_has_perm`.
VIEW_SENSITIVE = "view_sensitive"  # 宗教信仰, 政治面貌, 民族
UNMASK = "unmask"  # show an ID or phone number unmasked (audited)
EXPORT = "export"
VIEW_STATS = "view_stats"
MANAGE_ACCOUNTS = "manage_accounts"
MANAGE_REGIONS = "manage_regions"
MANAGE_SECURITY = "manage_security"
READ_AUDIT = "read_audit"

UPPER_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)

ROLE_LIST = [
    Role(
        "dept_head",
        _("部领导"),
        frozenset({"view", "aggregate"}),
        frozenset({VIEW_SENSITIVE, VIEW_STATS}),
    ),
    Role(
        "staff",
        _("统战部干部"),
        frozenset({"view", "change", "aggregate", "record"}),
        frozenset({VIEW_SENSITIVE, UNMASK, EXPORT, VIEW_STATS}),
    ),
    Role(
        "unit_contact",
        _("成员单位联络人"),
        frozenset({"view", "change", "aggregate", "record"}),
        frozenset({VIEW_SENSITIVE, VIEW_STATS}),
        needs_lines=True,
    ),
    Role(
        "township_member",
        _("乡镇统战委员"),
        frozenset({"view", "change", "aggregate", "record"}),
        frozenset({VIEW_SENSITIVE, UNMASK, EXPORT, VIEW_STATS}),
        region_levels=(RegionLevel.TOWNSHIP,),
    ),
    Role(
        "village_liaison",
        _("村统战联络员"),
        frozenset({"view", "record"}),
        frozenset(),
        region_levels=(RegionLevel.VILLAGE,),
    ),
    # A superior department (市/省 统战部) sees totals of the counties below it, no names.
    Role(
        "observer",
        _("上级统战部（仅汇总）"),
        frozenset({"aggregate"}),
        frozenset({VIEW_STATS}),
        region_levels=UPPER_LEVELS,
    ),
    Role(
        "sys_admin",
        _("系统管理员"),
        frozenset(),
        frozenset({MANAGE_ACCOUNTS, MANAGE_REGIONS}),
        region_levels=UPPER_LEVELS,
        admin_job=True,
    ),
    Role(
        "sec_admin",
        _("安全管理员"),
        frozenset(),
        frozenset({MANAGE_SECURITY}),
        region_levels=UPPER_LEVELS,
        admin_job=True,
    ),
    Role(
        "audit_admin",
        _("审计管理员"),
        frozenset(),
        frozenset({READ_AUDIT}),
        region_levels=UPPER_LEVELS,
        admin_job=True,
    ),
]
ROLES = {role.code: role for role in ROLE_LIST}
ROLE_CHOICES = [(role.code, role.label) for role in ROLE_LIST]
ADMIN_ROLES = frozenset(code for code, role in ROLES.items() if role.admin_job)

# The lines each member unit usually works on (a default when assigning a contact).
MEMBER_UNIT_LINES = {
    "工商联": ["06", "07"],
    "民宗局": ["04", "05"],
    "侨联": ["11", "08"],
    "台办": ["10", "09"],
    "知识分子联谊会": ["03"],
}
