"""The only code that writes accounts, role assignments, second factors, API tokens and the
security policy. Each do_* runs in one transaction and writes its audit row; bad input is
a ValidationError keyed by form field, in Chinese."""

from datetime import timedelta

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzhan.audit.models import AuditAction, AuditResult
from tongzhan.audit.services import record
from tongzhan.core.choices import Category, RegionLevel
from tongzhan.lib.text import format_list

from .access import manageable_regions
from .models import ApiToken, RoleAssignment, SecurityPolicy, User, token_digest
from .roles import ADMIN_ROLES, MANAGE_ACCOUNTS, MANAGE_SECURITY, ROLES, Role

USER_FIELDS = ("display_name", "unit", "email")
MAX_ACTIVE_TOKENS = 10
# Bounds the 安全管理员 may set; outside them a setting stops being a protection.
POLICY_BOUNDS = {
    "password_min_length": (8, 64),
    "password_min_classes": (1, 4),
    "password_max_age_days": (0, 3650),
    "idle_timeout_minutes": (1, 1440),
    "lockout_threshold": (3, 50),
    "lockout_minutes": (1, 1440),
    "api_token_days": (1, 730),
}
POLICY_FIELDS = tuple(POLICY_BOUNDS)


def _require_job(actor, permission: str) -> None:
    # The views answer 404 first; this keeps a service called from elsewhere honest.
    if not actor.has_job(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _validate_password(password: str, user, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


def _changes(before: dict, after: dict) -> dict:
    return {
        k: {"before": before.get(k), "after": after[k]} for k in after if before.get(k) != after[k]
    }


# --- users -------------------------------------------------------------------


def user_snapshot(user: User) -> dict:
    values = {"username": user.username, "is_active": user.is_active}
    values.update({name: getattr(user, name) for name in USER_FIELDS})
    values["must_change_password"] = user.must_change_password
    return values


def do_create_user(actor, data: dict) -> User:
    """A new account with the initial password the 系统管理员 hands over; the owner must
    replace it at first login."""
    _require_job(actor, MANAGE_ACCOUNTS)
    username = data["username"].strip()
    taken = _("用户名「%(u)s」已被使用。") % {"u": username}
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": taken})
    user = User(username=username, must_change_password=True)
    for name in USER_FIELDS:
        setattr(user, name, data.get(name, ""))
    _validate_password(data["password"], user)
    user.set_password(data["password"])  # hashed before the transaction: Argon2 is slow
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            record(AuditAction.CREATE, user=actor, obj=user, detail={"after": user_snapshot(user)})
    except IntegrityError as exc:  # a simultaneous create of the same name
        raise ValidationError({"username": taken}) from exc
    return user


def do_update_user(actor, target: User, data: dict) -> User:
    _require_job(actor, MANAGE_ACCOUNTS)
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=target.pk)
        before = user_snapshot(current)
        for name in USER_FIELDS:
            if name in data:
                setattr(current, name, data[name])
        current.save(update_fields=list(USER_FIELDS))
        changes = _changes(before, user_snapshot(current))
        if changes:
            record(AuditAction.UPDATE, user=actor, obj=current, detail={"changes": changes})
    return current


def do_set_active(actor, target: User, active: bool) -> User:
    """Deactivating ends the user's sessions and API tokens at once: both check is_active."""
    _require_job(actor, MANAGE_ACCOUNTS)
    if target.pk == actor.pk and not active:
        raise ValidationError(_("不能停用自己的账户。"))
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=target.pk)
        if current.is_active != active:
            current.is_active = active
            current.save(update_fields=["is_active"])
            event = "reactivated" if active else "deactivated"
            record(AuditAction.ACCOUNT, user=actor, obj=current, detail={"event": event})
    return current


def do_reset_password(actor, target: User, password: str) -> User:
    """The 系统管理员 sets a new password; the owner must replace it at next login."""
    _require_job(actor, MANAGE_ACCOUNTS)
    if target.pk == actor.pk:
        raise ValidationError({"password": _("请通过用户菜单中的“修改密码”修改自己的密码。")})
    _validate_password(password, target)
    target.set_password(password)
    target.must_change_password = True
    with transaction.atomic():
        target.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record(AuditAction.ACCOUNT, user=actor, obj=target, detail={"event": "password_reset"})
    return target


