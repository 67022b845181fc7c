"""Lockout after repeated failed logins (django-axes, limits from the security policy)."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tongzhan.accounts import services
from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.testing import PASSWORD

from .helpers import password_login

WRONG = "Wrong-Password-123"
SAME_MESSAGE = "用户名或密码不正确。"
LOCKED_MESSAGE = "登录失败次数过多"


def normalised(response, username: str) -> str:
    """The page with what must differ taken out: the CSRF token and the echoed username."""
    html = response.content.decode()
    html = re.sub(r"[A-Za-z0-9]{64}", "CSRF", html)  # the form's and htmx's CSRF tokens
    return html.replace(f'value="{username}"', 'value="USERNAME"')


def fail(client, username, times):
    return [password_login(client, username, WRONG) for _ in range(times)]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(world):
    client = Client()
    for response in fail(client, "township_a", 4):
        assert response.status_code == 200
        assert SAME_MESSAGE in response.content.decode()
    fifth = password_login(client, "township_a", WRONG)
    assert fifth.status_code == 429
    assert LOCKED_MESSAGE in fifth.content.decode()
    right = password_login(client, "township_a", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another browser (another address) is locked out too: the lock is on the account.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert password_login(other, "township_a", PASSWORD).status_code == 429


def test_an_unknown_username_gets_exactly_what_a_known_one_gets_at_every_step(world):
    known, unknown = Client(), Client()
    for attempt in range(6):
        password = PASSWORD if attempt == 5 else WRONG
        a = password_login(known, "township_a", password)
        b = password_login(unknown, "nobody_here", password)
        assert a.status_code == b.status_code, attempt
        assert normalised(a, "township_a") == normalised(b, "nobody_here"), attempt
    assert a.status_code == 429


def test_a_locked_out_attempt_writes_an_audit_row(world):
    client = Client()
    fail(client, "township_a", 4)
    assert not AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT).exists()
    fail(client, "township_a", 1)
    password_login(client, "township_a", PASSWORD)
    rows = AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT, username="township_a")
    assert rows.count() == 2
    assert {row.result for row in rows} == {"failure"}
    fail(client, "ghost", 5)
    assert AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT, username="ghost").count() == 1


def test_a_successful_login_resets_the_failure_count(world):
    client = Client()
    fail(client, "township_a", 4)
    assert password_login(client, "township_a", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="township_a").exists()
    client = Client()
    for response in fail(client, "township_a", 4):
        assert response.status_code == 200
    assert password_login(client, "township_a", PASSWORD).status_code == 302


def test_the_lockout_threshold_and_duration_come_from_the_policy(world, set_policy):
    set_policy(lockout_threshold=3, lockout_minutes=10)
    client = Client()
    assert [r.status_code for r in fail(client, "township_a", 3)] == [200, 200, 429]
    assert "10 分钟" in password_login(client, "township_a", PASSWORD).content.decode()
    # Once the lockout time has passed, the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=11))
    assert password_login(client, "township_a", PASSWORD).status_code == 302


def test_the_security_admin_sees_and_lifts_a_lockout(world):
    client = Client()
    fail(client, "township_a", 5)
    fail(client, "ghost", 5)
    locked = {row["username"]: row for row in services.locked_accounts()}
    assert set(locked) == {"township_a", "ghost"}
    assert locked["township_a"]["user"] == world.user("township_a")
    assert locked["ghost"]["user"] is None

    assert services.do_unlock_account(world.user("security_admin"), "township_a") == 1
    assert {row["username"] for row in services.locked_accounts()} == {"ghost"}
    assert password_login(client, "township_a", PASSWORD).status_code == 302
    entry = AuditEntry.objects.filter(action=AuditAction.SECURITY).first()
    assert entry.username == "security_admin"
    assert entry.object_repr == "township_a"
    assert '"event":"unlocked"' in entry.detail


def test_accounts_below_the_threshold_are_not_listed_as_locked(world):
    fail(Client(), "township_a", 4)
    assert services.locked_accounts() == []


def test_unlocking_needs_a_username_so_it_never_clears_every_lockout(world):
    fail(Client(), "township_a", 5)
    with pytest.raises(services.ValidationError):
        services.do_unlock_account(world.user("security_admin"), "  ")
    assert [row["username"] for row in services.locked_accounts()] == ["township_a"]


def test_only_the_security_admin_may_unlock(world):
    fail(Client(), "township_a", 5)
    with pytest.raises(services.PermissionDenied):
        services.do_unlock_account(world.user("county_admin"), "township_a")
    assert len(services.locked_accounts()) == 1
