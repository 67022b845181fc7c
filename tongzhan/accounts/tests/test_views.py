"""The account pages: user management for the 系统管理员, the policy page for the 安全管理员,
and each admin role doing only its own job."""

import pytest
from django.test import Client
from django.urls import reverse

from tongzhan.accounts.models import RoleAssignment, SecurityPolicy, User
from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category
from tongzhan.testing import COUNTY, PASSWORD, TOWNSHIP_B, VILLAGE_A1

from .helpers import password_login

NEW_PASSWORD = "Qingxi-Start-2026"


def url(name, *args):
    return reverse(f"accounts:{name}", args=args)


# --- each admin role does only its own job ------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "forbidden"),
    [
        ("county_admin", ["accounts:security_policy", "accounts:token_admin_list", "audit:log"]),
        ("security_admin", ["accounts:user_list", "accounts:user_create", "audit:log"]),
        (
            "auditor",
            ["accounts:user_list", "accounts:user_create", "accounts:security_policy"],
        ),
    ],
)
def test_each_admin_role_can_open_only_its_own_pages(as_persona, persona, forbidden):
    client = as_persona(persona)
    for name in forbidden:
        assert client.get(reverse(name)).status_code == 404, name


def test_the_admin_roles_open_their_own_pages(as_persona):
    assert as_persona("county_admin").get(url("user_list")).status_code == 200
    assert as_persona("security_admin").get(url("security_policy")).status_code == 200
    assert as_persona("security_admin").get(url("token_admin_list")).status_code == 200


def test_the_user_pages_of_another_user_are_404_for_everyone_but_the_system_admin(
    world, as_persona
):
    target = world.user("village_a").pk
    for persona in ("security_admin", "auditor", "county_staff", "village_a", "leader"):
        client = as_persona(persona)
        assert client.get(url("user_detail", target)).status_code == 404
        assert client.post(url("user_set_active", target), {"active": "0"}).status_code == 404
    assert User.objects.get(pk=target).is_active


# --- user list ----------------------------------------------------------------------------------


def test_the_user_list_shows_roles_and_searches_by_username_and_name(world, as_persona):
    client = as_persona("county_admin")
    html = client.get(url("user_list")).content.decode()
    assert "township_a" in html and "乡镇统战委员 · 清溪镇" in html
    world.user("village_a").display_name = "陈小梅"
    world.user("village_a").save(update_fields=["display_name"])
    found = client.get(url("user_list"), {"q": "小梅"}).content.decode()
    assert "village_a" in found and "township_a" not in found
    found = client.get(url("user_list"), {"q": "TOWNSHIP"}).content.decode()
    assert "township_a" in found and "township_b" in found and "village_a" not in found


def test_the_user_list_uses_a_fixed_number_of_queries(
    world, as_persona, django_assert_max_num_queries
):
    client = as_persona("county_admin")
    for i in range(30):
        user = User.objects.create_user(f"bulk{i}", password=None)
        RoleAssignment.objects.create(user=user, role="staff", region_id=COUNTY)
    with django_assert_max_num_queries(12):
        assert client.get(url("user_list")).status_code == 200


# --- creating and editing users -------------------------------------------------------------------


def create(client, **changes):
    data = {
        "username": "chen_xm",
        "display_name": "陈小梅",
        "unit": "青山村",
        "email": "",
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(changes)
    return client.post(url("user_create"), data)


def test_a_created_user_logs_in_and_must_first_change_the_password(world, as_persona):
    response = create(as_persona("county_admin"))
    user = User.objects.get(username="chen_xm")
    assert response["Location"] == url("user_detail", user.pk)
    client = Client()
    assert password_login(client, "chen_xm", NEW_PASSWORD).status_code == 302
    assert client.get("/")["Location"] == url("password_change")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "陈 小梅"}, "用户名只能包含字母、数字及"),
        ({"username": "township_a"}, "用户名「township_a」已被使用。"),
        ({"password2": "Something-Else-1"}, "两次输入的密码不一致。"),
        ({"password": "Chen_XM_2026", "password2": "Chen_XM_2026"}, "密码不能包含用户名。"),
        ({"password": "abcdefghij", "password2": "abcdefghij"}, "至少 3 类"),
        ({"email": "not-an-email"}, "请输入有效的电子邮箱地址。"),
        ({"display_name": ""}, "这个字段是必填项。"),
    ],
)
def test_bad_user_input_gets_a_chinese_field_error(world, as_persona, changes, message):
    response = create(as_persona("county_admin"), **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="chen_xm").exists()


def test_editing_a_user_saves_and_audits(world, as_persona):
    target = world.user("village_a")
    data = {"display_name": "陈小梅", "unit": "青山村村委", "email": "chen@example.cn"}
    response = as_persona("county_admin").post(url("user_edit", target.pk), data)
    assert response["Location"] == url("user_detail", target.pk)
    target.refresh_from_db()
    assert (target.display_name, target.unit, target.email) == tuple(data.values())
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_a_deactivated_user_cannot_log_in_and_gets_the_usual_message(world, as_persona):
    target = world.user("village_a")
    as_persona("county_admin").post(url("user_set_active", target.pk), {"active": "0"})
    response = password_login(Client(), "village_a", PASSWORD)
    assert response.status_code == 200
    assert "用户名或密码不正确。" in response.content.decode()
    as_persona("county_admin").post(url("user_set_active", target.pk), {"active": "1"})
    assert password_login(Client(), "village_a", PASSWORD).status_code == 302