def do_change_own_password(user: User, password: str) -> User:
    """The owner's own change: restarts the expiry clock and lifts a forced change."""
    _validate_password(password, user, field="new_password1")
    user.set_password(password)
    user.must_change_password = False
    with transaction.atomic():
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record(AuditAction.ACCOUNT, user=user, obj=user, detail={"event": "password_changed"})
    return user


# --- role assignments ------------------------------------------------------------


def level_names(levels) -> str:
    return format_list(RegionLevel(level).label for level in levels)


def _exclusivity_error(target: User, role_code: str) -> str | None:
    """三员分立: an admin role is the only role its holder has, of any kind."""
    held = set(RoleAssignment.objects.filter(user=target).values_list("role", flat=True))
    others = held - {role_code}
    if not others or not (role_code in ADMIN_ROLES or held & ADMIN_ROLES):
        return None
    names = format_list(ROLES[code].label for code in sorted(held))
    if role_code in ADMIN_ROLES:
        return _("「%(role)s」属于三员，不能与其他角色兼任；该用户已有角色：%(held)s。") % {
            "role": ROLES[role_code].label,
            "held": names,
        }
    return _("该用户担任三员角色（%(held)s），不能再兼任其他角色。") % {"held": names}


def _region_error(actor, role: Role, region) -> str | None:
    if region.level not in role.region_levels:
        return _("「%(role)s」只能分配到%(levels)s区域，「%(region)s」是%(level)s区域。") % {
            "role": role.label,
            "levels": level_names(role.region_levels),
            "region": region.name,
            "level": RegionLevel(region.level).label,
        }
    if not manageable_regions(actor).filter(pk=region.pk).exists():
        return _("「%(region)s」不在您的管理范围内。") % {"region": region.name}
    return None


def _lines_error(role: Role, lines: list[str]) -> str | None:
    unknown = sorted(set(lines) - set(Category.values))
    if unknown:
        return _("未知的条线代码：%(codes)s。") % {"codes": format_list(unknown)}
    if role.needs_lines and not lines:
        return _("「%(role)s」须选择至少一个条线（统战对象类别）。") % {"role": role.label}
    if lines and not role.needs_lines:
        return _("「%(role)s」不按条线划分，请不要选择条线。") % {"role": role.label}
    return None


def _role_error(target: User, role: Role, region) -> str | None:
    conflict = _exclusivity_error(target, role.code)
    if conflict:
        return conflict
    if RoleAssignment.objects.filter(user=target, role=role.code, region=region).exists():
        return _("该用户在「%(region)s」已有「%(role)s」角色。") % {
            "region": region.name,
            "role": role.label,
        }
    return None


def validate_assignment(actor, target: User, role_code: str, region, lines: list[str]) -> None:
    """Every rule a role assignment must meet, as errors keyed by form field."""
    if target.pk == actor.pk:
        raise ValidationError(_("不能为自己分配或撤销角色，请由另一位系统管理员办理。"))
    role = ROLES.get(role_code)
    if role is None:
        raise ValidationError({"role": _("未知的角色。")})
    errors = {
        "region": _region_error(actor, role, region),
        "lines": _lines_error(role, lines),
        "role": _role_error(target, role, region),
    }
    errors = {field: message for field, message in errors.items() if message}
    if errors:
        raise ValidationError(errors)


def _assignment_detail(assignment: RoleAssignment) -> dict:
    return {"role": assignment.role, "region": assignment.region_id, "lines": assignment.lines}


