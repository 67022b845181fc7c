"""Users, role assignments, the security policy and API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import ADMIN_ROLES, ROLE_CHOICES, ROLES


class TongzhanUserManager(UserManager):
    def _create_user_object(self, username, email, password, **extra_fields):
        user = super()._create_user_object(username, email, password, **extra_fields)
        if password is not None:
            user.password_changed_at = timezone.now()
        return user


class User(AbstractUser):
    """A person who logs in; what it may do comes only from its role assignments."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    is_demo = models.BooleanField(_("演示账户"), default=False)

    objects = TongzhanUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def active_roles(self) -> set[str]:
        from tongzhan.core.scope import user_assignments

        return {a.role for a in user_assignments(self)}

    def has_admin_role(self) -> bool:
        return bool(self.active_roles() & ADMIN_ROLES)

    def has_job(self, permission: str) -> bool:
        return any(permission in ROLES[code].permissions for code in self.active_roles())

    def password_expired(self) -> bool:
        """True when the policy's maximum age has passed since the last change."""
        max_age = SecurityPolicy.current().password_max_age_days
        if not max_age:
            return False
        if self.password_changed_at is None:
            return True
        return timezone.now() - self.password_changed_at > timedelta(days=max_age)


class RoleAssignment(models.Model):
    """One role on one region (块), with lines (条) for member-unit contacts."""

    user = models.ForeignKey(User, models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=ROLE_CHOICES)
    region = models.ForeignKey("core.Region", models.PROTECT, verbose_name=_("区域"))
    lines = models.JSONField(_("条线（统战对象类别）"), default=list, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        ordering = ["user_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="uniq_role_region")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {ROLES[self.role].label} · {self.region_id}"


class SecurityPolicy(models.Model):
    """The one security policy, set by the 安全管理员; defaults come from settings."""

    password_min_length = models.PositiveSmallIntegerField(_("密码最短长度"), default=10)
    password_min_classes = models.PositiveSmallIntegerField(_("密码最少字符类别数"), default=3)
    password_max_age_days = models.PositiveSmallIntegerField(
        _("密码有效期（天，0 为不过期）"), default=90
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(_("空闲超时（分钟）"), default=30)
    lockout_threshold = models.PositiveSmallIntegerField(_("连续失败锁定次数"), default=5)
    lockout_minutes = models.PositiveSmallIntegerField(_("锁定时长（分钟）"), default=30)
    api_token_days = models.PositiveSmallIntegerField(_("API 令牌有效期（天）"), default=90)
    updated_at = models.DateTimeField(auto_now=True)

    CACHE_KEY = "tongzhan:security-policy"

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self) -> str:
        return str(_("安全策略"))

    @classmethod
    def defaults(cls) -> dict:
        return {
            "password_min_length": settings.PASSWORD_MIN_LENGTH,
            "password_min_classes": settings.PASSWORD_MIN_CLASSES,
            "password_max_age_days": settings.PASSWORD_MAX_AGE_DAYS,
            "idle_timeout_minutes": settings.IDLE_TIMEOUT_MINUTES,
            "lockout_threshold": settings.LOCKOUT_THRESHOLD,
            "lockout_minutes": settings.LOCKOUT_MINUTES,
            "api_token_days": settings.API_TOKEN_DAYS,
        }

    @classmethod
    def current(cls) -> "SecurityPolicy":
        """The stored policy, or the settings' defaults when none is stored. Cached briefly
        because the middleware asks on every request."""
        policy = cache.get(cls.CACHE_KEY)
        if policy is None:
            policy = cls.objects.order_by("pk").first() or cls(**cls.defaults())
            cache.set(cls.CACHE_KEY, policy, 30)
        return policy

    @classmethod
    def forget_cached(cls) -> None:
        cache.delete(cls.CACHE_KEY)


def token_digest(raw: str) -> str:
    # The token is 256 random bits, so a plain SHA-256 is enough: no brute force applies.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user bearer token for other systems; only its digest is stored."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_secret() -> str:
        return "tz_" + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at:
            return str(_("已撤销"))
        if self.expires_at <= timezone.now():
            return str(_("已过期"))
        return str(_("有效"))
