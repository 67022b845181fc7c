"""`tongzhan demo`: the fictional county, one account per role, persons for every slice."""

from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzhan.accounts.models import User
from tongzhan.accounts.roles import ADMIN_ROLES, ROLES
from tongzhan.core import demo
from tongzhan.core.choices import Category, RegionLevel
from tongzhan.core.models import Region
from tongzhan.lib import divisioncode, idcard, uscc
from tongzhan.people.filters import find_people
from tongzhan.people.models import (
    NonPublicProfile,
    OverseasProfile,
    Person,
    PersonCategory,
    PoliticalArrangement,
    ReligiousProfile,
    ResumeEntry,
)
from tongzhan.testing import (
    COMMUNITY_A2,
    COUNTY,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    VILLAGE_B1,
    category_bits_drift,
)

# The test world's regions (tongzhan.testing) must exist in the demo under the same names.
WORLD_NAMES = {
    "330000000000": "浙江省",
    "330500000000": "湖州市",
    COUNTY: "清溪县",
    TOWNSHIP_A: "清溪镇",
    TOWNSHIP_B: "白石乡",
    VILLAGE_A1: "青山村",
    COMMUNITY_A2: "溪口社区",
    VILLAGE_B1: "白石村",
}


@pytest.fixture
def demo_mode(db, settings):
    settings.DEMO_MODE = True


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def in_region(people, code: str) -> bool:
    return all(divisioncode.is_within(p.region_id, code) for p in people)


def test_the_demo_refuses_to_run_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="TONGZHAN_DEMO=1"):
        call_command("demo")
    assert not Region.objects.exists() and not User.objects.exists()


def test_the_demo_builds_one_county_with_townships_and_villages_of_every_kind(demo_mode):
    run_demo()
    assert (
        dict(Region.objects.filter(code__in=WORLD_NAMES).values_list("code", "name")) == WORLD_NAMES
    )
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP, parent_id=COUNTY)
    assert {t.kind for t in townships} == {"街道", "镇", "乡"}
    assert 6 <= townships.count() <= 10
    for township in townships:
        villages = list(township.children.all())
        assert 5 <= len(villages) <= 10, township.name
        assert all(v.urban_rural for v in villages), township.name
    village_kinds = {v.kind for v in Region.objects.filter(level=RegionLevel.VILLAGE)}
    assert village_kinds == {"村", "社区"}
    # Everything lies under the fictional county 99 of a real city.
    assert (
        Region.objects.filter(level=RegionLevel.VILLAGE).exclude(code__startswith="330599").count()
        == 0
    )


def test_the_demo_makes_one_account_per_role_and_prints_them_with_the_password(demo_mode):
    out = run_demo()
    users = User.objects.filter(is_demo=True)
    roles = [a.role for u in users for a in u.role_assignments.all()]
    assert set(roles) == set(ROLES) and len(roles) == len(demo.DEMO_USERS)
    assert User.objects.filter(is_demo=False).count() == 0
    assert demo.DEMO_PASSWORD in out
    for user in users:
        assert user.username in out
        assert not user.must_change_password and not user.password_expired()
    # One hash is shared; checking it once proves every account takes the printed password.
    assert users.get(username="village_a").check_password(demo.DEMO_PASSWORD)
    assert len({u.password for u in users}) == 1
    for device in TOTPDevice.objects.filter(user__in=users):
        assert device.confirmed and demo.totp_secret(device) in out
    admins = {d.user.username for d in TOTPDevice.objects.select_related("user")}
    assert admins == {u.username for u in users if u.active_roles() & ADMIN_ROLES}
    gsl = users.get(username="gsl").role_assignments.get()
    assert sorted(gsl.lines) == [Category.NON_PUBLIC_ECONOMY, Category.NEW_SOCIAL_STRATUM]


def test_the_demo_persons_are_a_few_hundred_spread_over_every_village(demo_mode):
    out = run_demo()
    total = Person.objects.count()
    assert 200 <= total <= 400
    assert f"新建 {total} 人" in out
    empty = Region.objects.filter(level=RegionLevel.VILLAGE, person__isnull=True)
    assert not empty.exists()
    categories = set(PersonCategory.objects.values_list("category", flat=True))
    assert categories == set(Category.values)
    assert category_bits_drift() == {}
    assert Person.objects.exclude(ethnicity="01").exists()
    assert {p.gender for p in Person.objects.all()} == {"1", "2"}
    assert Person.objects.filter(name="张青山", region_id=VILLAGE_A1).exists()


