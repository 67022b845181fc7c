"""Navigation by role (tongzhan.accounts.context_processors): each persona sees the
entries of its own job, and none while it still has to pass the security gate."""

import pytest
from django.test import Client
from django.urls import reverse

from tongzhan.testing import PERSONAS

ENTRIES = [
    "首页",
    "统战对象",
    "导入花名册",
    "统计汇总",
    "用户管理",
    "行政区划",
    "安全策略",
    "审计日志",
    "组织",
    "手机工作台",
    "我的朋友",
    "联谊交友",
    "联系记录",
    "诉求办理",
]
WORK = {"组织", "我的朋友", "联谊交友", "联系记录", "诉求办理"}
EXPECTED = {
    "county_admin": {"首页", "用户管理", "行政区划"},
    "security_admin": {"首页", "安全策略"},
    "auditor": {"首页", "审计日志"},
    "county_staff": {"首页", "统战对象", "导入花名册", "统计汇总", "手机工作台", *WORK},
    "leader": {"首页", "统战对象", "统计汇总", *WORK},
    "unit_contact": {"首页", "统战对象", "导入花名册", "统计汇总", "手机工作台", *WORK},
    "township_a": {"首页", "统战对象", "导入花名册", "统计汇总", "手机工作台", *WORK},
    "township_b": {"首页", "统战对象", "导入花名册", "统计汇总", "手机工作台", *WORK},
    "village_a": {"首页", "统战对象", "手机工作台", *WORK},
}


def nav_labels(response) -> set[str]:
    return {str(item["label"]) for item in response.context["nav_items"]}


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_each_persona_sees_exactly_the_navigation_of_its_roles(as_persona, persona):
    response = as_persona(persona).get("/")
    assert nav_labels(response) == EXPECTED[persona]
    html = response.content.decode()
    menu = html.split('data-testid="main-nav"')[1].split("</ul>")[0]
    for label in ENTRIES:
        assert (f'<span class="nav-link-title">{label}</span>' in menu) == (
            label in EXPECTED[persona]
        )


def test_the_current_page_is_marked_active_and_home_only_on_itself(as_persona):
    response = as_persona("village_a").get("/")
    active = [str(i["label"]) for i in response.context["nav_items"] if i["active"]]
    assert active == ["首页"]


def test_an_admin_who_has_not_passed_totp_gets_no_navigation(world):
    client = Client()
    client.force_login(world.users["county_admin"])
    assert client.get("/").status_code == 302  # the gate sends it to TOTP first
    # A page open before the gate renders the shell without a menu that would only
    # lead back to the gate; leaving stays possible.
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 200
    assert response.context["gate_pending"] is True
    html = response.content.decode()
    assert 'data-testid="main-nav"' not in html
    assert 'data-testid="logout"' in html


def test_a_user_who_must_change_the_password_gets_no_navigation(world, as_persona):
    user = world.users["township_a"]
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client = as_persona("township_a")
    assert client.get("/").status_code == 302
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 200
    assert 'data-testid="main-nav"' not in response.content.decode()


def test_anonymous_visitors_get_no_navigation(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert 'data-testid="main-nav"' not in response.content.decode()
    assert 'data-testid="user-menu"' not in response.content.decode()
