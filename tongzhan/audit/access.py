"""Who may open the audit pages: the 审计管理员 only; everyone else gets 404."""

from django.http import Http404

from tongzhan.accounts.roles import READ_AUDIT


def can_read_audit(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_job(READ_AUDIT)


def require_auditor(user) -> None:
    """Pages a user's roles do not open answer 404, as elsewhere in tongzhan."""
    if not can_read_audit(user):
        raise Http404
