"""gen-data: the synthetic data is valid (codes, check characters, encryption, search keys)
and the command refuses to write into a database that looks like production. Small N:
speed is measured by bench/, not here."""

import random
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from tongzhan.accounts.models import User
from tongzhan.audit.models import AuditEntry
from tongzhan.core.choices import Category, PersonStatus, RegionLevel
from tongzhan.core.models import Region
from tongzhan.lib import chinese, crypto, divisioncode, idcard, masking, uscc
from tongzhan.people import gendata, search
from tongzhan.people.filters import PARTY_CODES
from tongzhan.people.models import (
    NonPublicProfile,
    Person,
    PersonCategory,
    PersonSearchKey,
    PoliticalArrangement,
    StatusChange,
)
from tongzhan.testing import category_bits_drift

PROVINCE = "360000000000"
SMALL = gendata.TreeShape(cities=2, counties=(3, 4), townships=(3, 4), villages=(3, 5))
pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    tree, progress = gendata.generate(400, seed=7, province=PROVINCE, chunk=150, shape=SMALL)
    return tree, progress


def test_the_synthetic_tree_has_well_formed_codes_under_a_province_marked_synthetic():
    regions = gendata.plan_region_tree(PROVINCE, random.Random(1), gendata.TreeShape())
    levels = Counter(r.level for r in regions)
    assert levels[RegionLevel.PROVINCE] == 1 and levels[RegionLevel.CITY] == 11
    assert 70 <= levels[RegionLevel.COUNTY] <= 110
    assert 1000 <= levels[RegionLevel.TOWNSHIP] <= 1600
    assert 15_000 <= levels[RegionLevel.VILLAGE] <= 25_000
    codes = {r.code for r in regions}
    assert len(codes) == len(regions)
    for region in regions:
        divisioncode.validate(region.code)
        assert region.level == divisioncode.level_of(region.code)
        assert region.parent_id is None or region.parent_id in codes
    assert regions[0].name == gendata.SYNTHETIC_PROVINCE_NAME
    assert "合成" in regions[0].name


def test_village_and_township_codes_fall_in_the_ranges_their_names_say():
    regions = gendata.plan_region_tree(PROVINCE, random.Random(2), gendata.TreeShape())
    for region in regions:
        if region.level == RegionLevel.TOWNSHIP:
            kind = divisioncode.township_kind(region.code)
            assert region.name.endswith({"街道": "街道", "镇": "镇", "乡": "乡"}[kind])
        elif region.level == RegionLevel.VILLAGE:
            kind = divisioncode.village_kind(region.code)
            assert region.name.endswith({"社区": "社区", "村": "村"}[kind])


def test_every_person_has_a_valid_id_number_consistent_with_the_record(generated):
    people = list(Person.objects.all())
    assert len(people) == 400
    numbers = set()
    for person in people:
        checked = idcard.validate(person.id_number)
        assert checked.birth_date == person.birth_date
        assert checked.gender == person.gender
        assert checked.region_code == person.region_id[:6]
        assert person.id_number_index == crypto.blind_index(person.id_number)
        assert person.id_number_masked == masking.mask_id_number(person.id_number)
        numbers.add(person.id_number)
    assert len(numbers) == len(people)


def test_phones_are_encrypted_mobile_numbers_found_by_their_blind_index(generated):
    with_phone = [p for p in Person.objects.all() if p.phone_encrypted]
    assert 0.8 * 400 < len(with_phone) < 400
    for person in with_phone:
        assert re.fullmatch(r"1[3-9][0-9]{9}", person.phone)
        assert person.phone_encrypted.startswith(crypto.CIPHER_PREFIX)
        assert person.phone not in person.phone_encrypted
    sample = with_phone[0]
    found = Person.objects.filter(search.search_q(sample.phone))
    assert list(found) == [sample]


def test_every_generated_row_passes_model_validation(generated):
    """Choices, lengths and required fields, as a form would check them."""
    for person in Person.objects.all()[:150]:
        person.full_clean()
        for name in ("non_public", "religious", "overseas"):
            profile = getattr(person, name, None)
            if profile is not None:
                profile.full_clean()
        for row in [*person.arrangements.all(), *person.categories.all()]:
            row.full_clean()
    ethnicities = Counter(Person.objects.values_list("ethnicity", flat=True))
    assert ethnicities.most_common(1)[0][0] == "01"  # 汉族


def test_every_person_is_in_one_to_three_categories(generated):
    per_person = Counter(PersonCategory.objects.values_list("person_id", flat=True))
    assert set(per_person) == set(Person.objects.values_list("pk", flat=True))
    assert set(per_person.values()) <= {1, 2, 3}
    assert max(per_person.values()) >= 2
    used = set(PersonCategory.objects.values_list("category", flat=True))
    assert len(used) >= 8
    assert category_bits_drift() == {}  # the list's copy of them on the person row


def test_search_keys_are_those_the_services_would_write(generated):
    fields = ("kind", "key", "region_code")
    for person in Person.objects.all()[:100]:
        stored = set(person.search_keys.values_list(*fields))
        made = search.search_keys(person.pk, person.name, person.region_id)
        assert stored == {tuple(getattr(row, f) for f in fields) for row in made}
        assert {key for _kind, key, _region in stored} >= chinese.name_keys(person.name).initials
        assert person.name_key == search.name_key(person.name)
        assert person.name_pinyin == search.pinyin_sort_key(person.name)


