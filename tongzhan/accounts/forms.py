"""Login and account forms. Rules that need the database (password policy, role rules)
live in services.py; these forms check shape and say what is wrong in Chinese."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from tongzhan.core.choices import Category
from tongzhan.core.models import Region

from .models import SecurityPolicy
from .roles import ROLE_LIST
from .services import POLICY_BOUNDS, POLICY_FIELDS

USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]{2,150}$"


class TablerForm:
    """Gives widgets Tabler's classes (the shared form_fields.html renders them as they are)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class LoginForm(TablerForm, AuthenticationForm):
    """One message for an unknown user and a wrong password, so neither is revealed."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("用户名或密码不正确。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class OwnPasswordChangeForm(TablerForm, PasswordChangeForm):
    """The owner's change; the new password must differ from the current one."""

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password2")
        if new and not self.errors and self.user.check_password(new):
            self.add_error("new_password1", _("新密码不能与当前密码相同。"))
        return cleaned


class NewPasswordMixin(TablerForm, forms.Form):
    """Two password fields that must match; the policy is checked by the service."""

    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned


class UserFieldsForm(TablerForm, forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    unit = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("电子邮箱"),
        required=False,
        error_messages={"invalid": _("请输入有效的电子邮箱地址。")},
    )


class UserCreateForm(UserFieldsForm, NewPasswordMixin):
    username = forms.RegexField(
        label=_("用户名"),
        regex=USERNAME_PATTERN,
        help_text=_("2–150 个字符：字母、数字及 _ . @ -"),
        error_messages={"invalid": _("用户名只能包含字母、数字及 _ . @ -，长度 2–150。")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    field_order = ["username", "display_name", "unit", "email", "password", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("初始密码")
        self.fields["password"].help_text = _("用户首次登录后须修改此密码。")


class UserEditForm(UserFieldsForm):
    pass


class PasswordResetForm(NewPasswordMixin):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("新密码")
        self.fields["password"].help_text = _("保存后该用户下次登录须修改密码。")


class RoleAssignmentForm(TablerForm, forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=[(r.code, r.label) for r in ROLE_LIST])
    region = forms.ModelChoiceField(
        label=_("区域"),
        queryset=Region.objects.none(),  # set per user in __init__
        error_messages={"invalid_choice": _("请选择您管理范围内的区域。")},
    )
    lines = forms.MultipleChoiceField(
        label=_("条线（仅成员单位联络人）"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = _region_label


def _region_label(region) -> str:
    indent = "\u3000" * max(0, region.level - 1)
    return indent + _("%(name)s（%(code)s）") % {"name": region.name, "code": region.code}


class OtpTokenField(forms.RegexField):
    """Six digits; people often type or paste them as "123 456", which is accepted."""

    def to_python(self, value):
        return "".join(str(value or "").split())


class OtpTokenForm(TablerForm, forms.Form):
    token = OtpTokenField(
        label=_("验证码"),
        regex=r"^\d{6}$",
        error_messages={
            "invalid": _("请输入验证器应用中显示的 6 位数字。"),
            "required": _("请输入验证器应用中显示的 6 位数字。"),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "maxlength": "7",
                "autofocus": True,
            }
        ),
    )


class TokenCreateForm(TablerForm, forms.Form):
    name = forms.CharField(
        label=_("用途"),
        max_length=100,
        help_text=_("例如：区县数据交换接口"),
        error_messages={"required": _("请填写令牌用途。")},
    )
    days = forms.IntegerField(
        label=_("有效期（天）"),
        min_value=1,
        error_messages={
            "required": _("请填写有效期。"),
            "invalid": _("请输入整数天数。"),
            "min_value": _("有效期至少 1 天。"),
        },
    )

    def __init__(self, *args, max_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.initial = max_days
        days.widget.attrs.update({"min": 1, "max": max_days})
        days.help_text = _("最长 %(n)d 天（安全策略规定）。") % {"n": max_days}
        days.validators.append(_max_days_validator(max_days))


def _max_days_validator(max_days: int):
    def validate(value):
        if value is not None and value > max_days:
            raise forms.ValidationError(_("有效期最长 %(n)d 天。") % {"n": max_days})

    return validate


class SecurityPolicyForm(TablerForm, forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = list(POLICY_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in POLICY_BOUNDS.items():
            field = self.fields[name]
            field.widget.attrs.update({"min": low, "max": high})
            field.help_text = _("允许范围 %(lo)d–%(hi)d。") % {"lo": low, "hi": high}
            field.error_messages.update(
                {"required": _("请填写此项。"), "invalid": _("请输入整数。")}
            )
