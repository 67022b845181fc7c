"""Idle timeout, forced password change, and TOTP for the three admin roles."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import SecurityPolicy

# Paths a user may reach before passing the gate (to pass it, or to leave).
OPEN_PREFIXES = (
    "/static/",
    "/i18n/",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/otp/",
    "/accounts/password/",
)


# Set at login for a user with a confirmed TOTP device: its session must pass the code
# prompt too, even when no admin role requires it.
OTP_PENDING_KEY = "tongzhan_otp_pending"
# The last-seen time is rewritten at most this often, so that not every request writes
# the session row; the idle limit is minutes, so this costs no precision that matters.
IDLE_TOUCH_SECONDS = 30


def _is_open(path: str) -> bool:
    return path.startswith(OPEN_PREFIXES)


def _gate_url(name: str, request) -> str:
    url = reverse(name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class IdleTimeoutMiddleware:
    """Logs a session out after the policy's idle minutes without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(settings.SESSION_IDLE_KEY)
            idle = SecurityPolicy.current().idle_timeout_minutes * 60
            if last is not None and now - int(last) > idle:
                request.logout_reason = "idle_timeout"
                logout(request)
                messages.info(
                    request,
                    _("您已超过 %(m)d 分钟未操作，已自动退出，请重新登录。") % {"m": idle // 60},
                )
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("会话已超时")}, status=401)
                return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
            if last is None or now - int(last) >= IDLE_TOUCH_SECONDS:
                request.session[settings.SESSION_IDLE_KEY] = now
        return self.get_response(request)


class SecurityGateMiddleware:
    """Before anything else, an admin-role user must pass TOTP and every user must
    replace an expired password."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not _is_open(request.path):
            target = self._gate(request, user)
            if target:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("请先在网页上完成安全验证")}, status=403)
                return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _gate(request, user) -> str | None:
        if not user.is_verified():
            target = _otp_gate(request, user)
            if target:
                return target
        if user.must_change_password or user.password_expired():
            return reverse("accounts:password_change")
        return None


def _otp_gate(request, user) -> str | None:
    """The 三员 must have and pass TOTP; anyone else who enrolled must pass it."""
    from django_otp import user_has_device

    admin = user.has_admin_role()
    if not admin and not request.session.get(OTP_PENDING_KEY):
        return None
    if user_has_device(user, confirmed=True):
        return _gate_url("accounts:otp_verify", request)
    if admin:
        return _gate_url("accounts:otp_setup", request)
    request.session.pop(OTP_PENDING_KEY, None)  # the device was removed meanwhile
    return None
