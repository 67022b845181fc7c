"""TOTP: required for the 三员, optional for everyone else, enrolled from the user menu
with a QR code drawn on the server; real codes computed with django_otp.oath."""

import json
import re
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzhan.accounts.models import RoleAssignment, User
from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.testing import COUNTY, PASSWORD, persona_password_hash

from .helpers import code_for, password_login

SETUP = reverse("accounts:otp_setup")
VERIFY = reverse("accounts:otp_verify")


def new_admin(role="sec_admin", username="new_admin") -> User:
    user = User.objects.create_user(username, password=None)
    user.password = persona_password_hash()
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    RoleAssignment.objects.create(user=user, role=role, region_id=COUNTY)
    return user


def security_events(result=None) -> list[str]:
    rows = AuditEntry.objects.filter(action=AuditAction.SECURITY).order_by("seq")
    if result:
        rows = rows.filter(result=result)
    return [json.loads(row.detail)["event"] for row in rows]


def pending(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


@pytest.mark.parametrize("path", ["/", "/people/", "/accounts/users/", "/accounts/tokens/"])
def test_an_admin_without_a_device_is_sent_to_enrol_from_every_page(world, path):
    client = Client()
    client.force_login(new_admin())
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={path.replace('/', '%2F')}"


def test_an_admin_with_a_device_must_enter_a_code_before_any_page(world):
    client = Client()
    assert password_login(client, "county_admin", PASSWORD).status_code == 302
    for path in ("/", "/accounts/users/", "/accounts/tokens/", "/people/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
    # The API does not serve an unverified admin session either.
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 403
    assert response.json() == {"detail": "请先在网页上完成安全验证"}


def test_the_setup_page_shows_an_inline_svg_qr_code_and_the_base32_secret(world):
    user = new_admin()
    client = Client()
    client.force_login(user)
    response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()
    device = pending(user)
    assert re.search(r'data-testid="otp-qr"><svg [^>]*viewBox=', html)
    assert "<path" in html
    assert "<img" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    text = secret.replace(" ", "")
    assert b32decode(text + "=" * (-len(text) % 8)) == device.bin_key
    # Reloading keeps the same secret: the phone may be halfway through scanning.
    assert client.get(SETUP).status_code == 200
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_a_valid_code_confirms_the_device_and_verifies_the_session(world):
    user = new_admin()
    client = Client()
    client.force_login(user)
    client.get(SETUP)
    device = pending(user)
    response = client.post(SETUP, {"token": code_for(device), "next": "/accounts/security/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/security/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert client.get("/accounts/security/").status_code == 200
    assert security_events() == ["otp_enrolment_started", "otp_enrolled"]


def test_a_wrong_code_is_refused_with_a_clear_error_and_audited(world):
    user = new_admin()
    client = Client()
    client.force_login(user)
    client.get(SETUP)
    device = pending(user)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    response = client.post(SETUP, {"token": wrong})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert security_events("failure") == ["otp_enrolled_failed"]
    assert client.get("/")["Location"].startswith(SETUP)


@pytest.mark.parametrize("token", ["", "12345", "abcdef", "1234567"])
def test_a_code_that_is_not_six_digits_is_refused_before_checking(world, token):
    user = new_admin()
    client = Client()
    client.force_login(user)
    client.get(SETUP)
    response = client.post(SETUP, {"token": token})
    assert "请输入验证器应用中显示的 6 位数字。" in response.content.decode()
    assert pending(user).throttling_failure_count == 0


def test_a_code_typed_with_a_space_is_accepted(world):
    user = new_admin()
    client = Client()
    client.force_login(user)
    client.get(SETUP)
    code = code_for(pending(user))
    assert client.post(SETUP, {"token": f"{code[:3]} {code[3:]}"}).status_code == 302


def test_after_a_password_login_the_code_prompt_lets_the_admin_in(world):
    device = TOTPDevice.objects.get(user=world.user("county_admin"))
    client = Client()
    password_login(client, "county_admin", PASSWORD)
    response = client.get("/accounts/users/")
    assert response["Location"] == f"{VERIFY}?next=%2Faccounts%2Fusers%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()
    done = client.post(VERIFY, {"token": code_for(device), "next": "/accounts/users/"})
    assert done["Location"] == "/accounts/users/"
    assert client.get("/accounts/users/").status_code == 200
    assert security_events() == ["otp_verified"]


def test_a_wrong_code_at_the_prompt_is_refused_and_audited(world):
    device = TOTPDevice.objects.get(user=world.user("county_admin"))
    client = Client()
    password_login(client, "county_admin", PASSWORD)
    wrong = f"{(int(code_for(device)) + 7) % 1000000:06d}"
    response = client.post(VERIFY, {"token": wrong})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)
    assert security_events("failure") == ["otp_verified_failed"]
    entry = AuditEntry.objects.get(action=AuditAction.SECURITY)
    assert entry.username == "county_admin"


def test_quick_retries_after_a_wrong_code_are_throttled(world):
    device = TOTPDevice.objects.get(user=world.user("county_admin"))
    client = Client()
    password_login(client, "county_admin", PASSWORD)
    client.post(VERIFY, {"token": "000000" if code_for(device) != "000000" else "111111"})
    response = client.post(VERIFY, {"token": code_for(device)})
    assert "验证码错误次数过多" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(VERIFY, {"token": code_for(device)}).status_code == 302


def test_a_code_cannot_be_used_twice(world):
    device = TOTPDevice.objects.get(user=world.user("county_admin"))
    code = code_for(device)
    first, second = Client(), Client()
    password_login(first, "county_admin", PASSWORD)
    password_login(second, "county_admin", PASSWORD)
    assert first.post(VERIFY, {"token": code}).status_code == 302
    assert second.post(VERIFY, {"token": code}).status_code == 200


def test_a_user_with_a_device_cannot_enrol_a_new_one_without_passing_the_old_one(world):
    client = Client()
    password_login(client, "county_admin", PASSWORD)
    response = client.get(f"{SETUP}?renew=1")
    assert response["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(confirmed=False).exists()


def test_a_verified_admin_sees_the_status_and_may_replace_but_not_disable(world, as_persona):
    admin = world.user("county_admin")
    client = as_persona("county_admin")
    page = client.get(SETUP).content.decode()
    assert 'data-testid="otp-enabled"' in page
    assert "不能停用" in page
    old = TOTPDevice.objects.get(user=admin)
    client.get(f"{SETUP}?renew=1")
    new = pending(admin)
    assert client.post(SETUP, {"token": code_for(new)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=admin)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    new.refresh_from_db()
    response = client.post(reverse("accounts:otp_disable"), {"token": code_for(new, 1)})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_other_users_need_no_device_but_may_enrol_and_are_then_asked_at_login(world):
    user = world.user("village_a")
    client = Client()
    password_login(client, "village_a", PASSWORD)
    assert client.get("/").status_code == 200
    client.get(SETUP)
    device = pending(user)
    assert client.post(SETUP, {"token": code_for(device)}).status_code == 302
    # A new session must pass the code prompt now.
    later = Client()
    password_login(later, "village_a", PASSWORD)
    assert later.get("/")["Location"].startswith(VERIFY)
    device.refresh_from_db()
    assert later.post(VERIFY, {"token": code_for(device, 1)}).status_code == 302
    assert later.get("/").status_code == 200


def test_other_users_may_disable_the_device_with_a_current_code(world):
    user = world.user("village_a")
    client = Client()
    password_login(client, "village_a", PASSWORD)
    client.get(SETUP)
    device = pending(user)
    client.post(SETUP, {"token": code_for(device)})
    device.refresh_from_db()
    disable = reverse("accounts:otp_disable")
    wrong = f"{(int(code_for(device, 1)) + 3) % 1000000:06d}"
    client.post(disable, {"token": wrong})
    assert TOTPDevice.objects.filter(user=user).exists()
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(disable, {"token": code_for(device, 1)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert security_events()[-1] == "otp_disabled"
    later = Client()
    password_login(later, "village_a", PASSWORD)
    assert later.get("/").status_code == 200


def test_the_verify_page_sends_a_user_without_a_device_to_enrolment(world, as_persona):
    response = as_persona("village_a").get(VERIFY)
    assert response["Location"] == SETUP
    assert as_persona("county_admin").get(VERIFY)["Location"] == "/"