def do_add_role(actor, target: User, role_code: str, region, lines=()) -> RoleAssignment:
    _require_job(actor, MANAGE_ACCOUNTS)
    lines = sorted(set(lines or ()))
    with transaction.atomic():
        # Lock the user so two grants cannot both pass the exclusivity check.
        User.objects.select_for_update().get(pk=target.pk)
        validate_assignment(actor, target, role_code, region, lines)
        assignment = RoleAssignment.objects.create(
            user=target, role=role_code, region=region, lines=lines
        )
        detail = {"event": "role_added", **_assignment_detail(assignment)}
        record(AuditAction.ACCOUNT, user=actor, obj=target, detail=detail)
    return assignment


def do_remove_role(actor, assignment: RoleAssignment) -> None:
    _require_job(actor, MANAGE_ACCOUNTS)
    if assignment.user_id == actor.pk:
        raise ValidationError(_("不能为自己分配或撤销角色，请由另一位系统管理员办理。"))
    with transaction.atomic():
        detail = {"event": "role_removed", **_assignment_detail(assignment)}
        target = assignment.user
        assignment.delete()
        record(AuditAction.ACCOUNT, user=actor, obj=target, detail=detail)


# --- TOTP second factor -------------------------------------------------------------

WRONG_CODE = gettext_lazy("验证码不正确，请核对验证器应用中当前显示的 6 位数字后重试。")


def do_start_otp_enrolment(user) -> TOTPDevice:
    """The device being enrolled. One unconfirmed device per user, kept across reloads so
    the QR code does not change while the user is scanning it."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="tongzhan", confirmed=False)
            detail = {"event": "otp_enrolment_started"}
            record(AuditAction.SECURITY, user=user, obj=user, detail=detail)
    return device


def _throttle_message(device: TOTPDevice) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    return _("验证码错误次数过多，请 %(s)d 秒后再试。") % {"s": seconds}


def _check_token(user, device: TOTPDevice, token: str, event: str) -> str | None:
    """Verify and audit one code; returns the error message, or None when it is right.
    Failures are written (and committed) by the caller's transaction, never rolled back."""
    error = _throttle_message(device)
    if error is None and not device.verify_token(token):
        error = str(WRONG_CODE)
    result = AuditResult.FAILURE if error else AuditResult.SUCCESS
    suffix = "_failed" if error else ""
    record(
        AuditAction.SECURITY, user=user, obj=user, result=result, detail={"event": event + suffix}
    )
    return error


def do_confirm_otp(user, device: TOTPDevice, token: str) -> TOTPDevice:
    """Enrolment ends when the user types a code from the new device: it replaces any
    device the user had before."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        error = _check_token(user, device, token, "otp_enrolled")
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    if error:
        raise ValidationError({"token": error})
    return device


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def do_verify_otp(user, token: str) -> TOTPDevice:
    """The code prompt after a password login; the caller marks the session verified."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise ValidationError({"token": _("您尚未启用两步验证。")})
        error = _check_token(user, device, token, "otp_verified")
    if error:
        raise ValidationError({"token": error})
    return device


def do_disable_otp(user, token: str) -> None:
    """Optional users may switch the second factor off with a current code; the 三员 may not."""
    if user.has_admin_role():
        raise ValidationError({"token": _("管理员角色必须使用两步验证，不能停用。")})
    do_verify_otp(user, token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record(AuditAction.SECURITY, user=user, obj=user, detail={"event": "otp_disabled"})


# --- API tokens ---------------------------------------------------------------------


def do_create_token(user, name: str, days: int) -> tuple[ApiToken, str]:
    """Returns the token and its secret; the secret is shown once and only its SHA-256
    digest is kept."""
    limit = SecurityPolicy.current().api_token_days
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("请填写令牌用途。")
    if not 1 <= days <= limit:
        errors["days"] = _("有效期须在 1 到 %(n)d 天之间。") % {"n": limit}
    active = ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    if active.count() >= MAX_ACTIVE_TOKENS:
        errors["name"] = _("有效令牌已达 %(n)d 个，请先撤销不用的令牌。") % {"n": MAX_ACTIVE_TOKENS}
    if errors:
        raise ValidationError(errors)
    secret = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[: ApiToken.PREFIX_LENGTH],
            digest=token_digest(secret),
            expires_at=timezone.now() + timedelta(days=days),
        )
        detail = {"name": name, "prefix": token.prefix, "expires_at": token.expires_at}
        record(AuditAction.CREATE, user=user, obj=token, detail=detail)
    return token, secret


