"""Navigation by role: each entry names the data action or the permission it needs."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import roles


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str  # a name known to templates/includes/icon.html
    action: str = ""  # a data action (roles.Role.data_actions) that shows the entry
    permission: str = ""  # or a permission (roles.Role.permissions)

    def shown_to(self, held: set[str]) -> bool:
        if not self.action and not self.permission:
            return True
        return any(
            self.action in roles.ROLES[code].data_actions
            or self.permission in roles.ROLES[code].permissions
            for code in held
        )


NAV = [
    NavEntry(_("首页"), "dashboard:home", "home"),
    NavEntry(_("统战对象"), "people:list", "users", action="view"),
    NavEntry(_("导入花名册"), "ledgers:import_list", "users", action="change"),
    NavEntry(_("组织"), "orgs:list", "building", action="view"),
    NavEntry(_("手机工作台"), "engagement:mobile_home", "phone", action="record"),
    NavEntry(_("我的朋友"), "engagement:pairing_mine", "heart", action="view"),
    NavEntry(_("联谊交友"), "engagement:pairing_list", "users", action="view"),
    NavEntry(_("联系记录"), "engagement:contact_list", "message", action="view"),
    NavEntry(_("诉求办理"), "engagement:request_list", "inbox", action="view"),
    NavEntry(_("统计汇总"), "people:stats", "chart", permission=roles.VIEW_STATS),
    NavEntry(_("用户管理"), "accounts:user_list", "user-cog", permission=roles.MANAGE_ACCOUNTS),
    NavEntry(_("行政区划"), "core:region_list", "map", permission=roles.MANAGE_REGIONS),
    NavEntry(_("安全策略"), "accounts:security_policy", "shield", permission=roles.MANAGE_SECURITY),
    NavEntry(_("审计日志"), "audit:log", "list-search", permission=roles.READ_AUDIT),
]


def _is_active(path: str, url: str) -> bool:
    # The home page is "/", a prefix of everything: it is active only on itself.
    return path == url if url == "/" else path.startswith(url)


def _gate_pending(user) -> bool:
    """True while the user still has to pass TOTP or change an expired password (the
    conditions of middleware.SecurityGateMiddleware): the menu would only lead back to
    that page, so it is not shown."""
    # is_verified is put on the user by django-otp's middleware; without it, not verified.
    verified = getattr(user, "is_verified", None)
    if user.has_admin_role() and not (verified and verified()):
        return True
    return user.must_change_password or user.password_expired()


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = user.active_roles()
    role_labels = [str(roles.ROLES[code].label) for code in sorted(held)]
    if _gate_pending(user):
        return {"nav_items": [], "role_labels": role_labels, "gate_pending": True}
    items = []
    for entry in NAV:
        if entry.shown_to(held):
            url = reverse(entry.url_name)
            active = _is_active(request.path, url)
            items.append({"label": entry.label, "url": url, "icon": entry.icon, "active": active})
    return {"nav_items": items, "role_labels": role_labels}