def test_a_generated_person_is_found_by_pinyin_and_initials(generated):
    person = Person.objects.exclude(name__contains="·").first()
    full = min(chinese.name_keys(person.name).pinyin_full)
    initials = min(chinese.name_keys(person.name).initials)
    assert person in Person.objects.filter(search.search_q(full))
    assert person in Person.objects.filter(search.search_q(initials))
    assert PersonSearchKey.objects.filter(key=full, person=person).exists()


def test_enterprises_carry_valid_credit_codes_of_their_county(generated):
    profiles = list(NonPublicProfile.objects.select_related("person"))
    assert profiles
    for profile in profiles:
        checked = uscc.validate(profile.uscc)
        assert checked.region_code == profile.person.region_id[:6]
        assert profile.person.categories.filter(category=Category.NON_PUBLIC_ECONOMY).exists()


def test_parties_representatives_and_arrangements_are_present_and_consistent(generated):
    statuses = set(Person.objects.values_list("political_status", flat=True))
    assert statuses & set(PARTY_CODES)
    party_members = Person.objects.filter(political_status__in=PARTY_CODES)
    assert party_members.filter(categories__category=Category.DEMOCRATIC_PARTY).exists()
    reps = Person.objects.filter(is_representative=True)
    assert 0 < reps.count() < 60
    assert not reps.filter(representative_level="").exists()
    for row in PoliticalArrangement.objects.all():
        assert row.term and row.start


def test_a_person_who_left_has_a_status_change_with_its_date(generated):
    gone = Person.objects.exclude(status=PersonStatus.ACTIVE)
    assert gone.exists()
    for person in gone:
        change = StatusChange.objects.get(person=person)
        assert change.new_status == person.status and change.date == person.status_date


def test_every_person_is_marked_synthetic_and_filed_under_the_province(generated):
    tree, progress = generated
    low, high = divisioncode.subtree_range(PROVINCE)
    assert not Person.objects.exclude(notes=gendata.SYNTHETIC_NOTE).exists()
    assert not Person.objects.exclude(region_id__gte=low, region_id__lte=high).exists()
    levels = Counter(
        len(divisioncode.prefix(code))
        for code in Person.objects.values_list("region_id", flat=True)
    )
    assert set(levels) <= {9, 12}
    assert progress.persons == 400 and progress.rows > 400


def test_persons_are_written_mostly_grouped_by_township(generated):
    townships = [
        code[:9] for code in Person.objects.order_by("pk").values_list("region_id", flat=True)
    ]
    same = sum(a == b for a, b in zip(townships, townships[1:], strict=False))
    assert same / (len(townships) - 1) > 0.6
    assert len(set(townships)) > 5


def test_the_same_seed_draws_the_same_persons():
    tree = gendata.ensure_region_tree(PROVINCE, random.Random(1), SMALL)

    def names(seed):
        factory = gendata.PersonFactory(tree, seed)
        return [factory.draft().values["name"] for _ in range(30)]

    assert names(5) == names(5)
    assert names(5) != names(6)


def test_a_second_run_adds_persons_after_the_first_without_clashing_ids(generated):
    gendata.generate(50, seed=8, province=PROVINCE, chunk=20, shape=SMALL)
    assert Person.objects.count() == 450
    made = Person.objects.create(name="新人", gender="1", region_id=generated[0].villages[0][0])
    assert made.pk > max(Person.objects.exclude(pk=made.pk).values_list("pk", flat=True))


def test_an_existing_tree_is_used_instead_of_a_synthetic_one(monkeypatch):
    for code, name in [("360000000000", "某省"), ("360100000000", "某市")]:
        Region(code=code, name=name, valid_year=2025).save()
    for code in ("360102000000", "360102001000", "360102001001", "360102001201"):
        Region(code=code, name=f"真实{code}", valid_year=2025).save()
    monkeypatch.setattr(gendata, "FEW_REGIONS", 2)
    tree = gendata.ensure_region_tree(PROVINCE, random.Random(1), SMALL)
    assert tree.created == 0
    assert [code for code, _community in tree.villages] == ["360102001001", "360102001201"]
    assert Region.objects.get(code=PROVINCE).name == "某省"


def test_the_command_refuses_when_a_real_account_exists():
    User.objects.create_user("real_staff", password=None)
    with pytest.raises(CommandError, match="非演示账户"):
        call_command("gen_data", persons=5)
    assert not Person.objects.exists()


def test_the_command_writes_with_force_and_leaves_one_audit_entry(monkeypatch, capsys):
    monkeypatch.setattr(gendata, "TreeShape", lambda: SMALL)
    User.objects.create_user("real_staff", password=None)
    User.objects.create_user("demo", password=None, is_demo=True)
    call_command("gen_data", persons=30, seed=3, chunk=10, force=True)
    assert Person.objects.count() == 30
    entries = AuditEntry.objects.filter(object_repr="gen-data 合成数据")
    assert entries.count() == 1
    assert '"persons":30' in entries.get().detail
    out = capsys.readouterr().out
    assert "30 / 30" in out and "人/秒" in out


def test_the_command_rejects_a_code_that_is_not_a_province():
    with pytest.raises(CommandError, match="省级"):
        call_command("gen_data", persons=5, province="360100000000")
