"""Authorization matrix rows for the accounts pages (see tests/test_authorization_matrix.py).

Every user has its own login, password, TOTP and token pages; user management is the
系统管理员's alone, the policy, lockouts and everyone's tokens the 安全管理员's alone; any
other persona gets 404. Accounts are not regional records, so rows carry no scope, except
that a token belongs to one user: another user's token answers 404 like a missing one."""

from django.urls import reverse

from tongzhan.accounts.models import SecurityPolicy
from tongzhan.accounts.services import do_create_token
from tongzhan.testing import COMMUNITY_A2, PASSWORD, Case

SIGNED_IN = {"anonymous": 302}  # with others=200: any signed-in user
SYS_ADMIN_PAGE = {"county_admin": 200, "anonymous": 302}
SYS_ADMIN_POST = {"county_admin": 302, "anonymous": 302}
SEC_ADMIN_PAGE = {"security_admin": 200, "anonymous": 302}
SEC_ADMIN_POST = {"security_admin": 302, "anonymous": 302}
NEW_PASSWORD = "Matrix-Start-2026"


def url(name, *args) -> str:
    return reverse(f"accounts:{name}", args=args)


def target(w) -> int:
    return w.user("village_a").pk


def token_of(w, persona) -> int:
    return do_create_token(w.user(persona), "矩阵", 7)[0].pk


CASES = [
    # Login and logout: a signed-in user is sent on from the login page.
    Case("accounts:login", "GET", lambda w: url("login"), expect={"anonymous": 200}, others=302),
    Case(
        "accounts:login",
        "POST",
        lambda w: url("login"),
        data=lambda w: {"username": "township_a", "password": "not-" + PASSWORD},
        expect={"anonymous": 200},
        others=302,
    ),
    Case("accounts:logout", "POST", lambda w: url("logout"), expect={}, others=302),
    Case("accounts:password_change", "GET", lambda w: url("password_change"), SIGNED_IN, 200),
    Case(
        "accounts:password_change",
        "POST",
        lambda w: url("password_change"),
        data=lambda w: {
            "old_password": "not-" + PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        expect=SIGNED_IN,
        others=200,  # the form answers: wrong current password
    ),
    # TOTP: enrolment page (or status for the admins, who have a device); the prompt and
    # the switch-off send a user without a pending step on (302).
    Case("accounts:otp_setup", "GET", lambda w: url("otp_setup"), SIGNED_IN, 200),
    Case(
        "accounts:otp_setup",
        "POST",
        lambda w: url("otp_setup"),
        data=lambda w: {"token": "123456"},
        expect={},
        others=302,
    ),
    Case("accounts:otp_verify", "GET", lambda w: url("otp_verify"), expect={}, others=302),
    Case(
        "accounts:otp_verify",
        "POST",
        lambda w: url("otp_verify"),
        data=lambda w: {"token": "123456"},
        expect={},
        others=302,
    ),
    Case(
        "accounts:otp_disable",
        "POST",
        lambda w: url("otp_disable"),
        data=lambda w: {"token": "123456"},
        expect={},
        others=302,
    ),
    # Every user's own API tokens.
    Case("accounts:token_list", "GET", lambda w: url("token_list"), SIGNED_IN, 200),
    Case(
        "accounts:token_list",
        "POST",
        lambda w: url("token_list"),
        data=lambda w: {"name": "矩阵", "days": 7},
        expect=SIGNED_IN,
        others=200,  # the page that shows the new secret once
    ),
    Case(
        "accounts:token_revoke",
        "POST",
        lambda w: url("token_revoke", token_of(w, "village_a")),
        expect={"village_a": 302, "anonymous": 302},
        others=404,
        scope="in",
    ),
    # User management: the 系统管理员 only.
    Case("accounts:user_list", "GET", lambda w: url("user_list"), SYS_ADMIN_PAGE, 404),
    Case("accounts:user_create", "GET", lambda w: url("user_create"), SYS_ADMIN_PAGE, 404),
    Case(
        "accounts:user_create",
        "POST",
        lambda w: url("user_create"),
        data=lambda w: {
            "username": "matrix_user",
            "display_name": "矩阵",
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        expect=SYS_ADMIN_POST,
        others=404,
    ),
    Case(
        "accounts:user_detail",
        "GET",
        lambda w: url("user_detail", target(w)),
        SYS_ADMIN_PAGE,
        404,
    ),
    Case("accounts:user_edit", "GET", lambda w: url("user_edit", target(w)), SYS_ADMIN_PAGE, 404),
    Case(
        "accounts:user_edit",
        "POST",
        lambda w: url("user_edit", target(w)),
        data=lambda w: {"display_name": "矩阵", "unit": "", "email": ""},
        expect=SYS_ADMIN_POST,
        others=404,
    ),
    Case(
        "accounts:user_set_active",
        "POST",
        lambda w: url("user_set_active", target(w)),
        data=lambda w: {"active": "0"},
        expect=SYS_ADMIN_POST,
        others=404,
    ),
    Case(
        "accounts:user_reset_password",
        "GET",
        lambda w: url("user_reset_password", target(w)),
        SYS_ADMIN_PAGE,
        404,
    ),
    Case(
        "accounts:user_reset_password",
        "POST",
        lambda w: url("user_reset_password", target(w)),
        data=lambda w: {"password": NEW_PASSWORD, "password2": NEW_PASSWORD},
        expect=SYS_ADMIN_POST,
        others=404,
    ),
    Case("accounts:role_add", "GET", lambda w: url("role_add", target(w)), SYS_ADMIN_PAGE, 404),
    Case(
        "accounts:role_add",
        "POST",
        lambda w: url("role_add", target(w)),
        data=lambda w: {"role": "village_liaison", "region": COMMUNITY_A2},
        expect=SYS_ADMIN_POST,
        others=404,
    ),
    Case(
        "accounts:role_remove",
        "POST",
        lambda w: url("role_remove", target(w), w.user("village_a").role_assignments.get().pk),
        expect=SYS_ADMIN_POST,
        others=404,
    ),
    # The security policy, lockouts and everyone's tokens: the 安全管理员 only.
    Case("accounts:security_policy", "GET", lambda w: url("security_policy"), SEC_ADMIN_PAGE, 404),
    Case(
        "accounts:security_policy",
        "POST",
        lambda w: url("security_policy"),
        data=lambda w: {**SecurityPolicy.defaults(), "lockout_threshold": 6},
        expect=SEC_ADMIN_POST,
        others=404,
    ),
    Case(
        "accounts:account_unlock",
        "POST",
        lambda w: url("account_unlock"),
        data=lambda w: {"username": "township_a"},
        expect=SEC_ADMIN_POST,
        others=404,
    ),
    Case(
        "accounts:token_admin_list", "GET", lambda w: url("token_admin_list"), SEC_ADMIN_PAGE, 404
    ),
    Case(
        "accounts:token_admin_revoke",
        "POST",
        lambda w: url("token_admin_revoke", token_of(w, "township_a")),
        expect=SEC_ADMIN_POST,
        others=404,
    ),
]
