"""`tongzhan verify-audit`: prints what it checked and each problem; exit status 1 on any."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record

from .tamper import tamper

pytestmark = pytest.mark.django_db


def run() -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out, chunk_size=2)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.fixture
def five():
    return [record(AuditAction.SECURITY, object_repr=f"事件{i}") for i in range(1, 6)]


def test_an_intact_chain_passes_and_says_how_many_entries_it_checked(five):
    out, error = run()
    assert error is None
    assert "已校验 5 条审计记录" in out
    assert f"最后一条：第 5 条，MAC {five[-1].mac}" in out
    assert "审计链完整" in out


def test_a_changed_row_fails_with_exit_status_1(five):
    tamper("UPDATE audit_auditentry SET object_repr = '改过' WHERE seq = 2")
    out, error = run()
    assert error is not None and error.returncode == 1
    assert "第 2 条校验失败（被修改或伪造）" in out
    assert "发现 1 个问题" in str(error)


def test_a_row_deleted_in_the_middle_fails(five):
    tamper("DELETE FROM audit_auditentry WHERE seq = 3")
    out, error = run()
    assert error is not None and error.returncode == 1
    assert "第 3 条缺失（被删除）" in out


def test_a_deleted_last_row_fails(five):
    tamper("DELETE FROM audit_auditentry WHERE seq = 5")
    out, error = run()
    assert error is not None and error.returncode == 1
    assert "末尾第 5 条缺失（被删除）" in out


def test_an_inserted_row_fails(five):
    from .test_services import insert_forged

    insert_forged(6, five[-1].time, "cd" * 32)
    out, error = run()
    assert error is not None and error.returncode == 1
    assert "第 6 条校验失败" in out


def test_the_command_exits_with_status_1_from_the_command_line(five, monkeypatch):
    """run_from_argv is what the `tongzhan` script calls: a CommandError becomes exit(1)."""
    from django.db import connections

    from tongzhan.audit.management.commands.verify_audit import Command

    tamper("DELETE FROM audit_auditentry WHERE seq = 3")
    # It closes the connections when done, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    command = Command(stdout=StringIO(), stderr=StringIO())
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["tongzhan", "verify_audit"])
    assert exited.value.code == 1


def test_the_command_line_spells_it_with_a_hyphen(monkeypatch):
    import sys

    from tongzhan import cli

    seen = []
    monkeypatch.setattr(sys, "argv", ["tongzhan", "verify-audit", "--chunk-size", "10"])
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: seen.append(list(argv))
    )
    cli.main()
    assert seen == [["tongzhan", "verify_audit", "--chunk-size", "10"]]
