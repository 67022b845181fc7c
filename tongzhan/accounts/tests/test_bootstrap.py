"""The console command that creates a deployment's first 系统管理员."""

import pytest
from django.core.management import CommandError, call_command

from tongzhan.accounts.models import User
from tongzhan.audit.models import AuditEntry
from tongzhan.testing import COUNTY, TOWNSHIP_A, build_regions

pytestmark = pytest.mark.django_db


def test_create_sysadmin_makes_a_system_administrator_who_must_enrol_totp(monkeypatch, client):
    build_regions()
    monkeypatch.setenv("TONGZHAN_INITIAL_PASSWORD", "Qingxi-Admin-2026!")
    call_command("create_sysadmin", "root_admin", region=COUNTY, name="王管理")
    user = User.objects.get(username="root_admin")
    assert user.active_roles() == {"sys_admin"}
    assert AuditEntry.objects.filter(object_id=str(user.pk), action="account").exists()
    client.post("/accounts/login/", {"username": "root_admin", "password": "Qingxi-Admin-2026!"})
    assert client.get("/").url.startswith("/accounts/otp/setup/")


def test_create_sysadmin_refuses_a_weak_password_and_writes_nothing(monkeypatch):
    build_regions()
    monkeypatch.setenv("TONGZHAN_INITIAL_PASSWORD", "short")
    with pytest.raises(CommandError, match="密码"):
        call_command("create_sysadmin", "root_admin", region=COUNTY)
    assert not User.objects.filter(username="root_admin").exists()


def test_create_sysadmin_refuses_a_township_region_and_an_unknown_code(monkeypatch):
    build_regions()
    monkeypatch.setenv("TONGZHAN_INITIAL_PASSWORD", "Qingxi-Admin-2026!")
    with pytest.raises(CommandError, match="系统管理员只能分配到"):
        call_command("create_sysadmin", "root_admin", region=TOWNSHIP_A)
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_sysadmin", "root_admin", region="330599999000")
