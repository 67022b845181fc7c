"""API authentication: the browser's session (with CSRF) or a bearer token."""

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from tongzhan.accounts.models import ApiToken, token_digest


class TokenAuth(HttpBearer):
    """Bearer tokens: looked up by digest; expired, revoked or inactive users fail."""

    def authenticate(self, request, token):
        if not token.startswith("tz_"):
            return None
        api_token = (
            ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
        )
        if api_token is None or not api_token.is_usable or not api_token.user.is_active:
            return None
        now = timezone.now()
        # Touch at most once a minute: a busy client should not write on every call.
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


def session_auth(request):
    """Session login, but an admin-role session must have passed TOTP first."""
    user = django_auth(request)
    if user and user.has_admin_role() and not user.is_verified():
        return None
    return user


AUTH = [TokenAuth(), session_auth]