def do_revoke_token(actor, token: ApiToken) -> ApiToken:
    """The owner revokes its own token; the 安全管理员 may revoke anyone's."""
    if token.user_id != actor.pk:
        _require_job(actor, MANAGE_SECURITY)
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            detail = {"event": "token_revoked", "owner": token.user.get_username()}
            record(AuditAction.SECURITY, user=actor, obj=token, detail=detail)
    token.refresh_from_db()
    return token


# --- the security policy and lockouts ----------------------------------------------------


def do_update_policy(actor, data: dict) -> SecurityPolicy:
    _require_job(actor, MANAGE_SECURITY)
    errors = {}
    for name, (low, high) in POLICY_BOUNDS.items():
        if not low <= int(data[name]) <= high:
            errors[name] = _("须在 %(lo)d 到 %(hi)d 之间。") % {"lo": low, "hi": high}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stored = SecurityPolicy.objects.select_for_update().order_by("pk").first()
        policy = stored or SecurityPolicy(**SecurityPolicy.defaults())
        before = {name: getattr(policy, name) for name in POLICY_FIELDS}
        for name in POLICY_FIELDS:
            setattr(policy, name, int(data[name]))
        if stored is None:
            policy.save(force_insert=True)
        else:
            policy.save(update_fields=[*POLICY_FIELDS, "updated_at"])
        changes = _changes(before, {name: getattr(policy, name) for name in POLICY_FIELDS})
        detail = {"event": "policy_updated", "changes": changes}
        record(AuditAction.SECURITY, user=actor, obj=policy, detail=detail)
        transaction.on_commit(SecurityPolicy.forget_cached)
    SecurityPolicy.forget_cached()
    return policy


def locked_accounts() -> list[dict]:
    """Usernames axes refuses right now: failures within the lockout window at or over the
    threshold (axes counts them the same way). Unknown usernames are listed too."""
    policy = SecurityPolicy.current()
    window = timedelta(minutes=policy.lockout_minutes)
    rows = list(
        AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - window)
        .order_by()
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=policy.lockout_threshold)
        .order_by("-last")
    )
    names = [row["username"] for row in rows]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    for row in rows:
        row["user"] = users.get(row["username"])
        row["until"] = row["last"] + window
    return rows


def do_unlock_account(actor, username: str) -> int:
    """Clears the failed attempts of one username (axes' reset); returns how many."""
    _require_job(actor, MANAGE_SECURITY)
    username = (username or "").strip()
    if not username:  # axes' reset with no username would clear every lockout
        raise ValidationError(_("请指定要解锁的用户名。"))
    with transaction.atomic():
        count = axes_reset(username=username)
        if count:
            user = User.objects.filter(username=username).first()
            record(
                AuditAction.SECURITY,
                user=actor,
                obj=user,
                object_type="accounts.user",
                object_repr=username,
                detail={"event": "unlocked", "attempts": count},
            )
    return count


# --- console bootstrap -------------------------------------------------------------------


def do_bootstrap_sysadmin(username: str, password: str, region, display_name: str = "") -> User:
    """The first 系统管理员 of a deployment, created from the server's console (there is no
    one yet to create it in the UI). The account must enrol TOTP at its first login."""
    role = ROLES["sys_admin"]
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名。")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名「%(u)s」已被使用。") % {"u": username}})
    if region.level not in role.region_levels:
        raise ValidationError(
            {
                "region": _("系统管理员只能分配到%(levels)s区域。")
                % {"levels": level_names(role.region_levels)}
            }
        )
    user = User(username=username, display_name=display_name)
    _validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save(force_insert=True)
        RoleAssignment.objects.create(user=user, role=role.code, region=region)
        record(
            AuditAction.ACCOUNT,
            username="(console)",
            obj=user,
            detail={"event": "bootstrap_sysadmin", "region": region.code},
        )
    return user
