"""Login, logout, password change; TOTP; API tokens (every user); user management
(系统管理员); the security policy, lockouts and everyone's tokens (安全管理员)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzhan.core.choices import Category

from . import services
from .access import (
    access_assignment,
    access_own_token,
    access_user,
    job_required,
    manageable_regions,
)
from .forms import (
    LoginForm,
    OtpTokenForm,
    OwnPasswordChangeForm,
    PasswordResetForm,
    RoleAssignmentForm,
    SecurityPolicyForm,
    TokenCreateForm,
    UserCreateForm,
    UserEditForm,
)
from .models import ApiToken, RoleAssignment, SecurityPolicy, User
from .roles import MANAGE_ACCOUNTS, MANAGE_SECURITY, ROLE_LIST
from .totp import qr_svg, secret_base32

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("dashboard:home")

    def form_valid(self, form):
        try:
            services.do_change_own_password(form.user, form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        # Keep this session logged in (and its TOTP state); other sessions end.
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("密码已修改。"))
        return HttpResponseRedirect(self.get_success_url())


def _next_url(request) -> str:
    """Where to go after a gate: the `next` the gate passed on, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else reverse("dashboard:home")


def _with_next(name: str, request) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    url = reverse(name)
    return f"{url}?{urlencode({'next': target})}" if target else url


def _mark_verified(request, device) -> None:
    otp_login(request, device)
    # A new privilege level gets a new session key, as a password login does.
    request.session.cycle_key()


# --- TOTP ----------------------------------------------------------------------------


