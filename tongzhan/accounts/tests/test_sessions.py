"""The idle timeout: a session unused for longer than the policy's minutes is logged out."""

import json
import time

from django.conf import settings
from django.urls import reverse

from tongzhan.audit.models import AuditAction, AuditEntry


def idle_for(client, minutes: float) -> None:
    session = client.session
    session[settings.SESSION_IDLE_KEY] = int(time.time() - minutes * 60)
    session.save()


def test_a_session_idle_longer_than_the_policy_is_logged_out_with_an_audit_row(as_persona):
    client = as_persona("township_a")
    assert client.get("/").status_code == 200
    idle_for(client, 31)
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fpeople%2F"
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.filter(action=AuditAction.LOGOUT).first()
    assert entry.username == "township_a"
    assert json.loads(entry.detail) == {"reason": "idle_timeout"}
    assert entry.ip == "127.0.0.1"  # the request context is set before the idle check
    # The login page says why.
    assert "未操作，已自动退出" in client.get(response["Location"]).content.decode()


def test_activity_within_the_window_keeps_the_session_and_restarts_the_clock(as_persona):
    client = as_persona("township_a")
    idle_for(client, 29)
    assert client.get("/").status_code == 200
    assert time.time() - client.session[settings.SESSION_IDLE_KEY] < 5
    assert "_auth_user_id" in client.session
    assert not AuditEntry.objects.filter(action=AuditAction.LOGOUT).exists()


def test_the_idle_limit_comes_from_the_policy(as_persona, set_policy):
    set_policy(idle_timeout_minutes=10)
    client = as_persona("township_a")
    idle_for(client, 9)
    assert client.get("/").status_code == 200
    idle_for(client, 11)
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_idle_api_session_answers_401_instead_of_a_redirect(as_persona):
    client = as_persona("township_a")
    idle_for(client, 45)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert response.json() == {"detail": "会话已超时"}