def test_deactivating_a_user_ends_its_open_sessions(world, as_persona):
    session = as_persona("village_a")
    assert session.get("/").status_code == 200
    as_persona("county_admin").post(
        url("user_set_active", world.user("village_a").pk), {"active": "0"}
    )
    assert session.get("/").status_code == 302


def test_the_system_admin_cannot_deactivate_itself_on_the_page(world, as_persona):
    admin = world.user("county_admin")
    client = as_persona("county_admin")
    response = client.post(url("user_set_active", admin.pk), {"active": "0"}, follow=True)
    assert "不能停用自己的账户。" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


def test_a_password_reset_on_the_page_forces_a_change(world, as_persona):
    target = world.user("village_a")
    data = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = as_persona("county_admin").post(url("user_reset_password", target.pk), data)
    assert response.status_code == 302
    client = Client()
    password_login(client, "village_a", NEW_PASSWORD)
    assert client.get("/")["Location"] == url("password_change")


# --- role assignments on the page ----------------------------------------------------------------


def test_assigning_a_role_on_the_page(world, as_persona):
    target = world.user("village_a")
    client = as_persona("county_admin")
    page = client.get(url("role_add", target.pk)).content.decode()
    assert "青山村（330599101201）" in page
    assert "湖州市" not in page  # outside the admin's own area
    data = {"role": "unit_contact", "region": COUNTY, "lines": [Category.RELIGIOUS]}
    response = client.post(url("role_add", target.pk), data)
    assert response["Location"] == url("user_detail", target.pk)
    detail = client.get(response["Location"]).content.decode()
    assert "成员单位联络人" in detail and "宗教界人士" in detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "village_liaison", "region": TOWNSHIP_B}, "只能分配到村级区域"),
        ({"role": "unit_contact", "region": COUNTY}, "须选择至少一个条线"),
        ({"role": "sec_admin", "region": COUNTY}, "属于三员，不能与其他角色兼任"),
        ({"role": "staff", "region": "330500000000"}, "请选择您管理范围内的区域。"),
        ({"role": "nobody", "region": COUNTY}, "选择一个有效的选项"),
    ],
)
def test_a_role_that_breaks_the_rules_gets_a_clear_error(world, as_persona, data, message):
    target = world.user("village_a")
    response = as_persona("county_admin").post(url("role_add", target.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(target.role_assignments.values_list("role", flat=True)) == ["village_liaison"]


def test_the_system_admin_gets_an_error_when_assigning_itself_a_role(world, as_persona):
    admin = world.user("county_admin")
    data = {"role": "sys_admin", "region": VILLAGE_A1}
    response = as_persona("county_admin").post(url("role_add", admin.pk), data)
    assert "不能为自己分配或撤销角色" in response.content.decode()
    assert admin.role_assignments.count() == 1


def test_removing_a_role_on_the_page(world, as_persona):
    target = world.user("unit_contact")
    assignment = target.role_assignments.get()
    response = as_persona("county_admin").post(url("role_remove", target.pk, assignment.pk))
    assert response["Location"] == url("user_detail", target.pk)
    assert not target.role_assignments.exists()


def test_a_role_of_another_user_cannot_be_removed_through_this_user(world, as_persona):
    other = world.user("township_b").role_assignments.get()
    target = world.user("village_a")
    response = as_persona("county_admin").post(url("role_remove", target.pk, other.pk))
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=other.pk).exists()


# --- the security policy page -----------------------------------------------------------------------


def policy_form(**changes) -> dict:
    data = SecurityPolicy.defaults()
    data.update(changes)
    return data


def test_the_security_admin_saves_the_policy_and_it_applies_at_once(world, as_persona):
    client = as_persona("security_admin")
    response = client.post(url("security_policy"), policy_form(lockout_threshold=3))
    assert response["Location"] == url("security_policy")
    assert SecurityPolicy.current().lockout_threshold == 3
    login = Client()
    statuses = [
        password_login(login, "township_a", "wrong-Password-1").status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    page = client.get(url("security_policy")).content.decode()
    assert 'value="3"' in page
    assert "township_a" in page  # now listed as locked


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password_min_length": 6}, "须在 8 到 64 之间。"),
        ({"lockout_minutes": ""}, "请填写此项。"),
        ({"idle_timeout_minutes": "三十"}, "请输入整数。"),
    ],
)
def test_a_bad_policy_value_gets_a_field_error(world, as_persona, changes, message):
    response = as_persona("security_admin").post(url("security_policy"), policy_form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SecurityPolicy.objects.exists()


def test_the_security_admin_unlocks_an_account_on_the_page(world, as_persona):
    login = Client()
    for _ in range(5):
        password_login(login, "township_a", "wrong-Password-1")
    client = as_persona("security_admin")
    assert "township_a" in client.get(url("security_policy")).content.decode()
    response = client.post(url("account_unlock"), {"username": "township_a"}, follow=True)
    assert "已解锁账户 township_a。" in response.content.decode()
    assert password_login(login, "township_a", PASSWORD).status_code == 302


# --- pages at a phone's width ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("county_admin", "user_list"),
        ("security_admin", "security_policy"),
        ("security_admin", "token_admin_list"),
        ("village_a", "token_list"),
    ],
)
def test_list_pages_stack_their_tables_into_cards_on_a_phone(as_persona, persona, name):
    html = as_persona(persona).get(url(name)).content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert "table-responsive-cards" in html