@login_required
def otp_setup(request):
    """Enrol (or replace) a TOTP authenticator, from the user menu or sent by the gate."""
    user = request.user
    device = services.confirmed_device(user)
    if device is not None and not user.is_verified():
        # Replacing a device needs the old one first, or a stolen password could re-enrol.
        return redirect(_with_next("accounts:otp_verify", request))
    if device is not None and request.method == "GET" and "renew" not in request.GET:
        form = OtpTokenForm()
        form.fields["token"].widget.attrs.pop("autofocus", None)  # this page is mostly read
        context = {"device": device, "form": form, "admin": user.has_admin_role()}
        return render(request, "accounts/otp_status.html", context)
    if request.method == "POST":
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if pending is None:
            return redirect("accounts:otp_setup")
        form = OtpTokenForm(request.POST)
        if form.is_valid():
            try:
                confirmed = services.do_confirm_otp(user, pending, form.cleaned_data["token"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                _mark_verified(request, confirmed)
                messages.success(request, _("两步验证已启用。今后登录时需输入验证器中的验证码。"))
                return redirect(_next_url(request))
    else:
        pending = services.do_start_otp_enrolment(user)
        form = OtpTokenForm()
    return render(request, "accounts/otp_setup.html", _enrolment_context(request, pending, form))


def _enrolment_context(request, device, form) -> dict:
    return {
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": secret_base32(device.bin_key),
        "renewing": services.confirmed_device(request.user) is not None,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }


@login_required
def otp_verify(request):
    """The code prompt after a password login, for users with a confirmed device."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if services.confirmed_device(user) is None:
        return redirect(_with_next("accounts:otp_setup", request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.do_verify_otp(user, form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _mark_verified(request, device)
            return redirect(_next_url(request))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


@login_required
@require_POST
def otp_disable(request):
    user = request.user
    if services.confirmed_device(user) is None:
        return redirect("accounts:otp_setup")
    if not user.is_verified():
        return redirect("accounts:otp_verify")
    form = OtpTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["token"][0])
        return redirect("accounts:otp_setup")
    try:
        services.do_disable_otp(user, form.cleaned_data["token"])
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("两步验证已停用。"))
    return redirect("accounts:otp_setup")


# --- API tokens --------------------------------------------------------------------------


@never_cache  # the page that shows a new secret must not be kept by any cache
@login_required
def token_list(request):
    max_days = SecurityPolicy.current().api_token_days
    form = TokenCreateForm(request.POST or None, max_days=max_days)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.do_create_token(
                request.user, form.cleaned_data["name"], form.cleaned_data["days"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenCreateForm(max_days=max_days)
    context = {
        "form": form,
        "tokens": request.user.api_tokens.all(),
        "created": created,
        "secret": secret,
    }
    return render(request, "accounts/token_list.html", context)


@login_required
@require_POST
def token_revoke(request, pk):
    token = access_own_token(request.user, pk)
    services.do_revoke_token(request.user, token)
    messages.success(request, _("令牌“%(name)s”已撤销。") % {"name": token.name})
    return redirect("accounts:token_list")


# --- users and roles (系统管理员) ---------------------------------------------------------


@job_required(MANAGE_ACCOUNTS)
def user_list(request):
    query = request.GET.get("q", "").strip()
    users = User.objects.order_by("username").prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("region").order_by("role"),
        )
    )
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(display_name__icontains=query)
            | Q(unit__icontains=query)
        )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": query}
    return render(request, "accounts/user_list.html", context)


@job_required(MANAGE_ACCOUNTS)
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.do_create_user(request.user, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("已创建用户 %(u)s。请为其分配角色，并将初始密码告知本人。")
                % {"u": user.username},
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": None})


@job_required(MANAGE_ACCOUNTS)
def user_detail(request, pk):
    target = access_user(pk)
    assignments = list(
        target.role_assignments.select_related("region").order_by("role", "region_id")
    )
    for assignment in assignments:
        assignment.line_labels = [Category(code).label for code in assignment.lines]
    context = {
        "target": target,
        "assignments": assignments,
        "is_self": target.pk == request.user.pk,
        "has_otp": services.confirmed_device(target) is not None,
        "token_count": target.api_tokens.filter(revoked_at__isnull=True).count(),
    }
    return render(request, "accounts/user_detail.html", context)


@job_required(MANAGE_ACCOUNTS)
def user_edit(request, pk):
    target = access_user(pk)
    initial = {"display_name": target.display_name, "unit": target.unit, "email": target.email}
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.do_update_user(request.user, target, form.cleaned_data)
        messages.success(request, _("已保存。"))
        return redirect("accounts:user_detail", pk=target.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


@job_required(MANAGE_ACCOUNTS)
@require_POST
def user_set_active(request, pk):
    target = access_user(pk)
    active = request.POST.get("active") == "1"
    try:
        services.do_set_active(request.user, target, active)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        done = _("已恢复账户 %(u)s。") if active else _("已停用账户 %(u)s。")
        messages.success(request, done % {"u": target.username})
    return redirect("accounts:user_detail", pk=target.pk)


@job_required(MANAGE_ACCOUNTS)
def user_reset_password(request, pk):
    target = access_user(pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_reset_password(request.user, target, form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("已重设 %(u)s 的密码，其下次登录须修改密码。") % {"u": target.username}
            )
            return redirect("accounts:user_detail", pk=target.pk)
    return render(request, "accounts/user_password.html", {"form": form, "target": target})


@job_required(MANAGE_ACCOUNTS)
def role_add(request, pk):
    target = access_user(pk)
    form = RoleAssignmentForm(request.POST or None, regions=manageable_regions(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_add_role(request.user, target, data["role"], data["region"], data["lines"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已分配角色。"))
            return redirect("accounts:user_detail", pk=target.pk)
    roles = [
        {
            "label": role.label,
            "levels": services.level_names(role.region_levels),
            "needs_lines": role.needs_lines,
            "admin_job": role.admin_job,
        }
        for role in ROLE_LIST
    ]
    context = {"form": form, "target": target, "roles": roles}
    return render(request, "accounts/role_form.html", context)


@job_required(MANAGE_ACCOUNTS)
@require_POST
def role_remove(request, pk, assignment_pk):
    assignment = access_assignment(pk, assignment_pk)
    try:
        services.do_remove_role(request.user, assignment)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已撤销角色。"))
    return redirect("accounts:user_detail", pk=pk)


# --- security policy, lockouts, all tokens (安全管理员) ------------------------------------------


@job_required(MANAGE_SECURITY)
def security_policy(request):
    policy = SecurityPolicy.current()
    initial = {name: getattr(policy, name) for name in services.POLICY_FIELDS}
    # Never bound to the cached instance: the service alone writes the policy.
    form = SecurityPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_policy(request.user, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("安全策略已保存，立即生效。"))
            return redirect("accounts:security_policy")
    context = {"form": form, "locked": services.locked_accounts(), "policy": policy}
    return render(request, "accounts/security_policy.html", context)


@job_required(MANAGE_SECURITY)
@require_POST
def account_unlock(request):
    username = request.POST.get("username", "")
    try:
        count = services.do_unlock_account(request.user, username)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if count:
            messages.success(request, _("已解锁账户 %(u)s。") % {"u": username})
        else:
            messages.info(request, _("账户 %(u)s 当前未被锁定。") % {"u": username})
    return redirect("accounts:security_policy")


@job_required(MANAGE_SECURITY)
def token_admin_list(request):
    tokens = ApiToken.objects.select_related("user").order_by("-created_at")
    query = request.GET.get("q", "").strip()
    if query:
        tokens = tokens.filter(
            Q(user__username__icontains=query) | Q(name__icontains=query) | Q(prefix=query)
        )
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": query}
    return render(request, "accounts/token_admin_list.html", context)


@job_required(MANAGE_SECURITY)
@require_POST
def token_admin_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    services.do_revoke_token(request.user, token)
    messages.success(
        request,
        _("已撤销 %(u)s 的令牌“%(name)s”。") % {"u": token.user.username, "name": token.name},
    )
    return redirect("accounts:token_admin_list")
