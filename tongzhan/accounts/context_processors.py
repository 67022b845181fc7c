"""Navigation by role: each entry names the permission or data action it needs."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import roles

# (label, url name, icon, test). The test sees the user's set of roles.
NAV = [
    (_("首页"), "dashboard:home", "home", lambda r: True),
    (
        _("统战对象"),
        "people:list",
        "users",
        lambda r: any("view" in roles.ROLES[c].data_actions for c in r),
    ),
    (
        _("统计汇总"),
        "people:stats",
        "chart",
        lambda r: any(roles.VIEW_STATS in roles.ROLES[c].permissions for c in r),
    ),
    (
        _("用户管理"),
        "accounts:user_list",
        "user-cog",
        lambda r: any(roles.MANAGE_ACCOUNTS in roles.ROLES[c].permissions for c in r),
    ),
    (
        _("行政区划"),
        "core:region_list",
        "map",
        lambda r: any(roles.MANAGE_REGIONS in roles.ROLES[c].permissions for c in r),
    ),
    (
        _("安全策略"),
        "accounts:security_policy",
        "shield",
        lambda r: any(roles.MANAGE_SECURITY in roles.ROLES[c].permissions for c in r),
    ),
    (
        _("审计日志"),
        "audit:log",
        "list-search",
        lambda r: any(roles.READ_AUDIT in roles.ROLES[c].permissions for c in r),
    ),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = user.active_roles()
    items = []
    for label, url_name, icon, test in NAV:
        if test(held):
            url = reverse(url_name)
            items.append(
                {
                    "label": label,
                    "url": url,
                    "icon": icon,
                    "active": url != "/" and request.path.startswith(url) or request.path == url,
                }
            )
    role_labels = [str(roles.ROLES[c].label) for c in sorted(held)]
    return {"nav_items": items, "role_labels": role_labels}
