"""The password policy: length, character classes, not like the username, expiry, and the
owner's change of password."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzhan.accounts.models import User
from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.testing import PASSWORD

from .helpers import password_login

GOOD = "Lanting-Xu-2026"


def problems(password: str, username: str = "zhangsan") -> list[str]:
    try:
        password_validation.validate_password(password, User(username=username))
    except ValidationError as exc:
        return exc.messages
    return []


def test_a_long_password_with_three_character_classes_is_accepted(db):
    assert problems(GOOD) == []


def test_a_password_shorter_than_ten_characters_is_rejected(db):
    assert "密码至少需要 10 个字符。" in problems("Ab-12345")


def test_a_password_with_only_two_character_classes_is_rejected(db):
    assert "密码须包含小写字母、大写字母、数字、符号中的至少 3 类。" in problems("lanting2026xyz")


@pytest.mark.parametrize("password", ["Zhangsan-2026", "my.ZHANGSAN.pw1", "2026#zhangSan"])
def test_a_password_that_contains_the_username_in_any_case_is_rejected(db, password):
    assert "密码不能包含用户名。" in problems(password)


def test_a_password_almost_equal_to_the_username_is_rejected(db):
    assert problems("Lanting_Xu-2026", username="lanting_xu-2026") != []


def test_changing_the_policy_changes_what_is_accepted(db, set_policy):
    three_classes = "lanting-xu-2026"
    assert problems(three_classes) == []
    set_policy(password_min_length=16, password_min_classes=4)
    found = problems(three_classes)
    assert "密码至少需要 16 个字符。" in found
    assert "密码须包含小写字母、大写字母、数字、符号中的至少 4 类。" in found
    assert problems("Lanting-Xu-2026-ok") == []


def age_password(user, days: int) -> None:
    user.password_changed_at = timezone.now() - timedelta(days=days)
    user.save(update_fields=["password_changed_at"])


def test_an_expired_password_sends_every_page_to_the_change_form(world, as_persona):
    age_password(world.user("township_a"), 91)
    client = as_persona("township_a")
    for path in ("/", "/people/", reverse("accounts:token_list")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert "您的密码已过期或需要重设" in page.content.decode()


def test_a_password_younger_than_the_maximum_age_is_not_forced(world, as_persona):
    age_password(world.user("township_a"), 89)
    assert as_persona("township_a").get("/").status_code == 200


def test_the_maximum_age_comes_from_the_policy(world, as_persona, set_policy):
    age_password(world.user("township_a"), 31)
    set_policy(password_max_age_days=30)
    assert as_persona("township_a").get("/").status_code == 302
    set_policy(password_max_age_days=0)  # 0 = passwords never expire
    age_password(world.user("township_a"), 5000)
    assert as_persona("township_a").get("/").status_code == 200


def test_a_user_who_must_change_the_password_is_sent_to_the_change_form(world, as_persona):
    user = world.user("township_a")
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    response = as_persona("township_a").get("/")
    assert response["Location"] == reverse("accounts:password_change")


def change(client, old: str, new: str, again: str | None = None):
    data = {"old_password": old, "new_password1": new, "new_password2": again or new}
    return client.post(reverse("accounts:password_change"), data)


def test_changing_the_password_restarts_the_clock_keeps_the_session_and_is_audited(world):
    user = world.user("township_a")
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    age_password(user, 100)
    client = Client()
    assert password_login(client, "township_a", PASSWORD).status_code == 302
    response = change(client, PASSWORD, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert not user.must_change_password
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)
    assert client.get("/").status_code == 200  # still logged in, gate passed
    entry = AuditEntry.objects.filter(action=AuditAction.ACCOUNT).first()
    assert entry.username == "township_a"
    assert json.loads(entry.detail) == {"event": "password_changed"}


def test_the_change_form_rejects_a_password_that_breaks_the_policy(world, as_persona):
    client = as_persona("township_a")
    response = change(client, PASSWORD, "Township_A-2026")
    assert response.status_code == 200
    assert "密码不能包含用户名。" in response.content.decode()
    response = change(client, PASSWORD, "short")
    assert "密码至少需要 10 个字符。" in response.content.decode()
    assert world.user("township_a").check_password(PASSWORD)


def test_the_new_password_must_differ_from_the_current_one(world, as_persona):
    response = change(as_persona("township_a"), PASSWORD, PASSWORD)
    assert response.status_code == 200
    assert "新密码不能与当前密码相同。" in response.content.decode()


def test_a_wrong_current_password_is_refused(world, as_persona):
    response = change(as_persona("township_a"), "not-my-password", GOOD)
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.ACCOUNT).exists()
    user = User.objects.get(username="township_a")
    assert user.check_password(PASSWORD)


def test_an_admin_must_pass_totp_before_the_password_change_gate(world):
    user = world.user("county_admin")
    age_password(user, 200)
    client = Client()
    client.force_login(user)  # password done, TOTP not yet
    response = client.get("/")
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
