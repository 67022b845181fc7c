"""The account writers: users, role assignments (三员 exclusivity included) and the policy."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongzhan.accounts import services
from tongzhan.accounts.models import RoleAssignment, SecurityPolicy, User
from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category
from tongzhan.testing import COUNTY, TOWNSHIP_A, VILLAGE_A1

NEW_PASSWORD = "Qingxi-Start-2026"


def errors_of(caught) -> dict:
    return {key: " ".join(messages) for key, messages in caught.value.message_dict.items()}


def last_detail(action=AuditAction.ACCOUNT) -> dict:
    return json.loads(AuditEntry.objects.filter(action=action).latest("seq").detail)


@pytest.fixture
def admin(world):
    return world.user("county_admin")


def new_user(admin, username="wang_wu") -> User:
    data = {
        "username": username,
        "display_name": "王五",
        "unit": "清溪镇",
        "password": NEW_PASSWORD,
    }
    return services.do_create_user(admin, data)


# --- users ------------------------------------------------------------------------------


def test_a_new_user_must_change_the_initial_password_and_is_audited(admin):
    user = new_user(admin)
    assert user.check_password(NEW_PASSWORD)
    assert user.must_change_password
    assert user.password_changed_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.CREATE)
    assert entry.username == "county_admin"
    assert entry.object_id == str(user.pk)
    assert json.loads(entry.detail)["after"]["display_name"] == "王五"
    assert NEW_PASSWORD not in entry.detail


def test_a_username_taken_in_another_letter_case_is_refused(admin):
    new_user(admin, "Wang_Wu")
    with pytest.raises(ValidationError) as caught:
        new_user(admin, "wang_wu")
    assert errors_of(caught) == {"username": "用户名「wang_wu」已被使用。"}


def test_an_initial_password_must_obey_the_policy(admin):
    data = {"username": "wang_wu", "display_name": "王五", "password": "Wang_wu-2026!"}
    with pytest.raises(ValidationError) as caught:
        services.do_create_user(admin, data)
    assert "密码不能包含用户名。" in errors_of(caught)["password"]
    assert not User.objects.filter(username="wang_wu").exists()


def test_only_the_system_admin_may_create_users(world):
    for persona in ("security_admin", "auditor", "county_staff"):
        with pytest.raises(PermissionDenied):
            new_user(world.user(persona), f"x_{persona}")
    assert not User.objects.filter(username__startswith="x_").exists()


def test_editing_a_user_records_what_changed(admin):
    user = new_user(admin)
    services.do_update_user(admin, user, {"display_name": "王五一", "unit": "清溪镇", "email": ""})
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert json.loads(entry.detail) == {
        "changes": {"display_name": {"before": "王五", "after": "王五一"}}
    }


def test_deactivating_and_reactivating_a_user_is_audited(admin, world):
    target = world.user("village_a")
    services.do_set_active(admin, target, False)
    assert not User.objects.get(pk=target.pk).is_active
    assert last_detail() == {"event": "deactivated"}
    services.do_set_active(admin, target, True)
    assert User.objects.get(pk=target.pk).is_active
    assert last_detail() == {"event": "reactivated"}


def test_a_system_admin_cannot_deactivate_itself(admin):
    with pytest.raises(ValidationError):
        services.do_set_active(admin, admin, False)
    assert User.objects.get(pk=admin.pk).is_active


def test_a_password_reset_forces_a_change_at_next_login(admin, world):
    target = world.user("village_a")
    services.do_reset_password(admin, target, NEW_PASSWORD)
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)
    assert target.must_change_password
    assert last_detail() == {"event": "password_reset"}


def test_a_reset_password_must_obey_the_policy_and_not_be_ones_own(admin, world):
    with pytest.raises(ValidationError) as caught:
        services.do_reset_password(admin, world.user("village_a"), "short")
    assert "密码至少需要 10 个字符。" in errors_of(caught)["password"]
    with pytest.raises(ValidationError):
        services.do_reset_password(admin, admin, NEW_PASSWORD)


# --- role assignments -------------------------------------------------------------------


def add(admin, target, role, region, lines=()):
    return services.do_add_role(admin, target, role, region, list(lines))


def test_a_role_is_assigned_on_a_region_of_an_allowed_level(admin, world):
    user = new_user(admin)
    assignment = add(admin, user, "township_member", world.regions[TOWNSHIP_A])
    assert assignment.region_id == TOWNSHIP_A
    assert user.active_roles() == {"township_member"}
    assert last_detail() == {
        "event": "role_added",
        "role": "township_member",
        "region": TOWNSHIP_A,
        "lines": [],
    }


@pytest.mark.parametrize(
    ("role", "region", "level"),
    [
        ("village_liaison", TOWNSHIP_A, "乡级"),
        ("township_member", VILLAGE_A1, "村级"),
        ("staff", TOWNSHIP_A, "乡级"),
        ("sys_admin", VILLAGE_A1, "村级"),
    ],
)
def test_a_region_of_the_wrong_level_is_refused_with_the_levels_allowed(
    admin, world, role, region, level
):
    user = new_user(admin)
    with pytest.raises(ValidationError) as caught:
        add(admin, user, role, world.regions[region])
    message = errors_of(caught)["region"]
    assert f"是{level}区域" in message and "只能分配到" in message
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_a_region_outside_the_admins_own_area_is_refused(admin, world):
    user = new_user(admin)
    with pytest.raises(ValidationError) as caught:
        add(admin, user, "observer", world.regions["330500000000"])  # the city above the county
    assert errors_of(caught)["region"] == "「湖州市」不在您的管理范围内。"


def test_a_member_unit_contact_needs_lines(admin, world):
    user = new_user(admin)
    with pytest.raises(ValidationError) as caught:
        add(admin, user, "unit_contact", world.regions[COUNTY])
    assert "须选择至少一个条线" in errors_of(caught)["lines"]
    lines = [Category.RELIGIOUS, Category.ETHNIC_MINORITY, Category.RELIGIOUS]
    assignment = add(admin, user, "unit_contact", world.regions[COUNTY], lines)
    assert assignment.lines == ["04", "05"]


def test_other_roles_take_no_lines(admin, world):
    user = new_user(admin)
    with pytest.raises(ValidationError) as caught:
        add(admin, user, "staff", world.regions[COUNTY], [Category.RELIGIOUS])
    assert "不按条线划分" in errors_of(caught)["lines"]


def test_unknown_lines_and_roles_are_refused(admin, world):
    user = new_user(admin)
    with pytest.raises(ValidationError) as caught:
        add(admin, user, "unit_contact", world.regions[COUNTY], ["99"])
    assert errors_of(caught)["lines"] == "未知的条线代码：99。"
    with pytest.raises(ValidationError) as caught:
        add(admin, user, "superuser", world.regions[COUNTY])
    assert errors_of(caught)["role"] == "未知的角色。"


def test_the_same_role_on_the_same_region_cannot_be_assigned_twice(admin, world):
    target = world.user("township_a")
    with pytest.raises(ValidationError) as caught:
        add(admin, target, "township_member", world.regions[TOWNSHIP_A])
    assert "已有「乡镇统战委员」角色" in errors_of(caught)["role"]


def test_an_admin_role_cannot_be_added_to_a_user_with_any_other_role(admin, world):
    for admin_role in ("sys_admin", "sec_admin", "audit_admin"):
        with pytest.raises(ValidationError) as caught:
            add(admin, world.user("township_a"), admin_role, world.regions[COUNTY])
        assert "属于三员，不能与其他角色兼任" in errors_of(caught)["role"]
    assert world.user("township_a").role_assignments.count() == 1


def test_a_holder_of_an_admin_role_can_take_no_other_role_of_any_kind(admin, world):
    auditor = world.user("auditor")
    for role in ("staff", "sec_admin", "sys_admin", "dept_head"):
        with pytest.raises(ValidationError) as caught:
            add(admin, auditor, role, world.regions[COUNTY])
        message = errors_of(caught)["role"]
        assert "三员" in message and "兼任" in message and "审计管理员" in message
    assert list(auditor.role_assignments.values_list("role", flat=True)) == ["audit_admin"]


def test_business_roles_may_be_combined_with_each_other(admin, world):
    target = world.user("township_a")
    add(admin, target, "village_liaison", world.regions[VILLAGE_A1])
    assert target.role_assignments.count() == 2


def test_a_fresh_user_may_become_one_of_the_three_admins(admin):
    user = new_user(admin)
    add(admin, user, "sec_admin", admin.role_assignments.get().region)
    assert user.has_admin_role()


def test_a_system_admin_cannot_assign_or_remove_its_own_roles(admin, world):
    with pytest.raises(ValidationError) as caught:
        add(admin, admin, "sys_admin", world.regions["330599000000"])
    assert "不能为自己分配或撤销角色" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.do_remove_role(admin, admin.role_assignments.get())
    assert admin.role_assignments.count() == 1


def test_removing_a_role_is_audited(admin, world):
    target = world.user("unit_contact")
    services.do_remove_role(admin, target.role_assignments.get())
    assert not target.role_assignments.exists()
    assert last_detail() == {
        "event": "role_removed",
        "role": "unit_contact",
        "region": COUNTY,
        "lines": ["06", "07"],
    }


def test_only_the_system_admin_may_assign_roles(world):
    target = world.user("township_a")
    for persona in ("security_admin", "auditor", "county_staff"):
        with pytest.raises(PermissionDenied):
            add(world.user(persona), target, "village_liaison", world.regions[VILLAGE_A1])


# --- the security policy -----------------------------------------------------------------------


def policy_data(**changes) -> dict:
    data = SecurityPolicy.defaults()
    data.update(changes)
    return data


def test_the_first_save_creates_the_one_policy_and_takes_effect_at_once(world):
    assert SecurityPolicy.current().lockout_threshold == 5  # the cached default
    services.do_update_policy(world.user("security_admin"), policy_data(lockout_threshold=3))
    assert SecurityPolicy.objects.count() == 1
    assert SecurityPolicy.current().lockout_threshold == 3
    services.do_update_policy(world.user("security_admin"), policy_data(lockout_threshold=4))
    assert SecurityPolicy.objects.count() == 1
    assert SecurityPolicy.current().lockout_threshold == 4
    entry = AuditEntry.objects.filter(action=AuditAction.SECURITY).first()
    assert json.loads(entry.detail) == {
        "event": "policy_updated",
        "changes": {"lockout_threshold": {"before": 3, "after": 4}},
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password_min_length", 7),
        ("password_min_classes", 5),
        ("idle_timeout_minutes", 0),
        ("lockout_threshold", 2),
        ("api_token_days", 0),
    ],
)
def test_a_policy_value_outside_its_bounds_is_refused(world, field, value):
    with pytest.raises(ValidationError) as caught:
        services.do_update_policy(world.user("security_admin"), policy_data(**{field: value}))
    assert "须在" in errors_of(caught)[field]
    assert not SecurityPolicy.objects.exists()


def test_only_the_security_admin_may_change_the_policy(world):
    for persona in ("county_admin", "auditor"):
        with pytest.raises(PermissionDenied):
            services.do_update_policy(world.user(persona), policy_data())
    assert not SecurityPolicy.objects.exists()
