"""Settings promises: SQLite runs in WAL mode; keys never come from the repository."""

import os
import subprocess
import sys

import pytest
from django.db import connection


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL run")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The in-memory test database cannot use WAL; the file database must.
    if connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        assert mode == "memory"
    else:
        assert mode == "wal"


def test_settings_refuse_to_start_without_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGZHAN_")}
    env.update(
        TONGZHAN_KEY_FILE=str(tmp_path / "missing.keys"), DJANGO_SETTINGS_MODULE="tongzhan.settings"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "tongzhan makekeys" in result.stderr


def test_makekeys_creates_a_private_key_file_once(tmp_path):
    env = {**os.environ, "TONGZHAN_KEY_FILE": str(tmp_path / "k.keys")}
    tongzhan = os.path.join(os.path.dirname(sys.executable), "tongzhan")
    subprocess.run([tongzhan, "makekeys"], env=env, check=True, capture_output=True)
    first = (tmp_path / "k.keys").read_text()
    assert oct((tmp_path / "k.keys").stat().st_mode & 0o777) == "0o600"
    subprocess.run([tongzhan, "makekeys"], env=env, check=True, capture_output=True)
    assert (tmp_path / "k.keys").read_text() == first


def test_the_file_database_uses_wal(tmp_path):
    env = {**os.environ, "TONGZHAN_SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    env.pop("DATABASE_URL", None)
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "wal"


def test_runserver_request_lines_are_masked(caplog):
    import logging

    from tongzhan.lib.masking import MaskingLogFilter

    logger = logging.getLogger("django.server")
    handler_filters = [f for h in logger.handlers for f in h.filters]
    assert any(isinstance(f, MaskingLogFilter) for f in handler_filters)
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        "",
        0,
        '"GET /people/?q=13812345678 HTTP/1.1" 200',
        None,
        None,
    )
    MaskingLogFilter().filter(record)
    assert "13812345678" not in record.getMessage() and "138****5678" in record.getMessage()
