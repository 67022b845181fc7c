"""django-axes hooks: the limits come from the security policy, and a locked-out login
gets the same page for a known and an unknown username."""

from datetime import timedelta

from django.shortcuts import render
from django.utils.translation import gettext as _


def failure_limit(request, credentials) -> int:
    from .models import SecurityPolicy

    return SecurityPolicy.current().lockout_threshold


def cooloff_time(request) -> timedelta:
    from .models import SecurityPolicy

    return timedelta(minutes=SecurityPolicy.current().lockout_minutes)


def lockout_response(request, original_response=None, credentials=None):
    from .forms import LoginForm
    from .models import SecurityPolicy

    minutes = SecurityPolicy.current().lockout_minutes
    form = LoginForm(request)
    message = _("登录失败次数过多，该账户已锁定 %(m)d 分钟。如需提前解锁，请联系安全管理员。") % {
        "m": minutes
    }
    return render(
        request, "accounts/login.html", {"form": form, "lockout_message": message}, status=429
    )
