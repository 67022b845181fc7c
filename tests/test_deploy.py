"""`tongzhan check --deploy` with production settings prints no warning (issue #2).

The check runs in a subprocess so that the settings module is imported afresh from a
production environment: DEBUG off, HTTPS on, keys from the environment, a real host name.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

TONGZHAN = [sys.executable, "-m", "tongzhan.cli"]
# What the test client relaxes (tests over plain HTTP) or a developer may have exported.
RELAXING = ("TONGZHAN_INSECURE_HTTP", "TONGZHAN_DEBUG", "TONGZHAN_DEMO", "DATABASE_URL")


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in RELAXING}
    env.update(
        TONGZHAN_DEBUG="0",
        TONGZHAN_DEMO="0",
        TONGZHAN_ALLOWED_HOSTS="tongzhan.example.gov.cn",
        TONGZHAN_CSRF_ORIGINS="https://tongzhan.example.gov.cn",
        TONGZHAN_SECRET_KEY=secrets.token_urlsafe(50),
        TONGZHAN_FIELD_KEY=secrets.token_hex(16),
        TONGZHAN_AUDIT_KEY=secrets.token_hex(32),
        # No key file and no database of the checkout may be touched. The scratch database
        # is SQLite in the PostgreSQL run too: no deploy check depends on the engine.
        TONGZHAN_KEY_FILE=str(tmp_path / "absent.keys"),
        TONGZHAN_VAR_DIR=str(tmp_path / "var"),
        TONGZHAN_SQLITE_PATH=str(tmp_path / "deploy.sqlite3"),
        DJANGO_SETTINGS_MODULE="tongzhan.settings",
    )
    env.update(extra)
    return env


def tongzhan(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*TONGZHAN, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def migrated_env(tmp_path_factory) -> dict[str, str]:
    """A production environment on a migrated scratch database (checks may read it)."""
    env = production_env(tmp_path_factory.mktemp("deploy"))
    result = tongzhan(env, "migrate", "-v0")
    assert result.returncode == 0, result.stdout + result.stderr
    return env


def test_the_deploy_check_passes_without_a_single_warning_in_production(migrated_env):
    result = tongzhan(migrated_env, "check", "--deploy", "--database", "default")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "ERROR" not in output, output


def test_the_deploy_check_refuses_to_pass_over_plain_http(migrated_env):
    """Proves the check above can fail: the relaxed test settings are not fit to deploy."""
    env = {**migrated_env, "TONGZHAN_INSECURE_HTTP": "1"}
    result = tongzhan(env, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for warning in ("security.W008", "security.W012", "security.W016", "security.W004"):
        assert warning in output, output


def test_production_settings_turn_on_https_hsts_and_secure_cookies(migrated_env):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = tongzhan(migrated_env, "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "True"]
