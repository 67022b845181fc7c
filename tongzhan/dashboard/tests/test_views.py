"""The home page of each role: its own slice of persons, its own job, few queries."""

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.testing import PERSONAS, VILLAGE_A1, make_person

HOME = "/"
NAMES = {"a1": "张青山", "a2": "释明心", "b1": "李白石"}

# Which persons' names each persona's home page may show (by the scope rule's "view").
SEES = {
    "county_admin": set(),
    "auditor": set(),
    "security_admin": set(),
    "county_staff": {"a1", "a2", "b1"},
    "leader": {"a1", "a2", "b1"},
    "unit_contact": {"a1", "b1"},  # the 工商联 line: 非公经济 only
    "township_a": {"a1", "a2"},
    "township_b": {"b1"},
    "village_a": {"a1"},
}


def home_html(as_persona, persona) -> str:
    response = as_persona(persona).get(HOME)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_each_persona_home_shows_only_the_persons_in_its_own_slice(as_persona, persona):
    html = home_html(as_persona, persona)
    shown = {key for key, name in NAMES.items() if name in html}
    assert shown == SEES[persona]


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_each_persona_home_page_takes_a_bounded_number_of_queries(
    as_persona, persona, django_assert_max_num_queries
):
    client = as_persona(persona)
    client.get(HOME)  # warm the security-policy cache, as any earlier request would
    with django_assert_max_num_queries(12):
        assert client.get(HOME).status_code == 200


def test_the_query_count_does_not_grow_with_the_number_of_persons(world, as_persona):
    client = as_persona("county_staff")
    client.get(HOME)
    with CaptureQueriesContext(connection) as before:
        client.get(HOME)
    for i in range(20):
        make_person(f"新增{i}", VILLAGE_A1, ["06"])
    with CaptureQueriesContext(connection) as after:
        client.get(HOME)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_county_staff_sees_counts_by_township_with_empty_townships_listed(as_persona):
    html = home_html(as_persona, "county_staff")
    assert 'data-testid="counts-by-region"' in html
    table = html.split('data-testid="counts-by-region"')[1].split("</table>")[0]
    assert "清溪镇" in table and "白石乡" in table
    assert '<td class="text-end">2</td>' in table.split("清溪镇")[1].split("</tr>")[0]
    assert '<td class="text-end">1</td>' in table.split("白石乡")[1].split("</tr>")[0]


def test_the_leader_sees_the_same_totals_by_township_as_the_staff(as_persona):
    staff = home_html(as_persona, "county_staff").split('data-testid="counts-by-region"')[1]
    leader = home_html(as_persona, "leader").split('data-testid="counts-by-region"')[1]
    assert staff.split("</table>")[0] == leader.split("</table>")[0]


def test_a_township_member_sees_counts_by_village_of_its_own_township_only(as_persona):
    html = home_html(as_persona, "township_a")
    table = html.split('data-testid="counts-by-region"')[1].split("</table>")[0]
    assert "青山村" in table and "溪口社区" in table
    assert "白石村" not in table and "白石乡" not in table


def test_the_unit_contact_counts_only_persons_of_its_lines(as_persona):
    html = home_html(as_persona, "unit_contact")
    assert 'data-testid="person-total">2<' in html
    table = html.split('data-testid="counts-by-region"')[1].split("</table>")[0]
    # 清溪镇 holds 张青山 (非公经济) and 释明心 (宗教界): only the first is on the line.
    assert '<td class="text-end">1</td>' in table.split("清溪镇")[1].split("</tr>")[0]


def test_the_village_liaison_gets_no_breakdown_and_counts_only_its_village(as_persona):
    html = home_html(as_persona, "village_a")
    assert 'data-testid="person-total">1<' in html
    assert "counts-by-region" not in html
    assert "青山村" in html.split('data-testid="my-scope"')[1]


def test_the_system_administrator_gets_account_and_region_shortcuts(as_persona):
    html = home_html(as_persona, "county_admin")
    assert reverse("accounts:user_list") in html
    assert reverse("core:region_list") in html
    assert f'data-testid="active-users">{len(PERSONAS)}<' in html
    assert "person-total" not in html and "recent-audit" not in html


def test_the_security_administrator_sees_the_policy_and_the_locked_accounts(world, as_persona):
    AccessAttempt.objects.create(
        username="township_b",
        ip_address="10.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    html = home_html(as_persona, "security_admin")
    assert 'data-testid="policy-summary"' in html
    assert 'data-testid="locked-accounts">1<' in html
    assert reverse("accounts:security_policy") in html
    assert "person-total" not in html and "recent-audit" not in html


def test_the_auditor_sees_the_latest_audit_entries(world, as_persona):
    record(AuditAction.LOGIN_FAILED, username="nobody-such", result="failure")
    html = home_html(as_persona, "auditor")
    assert 'data-testid="recent-audit"' in html
    assert "nobody-such" in html
    assert "person-total" not in html and "active-users" not in html


def test_admin_roles_and_business_roles_do_not_see_each_others_jobs(as_persona):
    html = home_html(as_persona, "county_staff")
    for marker in ("active-users", "policy-summary", "locked-accounts", "recent-audit"):
        assert marker not in html


def test_a_missing_page_answers_404_in_chinese_inside_the_shell(as_persona):
    response = as_persona("township_a").get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在，或不在您的管辖范围内。" in html
    assert 'data-testid="main-nav"' in html


def test_the_server_error_page_renders_without_touching_the_database(rf):
    from tongzhan.dashboard.views import error_500

    # No db fixture: any query here would raise.
    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "服务器出现错误" in response.content.decode()
