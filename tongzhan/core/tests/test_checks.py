"""A production start refuses to run while demo accounts exist (issue #2, item 10)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from tongzhan.accounts.models import User
from tongzhan.core.checks import DEMO_ACCOUNTS_ID, demo_account_count, refuse_demo_accounts

TONGZHAN = [sys.executable, "-m", "tongzhan.cli"]


def make_demo_user(username="demo_staff"):
    return User.objects.create_user(username, password=None, is_demo=True)


def deploy_check_ids() -> list[str]:
    return [
        m.id
        for m in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
        if m.level >= checks.ERROR
    ]


@pytest.mark.django_db
def test_a_production_start_refuses_to_run_while_a_demo_account_exists(settings):
    settings.DEMO_MODE = False
    refuse_demo_accounts()  # no demo account: starts
    make_demo_user()
    with pytest.raises(ImproperlyConfigured, match="1 个演示账户"):
        refuse_demo_accounts()


@pytest.mark.django_db
def test_demo_mode_starts_with_its_demo_accounts(settings):
    settings.DEMO_MODE = True
    make_demo_user()
    refuse_demo_accounts()


@pytest.mark.django_db
def test_the_deploy_check_reports_demo_accounts_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    assert DEMO_ACCOUNTS_ID not in deploy_check_ids()
    make_demo_user()
    make_demo_user("demo_leader")
    assert DEMO_ACCOUNTS_ID in deploy_check_ids()
    settings.DEMO_MODE = True
    assert DEMO_ACCOUNTS_ID not in deploy_check_ids()


@pytest.mark.django_db
def test_the_deploy_check_is_not_run_by_ordinary_checks(settings):
    settings.DEMO_MODE = False
    make_demo_user()
    ids = [m.id for m in checks.run_checks(tags=[checks.Tags.security])]
    assert DEMO_ACCOUNTS_ID not in ids


@pytest.mark.django_db
def test_an_ordinary_user_is_not_a_demo_account():
    User.objects.create_user("real", password=None)
    assert demo_account_count() == 0


def scratch_env(tmp_path: Path, **extra) -> dict[str, str]:
    """A production environment on a scratch SQLite file (never the checkout's database)."""
    relaxing = ("TONGZHAN_DEMO", "TONGZHAN_DEBUG", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in relaxing}
    env.update(
        TONGZHAN_SECRET_KEY=secrets.token_urlsafe(50),
        TONGZHAN_FIELD_KEY=secrets.token_hex(16),
        TONGZHAN_AUDIT_KEY=secrets.token_hex(32),
        TONGZHAN_KEY_FILE=str(tmp_path / "absent.keys"),
        TONGZHAN_SQLITE_PATH=str(tmp_path / "scratch.sqlite3"),
        TONGZHAN_ALLOWED_HOSTS="tongzhan.example.gov.cn",
        DJANGO_SETTINGS_MODULE="tongzhan.settings",
    )
    env.update(extra)
    return env


def run(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )


def test_before_migrate_the_check_and_the_start_up_do_not_trip_over_missing_tables(tmp_path):
    env = scratch_env(tmp_path)
    checked = run(env, *TONGZHAN, "check", "--deploy")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert DEMO_ACCOUNTS_ID not in checked.stderr and "Traceback" not in checked.stderr
    started = run(env, sys.executable, "-c", "import tongzhan.wsgi")
    assert started.returncode == 0, started.stderr


def test_the_wsgi_start_refuses_a_database_with_demo_accounts(tmp_path):
    env = scratch_env(tmp_path)
    assert run(env, *TONGZHAN, "migrate", "-v0").returncode == 0
    create = (
        "from tongzhan.accounts.models import User; User.objects.create_user('x', is_demo=True)"
    )
    assert run(env, *TONGZHAN, "shell", "-c", create).returncode == 0
    refused = run(env, sys.executable, "-c", "import tongzhan.wsgi")
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "演示账户" in refused.stderr
    checked = run(env, *TONGZHAN, "check", "--deploy")
    assert checked.returncode != 0 and DEMO_ACCOUNTS_ID in checked.stderr
    demo = run({**env, "TONGZHAN_DEMO": "1"}, sys.executable, "-c", "import tongzhan.wsgi")
    assert demo.returncode == 0, demo.stderr
