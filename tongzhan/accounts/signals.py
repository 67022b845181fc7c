"""Audit entries for logins (success and failure) and logouts."""

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
