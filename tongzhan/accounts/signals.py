"""Audit entries for logins (success and failure), logouts and lockouts; the TOTP prompt flag."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tongzhan.audit.models import AuditAction, AuditResult
from tongzhan.audit.services import record


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record(AuditAction.LOGIN, user=user, obj=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "logout_reason", "") if request is not None else ""
        record(
            AuditAction.LOGOUT, user=user, obj=user, detail={"reason": reason} if reason else None
        )


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is kept (it is what an investigator needs), never the password.
    username = str(credentials.get("username", ""))[:150]
    record(
        AuditAction.LOGIN_FAILED,
        username=username,
        result=AuditResult.FAILURE,
        object_type="accounts.user",
        object_repr=username,
    )


@receiver(user_locked_out)
def audit_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """Every attempt axes refuses, including the one that reaches the limit."""
    name = str(username or "")[:150]
    record(
        AuditAction.LOCKED_OUT,
        username=name,
        result=AuditResult.FAILURE,
        object_type="accounts.user",
        object_repr=name,
    )


@receiver(user_logged_in)
def require_otp_for_enrolled_users(sender, request, user, **kwargs):
    """A user who enrolled a TOTP device must pass the code prompt in every new session."""
    from django_otp import user_has_device

    from .middleware import OTP_PENDING_KEY

    session = getattr(request, "session", None)
    if session is not None:
        session[OTP_PENDING_KEY] = user_has_device(user, confirmed=True)
