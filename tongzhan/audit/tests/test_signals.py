"""Logins (success and failure) and logouts write audit entries."""

from django.test import Client
from django.urls import reverse

from tongzhan.audit.models import AuditAction, AuditEntry, AuditResult
from tongzhan.audit.services import verify_chain
from tongzhan.testing import PASSWORD


def newest() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()


def login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_successful_login_writes_an_entry_with_user_and_ip(world):
    client = Client(REMOTE_ADDR="192.168.10.7")
    response = login(client, "county_staff", PASSWORD)
    assert response.status_code == 302
    entry = newest()
    assert (entry.action, entry.result) == (AuditAction.LOGIN, AuditResult.SUCCESS)
    assert entry.username == "county_staff"
    assert entry.user_id == world.user("county_staff").pk
    assert entry.ip == "192.168.10.7"
    assert entry.object_type == "accounts.user"


def test_a_failed_login_writes_an_entry_without_the_password(world):
    response = login(Client(), "county_staff", "Wrong-password-1")
    assert response.status_code == 200
    entry = newest()
    assert (entry.action, entry.result) == (AuditAction.LOGIN_FAILED, AuditResult.FAILURE)
    assert entry.username == "county_staff" and entry.user_id is None
    stored = " ".join(str(v) for v in AuditEntry.objects.values_list().get(pk=entry.pk))
    assert "Wrong-password-1" not in stored


def test_a_login_as_an_unknown_user_is_logged_under_the_name_tried(world):
    login(Client(), "nobody-here", PASSWORD)
    entry = newest()
    assert (entry.action, entry.username) == (AuditAction.LOGIN_FAILED, "nobody-here")


def test_a_logout_writes_an_entry(world):
    client = Client()
    login(client, "county_staff", PASSWORD)
    client.post(reverse("accounts:logout"))
    entry = newest()
    assert (entry.action, entry.username) == (AuditAction.LOGOUT, "county_staff")


def test_the_login_entries_form_an_intact_chain(world):
    for _ in range(2):
        client = Client()
        login(client, "county_staff", PASSWORD)
        login(Client(), "county_staff", "Wrong-password-1")
        client.post(reverse("accounts:logout"))
    report = verify_chain()
    assert report.ok and report.checked >= 6


def test_the_audit_ip_comes_from_x_real_ip_only_behind_a_trusted_proxy(settings, rf):
    from tongzhan.audit.context import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.1.2.3")
    settings.TRUSTED_PROXIES = []
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request) == "10.1.2.3"
    forged = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="not-an-ip")
    assert client_ip(forged) == "127.0.0.1"
    direct = rf.get("/", REMOTE_ADDR="192.0.2.7", HTTP_X_REAL_IP="10.1.2.3")
    assert client_ip(direct) == "192.0.2.7"
