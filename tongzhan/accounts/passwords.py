"""Password policy validators that read the 安全管理员's current policy."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _policy():
    from .models import SecurityPolicy

    return SecurityPolicy.current()


class PolicyLengthValidator:
    """At least `password_min_length` characters."""

    def validate(self, password, user=None):
        minimum = _policy().password_min_length
        if len(password) < minimum:
            raise ValidationError(
                ngettext("密码至少需要 %(n)d 个字符。", "密码至少需要 %(n)d 个字符。", minimum)
                % {"n": minimum},
                code="password_too_short",
            )

    def get_help_text(self):
        return _("至少 %(n)d 个字符。") % {"n": _policy().password_min_length}


def character_classes(password: str) -> int:
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class CharacterClassValidator:
    """At least `password_min_classes` of: lower case, upper case, digits, symbols."""

    def validate(self, password, user=None):
        minimum = _policy().password_min_classes
        if character_classes(password) < minimum:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {"n": minimum},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {
            "n": _policy().password_min_classes
        }


class UsernameInPasswordValidator:
    """Rejects a password that contains the username, in any letter case. Django's
    similarity check only compares whole strings, so "Zhangsan2026!" would pass it."""

    MIN_USERNAME = 3  # shorter usernames (e.g. "li") would reject too many passwords

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= self.MIN_USERNAME and username in password.casefold():
            raise ValidationError(
                _("密码不能包含用户名。"),
                code="password_contains_username",
            )

    def get_help_text(self):
        return _("不能包含用户名。")
