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