def test_the_demo_registry_shows_every_part_of_the_record(demo_mode):
    """ID numbers (valid, agreeing with birth date and gender), work units, line profiles,
    党外代表人士 with 政治安排, 简历: what search, masking, the filters, both 名册 and the
    登记表 need to show something on a fresh `make run`."""
    run_demo()
    people = list(Person.objects.all())
    numbered = [p for p in people if p.id_number_index]
    assert 0.7 * len(people) <= len(numbered) < len(people)
    for person in numbered:
        checked = idcard.validate(person.id_number)
        assert (checked.birth_date, checked.gender) == (person.birth_date, person.gender)
    assert Person.objects.filter(work_unit="").count() < len(people) / 3
    for profile in NonPublicProfile.objects.all():
        assert uscc.is_valid(profile.uscc) and profile.enterprise
    assert NonPublicProfile.objects.count() >= 20
    religious = ReligiousProfile.objects.select_related("person")
    assert religious.count() >= 10
    assert all(r.person.religion == r.religion and r.venue for r in religious)
    assert OverseasProfile.objects.count() >= 10
    representatives = Person.objects.filter(is_representative=True)
    assert representatives.count() >= 20
    assert PoliticalArrangement.objects.filter(person__in=representatives).count() >= 15
    assert ResumeEntry.objects.filter(end__isnull=True).count() >= 20
    # Found as a user finds them: by ID number and by company name.
    staff = User.objects.get(username="staff")
    person = numbered[len(numbered) // 2]
    assert list(find_people(staff, {"q": person.id_number}).page)[0].pk == person.pk
    firm = NonPublicProfile.objects.first()
    found = [p.pk for p in find_people(staff, {"q": firm.enterprise}).page]
    assert firm.person_id in found


def test_the_same_seed_gives_the_same_persons():
    rows = demo.region_rows()
    assert demo.person_plan(rows) == demo.person_plan(rows)
    assert demo.person_plan(rows, seed=1) != demo.person_plan(rows)


def test_running_the_demo_twice_adds_nothing(demo_mode):
    run_demo()
    counts = (Region.objects.count(), User.objects.count(), Person.objects.count())
    secrets = sorted(demo.totp_secret(d) for d in TOTPDevice.objects.all())
    out = run_demo()
    assert (Region.objects.count(), User.objects.count(), Person.objects.count()) == counts
    assert "新增 0" in out and "新建 0 人" in out
    assert sorted(demo.totp_secret(d) for d in TOTPDevice.objects.all()) == secrets


def test_each_role_sees_its_own_non_empty_slice(demo_mode):
    run_demo()
    users = {u.username: u for u in User.objects.filter(is_demo=True)}

    def seen(name, action="view"):
        return set(Person.objects.restrict(users[name], action))

    everyone = set(Person.objects.all())
    assert seen("staff") == everyone
    # The department head reads everything and changes nothing.
    assert seen("leader") == everyone and not seen("leader", "change")
    gsl, town_a, town_b, village_a = seen("gsl"), seen("town_a"), seen("town_b"), seen("village_a")
    slices = [everyone, gsl, town_a, town_b, village_a]
    assert all(slices) and len({frozenset(s) for s in slices}) == len(slices)
    lines = {Category.NON_PUBLIC_ECONOMY, Category.NEW_SOCIAL_STRATUM}
    assert all(set(p.category_codes()) & lines for p in gsl)
    assert in_region(town_a, TOWNSHIP_A) and in_region(town_b, TOWNSHIP_B)
    assert village_a < town_a and in_region(village_a, VILLAGE_A1)
    assert not seen("village_a", "change")
    # A township sees its 宗教界 and its 非公经济 persons; the 工商联 line sees no 宗教界 only.
    town_a_categories = {c for p in town_a for c in p.category_codes()}
    assert {Category.RELIGIOUS, Category.NON_PUBLIC_ECONOMY} <= town_a_categories
    # The 三员 see no person; the city observer sees totals only.
    for name in ("admin", "security", "auditor", "observer"):
        assert not seen(name)
    assert seen("observer", "aggregate") == everyone


def test_persons_are_filed_by_their_townships_own_member_where_there_is_one(demo_mode):
    run_demo()
    person = Person.objects.get(name="张青山", region_id=VILLAGE_A1)
    assert person.created_by.username == "town_a"
    assert Person.objects.filter(
        region__code__startswith="330599001", created_by__username="staff"
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", [u.username for u in demo.DEMO_USERS])
def test_the_demo_password_meets_the_password_policy(username):
    validate_password(demo.DEMO_PASSWORD, user=User(username=username))


def test_the_demo_never_takes_over_a_real_account(demo_mode):
    User.objects.create_user("admin", password=None)
    with pytest.raises(CommandError, match="已被正式账户使用"):
        run_demo()
    assert not Region.objects.exists()  # the whole demo rolled back
    assert not User.objects.get(username="admin").is_demo


def test_codes_prints_the_current_totp_code_of_each_admin_account(demo_mode):
    run_demo()
    out = run_demo("--codes")
    for device in TOTPDevice.objects.select_related("user"):
        token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        assert f"{device.user.username}" in out and f"{token:06d}" in out


def test_the_demo_accounts_can_be_removed_before_going_live(demo_mode, settings):
    run_demo()
    persons = Person.objects.count()
    settings.DEMO_MODE = False
    out = StringIO()
    call_command("demo", "--remove-accounts", stdout=out)
    assert "已删除 10 个演示账户" in out.getvalue()
    assert not User.objects.filter(is_demo=True).exists()
    assert Person.objects.count() == persons
