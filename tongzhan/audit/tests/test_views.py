"""The audit pages: only the 审计管理员 opens them; search, one entry, verification."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongzhan.audit.models import AuditAction, AuditEntry, AuditResult
from tongzhan.audit.services import record
from tongzhan.audit.views import PAGE_SIZE, change_rows
from tongzhan.testing import PERSONAS

from .tamper import tamper

LOG = reverse("audit:log")


@pytest.fixture
def auditor(as_persona):
    return as_persona("auditor")


def seqs(response) -> list[int]:
    return [e.seq for e in response.context["page"]]


def shift_time(seq: int, days: int) -> None:
    """Back-date an entry (breaks its MAC, which these tests do not look at)."""
    when = timezone.now() - timedelta(days=days)
    tamper("UPDATE audit_auditentry SET time = %s WHERE seq = %s", [when, seq])


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"auditor"}))
def test_every_other_persona_gets_404_on_every_audit_page(as_persona, persona):
    client = as_persona(persona)
    entry = record(AuditAction.SECURITY)
    for url in (LOG, reverse("audit:entry", args=[entry.seq]), reverse("audit:verify")):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("audit:verify")).status_code == 404


def test_the_log_lists_newest_first_fifty_to_a_page(auditor):
    for i in range(PAGE_SIZE + 5):
        record(AuditAction.SECURITY, object_repr=f"事件{i}")
    newest = AuditEntry.objects.order_by("-seq").first().seq
    first = auditor.get(LOG)
    assert first.status_code == 200
    assert seqs(first) == list(range(newest, newest - PAGE_SIZE, -1))
    second = auditor.get(LOG, {"page": 2})
    assert seqs(second)[0] == newest - PAGE_SIZE
    assert len(seqs(second)) == newest - PAGE_SIZE


def test_the_log_filters_by_user_action_result_and_object(auditor, world):
    staff = world.user("county_staff")
    person = world.person_a1
    a = record(AuditAction.UPDATE, user=staff, obj=person)
    b = record(AuditAction.DELETE, user=staff, obj=world.person_b1)
    c = record(AuditAction.LOGIN_FAILED, username="mallory", result=AuditResult.FAILURE)
    assert seqs(auditor.get(LOG, {"username": "staff"})) == [b.seq, a.seq]
    assert seqs(auditor.get(LOG, {"username": "staff", "action": "update"})) == [a.seq]
    assert c.seq in seqs(auditor.get(LOG, {"result": "failure"}))
    assert all(
        e.result == "failure" for e in auditor.get(LOG, {"result": "failure"}).context["page"]
    )
    by_type = seqs(auditor.get(LOG, {"object_type": "people.person"}))
    assert by_type == [b.seq, a.seq]
    assert seqs(auditor.get(LOG, {"obj": str(person.pk), "object_type": "people.person"})) == [
        a.seq
    ]
    assert seqs(auditor.get(LOG, {"obj": "白石"})) == [b.seq]


def test_the_log_filters_by_date_including_the_last_day(auditor):
    old = record(AuditAction.SECURITY, object_repr="旧")
    new = record(AuditAction.SECURITY, object_repr="新")
    shift_time(old.seq, 10)
    today = timezone.localdate()
    ten_days_ago = today - timedelta(days=10)
    assert new.seq not in seqs(auditor.get(LOG, {"date_to": ten_days_ago.isoformat()}))
    assert old.seq in seqs(auditor.get(LOG, {"date_to": ten_days_ago.isoformat()}))
    recent = seqs(auditor.get(LOG, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    assert new.seq in recent and old.seq not in recent


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date_from": "2026-13-45"}, "date_from"),
        ({"date_to": "昨天"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
        ({"action": "drop_table"}, "action"),
        ({"object_type": "nonsense"}, "object_type"),
    ],
)
def test_bad_filter_input_is_a_field_error_not_a_500(auditor, params, field):
    record(AuditAction.SECURITY)
    response = auditor.get(LOG, params)
    assert response.status_code == 200
    assert field in response.context["filters"].errors
    assert seqs(response) == []  # not an unfiltered list that looks like the answer
    assert 'data-testid="filter-error"' in response.content.decode()


def test_a_bad_page_number_shows_a_page_not_an_error(auditor):
    record(AuditAction.SECURITY)
    assert auditor.get(LOG, {"page": "abc"}).status_code == 200
    assert auditor.get(LOG, {"page": "99999"}).status_code == 200


def test_the_log_runs_a_bounded_number_of_queries(auditor, world, django_assert_max_num_queries):
    staff = world.user("county_staff")
    for _ in range(PAGE_SIZE + 10):
        record(AuditAction.UPDATE, user=staff, obj=world.person_a1, detail={"x": 1})
    auditor.get(LOG)  # settle the session
    # session, user, OTP device, roles, count, page: none of them per row
    with django_assert_max_num_queries(8):
        response = auditor.get(LOG, {"username": "staff", "object_type": "people.person"})
    assert len(seqs(response)) == PAGE_SIZE


def test_the_page_links_keep_the_filters(auditor):
    for _ in range(PAGE_SIZE + 1):
        record(AuditAction.SECURITY, username="county_staff")
    html = auditor.get(LOG, {"username": "county_staff"}).content.decode()
    assert "?username=county_staff&amp;page=2" in html


def test_an_entry_shows_its_fields_and_its_detail_pretty_printed(auditor, world):
    entry = record(
        AuditAction.UPDATE,
        user=world.user("county_staff"),
        obj=world.person_a1,
        detail={"changes": {"name": {"before": "张三", "after": "张青山"}}},
    )
    response = auditor.get(reverse("audit:entry", args=[entry.seq]))
    html = response.content.decode()
    assert response.status_code == 200
    # Chinese as written (not \u escapes), HTML-escaped like any text on the page.
    assert "&quot;before&quot;: &quot;张三&quot;" in html
    assert '\n  "changes": {' in response.context["detail_pretty"]
    assert response.context["changes"] == [
        {"field": "name", "label": "姓名", "before": "张三", "after": "张青山"}
    ]
    assert response.context["link_ok"] is True
    assert "county_staff" in html and "统战对象" in html


def test_an_entry_page_shows_a_broken_link(auditor):
    entry = record(AuditAction.SECURITY)
    tamper("UPDATE audit_auditentry SET username = 'mallory' WHERE seq = %s", [entry.seq])
    response = auditor.get(reverse("audit:entry", args=[entry.seq]))
    assert response.context["link_ok"] is False
    assert "校验失败" in response.content.decode()


def test_an_unknown_entry_is_404(auditor):
    assert auditor.get(reverse("audit:entry", args=[987654])).status_code == 404


def test_change_rows_read_created_and_deleted_snapshots():
    assert change_rows({"after": {"name": "甲"}}) == [
        {"field": "name", "before": None, "after": "甲"}
    ]
    assert change_rows({"before": {"name": "乙"}}) == [
        {"field": "name", "before": "乙", "after": None}
    ]
    assert change_rows({"field": "phone"}) == []
    assert change_rows(None) == [] and change_rows(["x"]) == []


def test_the_verify_page_shows_a_form_and_runs_nothing_on_get(auditor):
    before = AuditEntry.objects.count()
    response = auditor.get(reverse("audit:verify"))
    assert response.status_code == 200 and response.context["report"] is None
    assert 'data-testid="run-verify"' in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_running_verification_shows_an_intact_chain_and_is_itself_audited(auditor, world):
    record(AuditAction.SECURITY)
    response = auditor.post(reverse("audit:verify"))
    assert response.status_code == 200
    assert response.context["report"].ok
    assert "审计链完整" in response.content.decode()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.result) == (AuditAction.SECURITY, AuditResult.SUCCESS)
    assert entry.user_id == world.user("auditor").pk
    assert entry.object_repr == "审计链校验"


def test_running_verification_shows_the_problems_and_logs_a_failure(auditor):
    record(AuditAction.SECURITY)
    record(AuditAction.SECURITY)
    tamper("DELETE FROM audit_auditentry WHERE seq = 1")
    response = auditor.post(reverse("audit:verify"))
    html = response.content.decode()
    assert "审计链校验未通过" in html and "第 1 条缺失（被删除）" in html
    assert AuditEntry.objects.order_by("-seq").first().result == AuditResult.FAILURE
