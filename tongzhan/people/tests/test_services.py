"""The person writers: scope re-check inside the transaction, versions, audit rows."""

import json

import pytest

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category
from tongzhan.core.models import Region
from tongzhan.core.scope import OutOfScope
from tongzhan.people import services
from tongzhan.people.models import Person
from tongzhan.testing import TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1


def new_person_data(region_code=VILLAGE_A1, categories=("06",), **extra):
    return {
        "name": "王新",
        "gender": "1",
        "region": Region.objects.get(code=region_code),
        "categories": list(categories),
        "status": "active",
        "phone": "13900001111",
        **extra,
    }


def last_entry():
    return AuditEntry.objects.order_by("-seq").first()


def test_creating_a_person_writes_an_audit_row_without_the_raw_phone(world):
    person = services.do_create_person(world.user("township_a"), new_person_data())
    entry = last_entry()
    assert entry.action == AuditAction.CREATE and entry.object_id == str(person.pk)
    assert "13900001111" not in entry.detail
    assert json.loads(entry.detail)["after"]["categories"] == ["06"]


def test_the_phone_is_encrypted_at_rest_and_found_by_blind_index(world):
    person = services.do_create_person(world.user("township_a"), new_person_data())
    stored = Person.objects.values_list("phone_encrypted", flat=True).get(pk=person.pk)
    assert "13900001111" not in stored and stored.startswith("sm4g1:")
    from tongzhan.lib.crypto import blind_index

    assert Person.objects.filter(phone_index=blind_index("13900001111")).get() == person


def test_a_township_cannot_create_a_person_in_another_township(world):
    with pytest.raises(OutOfScope):
        services.do_create_person(world.user("township_a"), new_person_data(VILLAGE_B1))
    assert not Person.objects.filter(name="王新").exists()
    assert last_entry() is None or last_entry().action != AuditAction.CREATE


def test_a_line_contact_cannot_create_a_person_outside_its_lines(world):
    data = new_person_data(categories=(Category.RELIGIOUS,))
    with pytest.raises(OutOfScope):
        services.do_create_person(world.user("unit_contact"), data)
    assert not Person.objects.filter(name="王新").exists()


def test_moving_a_person_out_of_the_writers_area_rolls_back(world):
    person = world.person_a1
    region_b = Region.objects.get(code=TOWNSHIP_B)
    with pytest.raises(OutOfScope):
        services.do_update_person(world.user("township_a"), person, {"region": region_b}, 1)
    person.refresh_from_db()
    assert person.region_id == VILLAGE_A1 and person.version == 1


def test_a_stale_version_is_a_conflict_not_a_lost_update(world):
    staff = world.user("county_staff")
    services.do_update_person(staff, world.person_a1, {"name": "张青山一"}, 1)
    with pytest.raises(services.VersionConflict):
        services.do_update_person(staff, world.person_a1, {"name": "张青山二"}, 1)
    world.person_a1.refresh_from_db()
    assert world.person_a1.name == "张青山一" and world.person_a1.version == 2


def test_an_update_audits_before_and_after_values(world):
    services.do_update_person(world.user("county_staff"), world.person_a1, {"name": "张新"}, 1)
    changes = json.loads(last_entry().detail)["changes"]
    assert changes == {"name": {"before": "张青山", "after": "张新"}}


def test_deleting_keeps_the_record_in_the_audit_log(world):
    pk = world.person_b1.pk
    services.do_delete_person(world.user("township_b"), world.person_b1)
    assert not Person.objects.filter(pk=pk).exists()
    entry = last_entry()
    assert entry.action == AuditAction.DELETE
    assert json.loads(entry.detail)["before"]["name"] == "李白石"


def test_revealing_a_phone_is_audited(world):
    phone = services.do_reveal_phone(world.user("township_a"), world.person_a1)
    assert phone == "13812345678"
    assert last_entry().action == AuditAction.UNMASK


def test_a_role_without_unmask_permission_cannot_reveal_a_phone(world):
    from tongzhan.core.scope import ReadOnly

    with pytest.raises(ReadOnly):
        services.do_reveal_phone(world.user("village_a"), world.person_a1)


def test_the_id_number_is_encrypted_masked_and_found_by_blind_index(world):
    from tongzhan.lib.crypto import blind_index

    data = new_person_data(id_number="11010519491231002X")
    person = services.do_create_person(world.user("township_a"), data)
    stored = Person.objects.values_list("id_number_encrypted", "id_number_masked").get(pk=person.pk)
    assert "11010519491231002X" not in stored[0]
    assert stored[1] == "110105********002X"
    assert Person.objects.get(id_number_index=blind_index("11010519491231002X")) == person
    assert "11010519491231002X" not in last_entry().detail


def test_search_keys_are_written_with_the_person(world):
    person = services.do_create_person(world.user("township_a"), new_person_data(name="單田芳"))
    keys = set(person.search_keys.values_list("key", flat=True))
    assert {"shantianfang", "stf"} <= keys
    assert person.name_key == "单田芳"


def test_profiles_and_child_rows_are_replaced_as_a_whole(world):
    staff = world.user("county_staff")
    data = new_person_data(
        non_public={"enterprise": "青山茶业", "uscc": "91330599MA2B0000X1", "employees": 30},
        arrangements=[{"kind": "cppcc", "level": "county", "term": "第十届"}],
        resume_entries=[{"description": "青山茶业 董事长"}],
    )
    person = services.do_create_person(staff, data)
    assert person.non_public.enterprise == "青山茶业"
    updated = services.do_update_person(
        staff, person, {"arrangements": [], "non_public": None}, person.version
    )
    assert not updated.arrangements.exists()
    assert (
        not hasattr(Person.objects.get(pk=person.pk), "non_public")
        or not type(person).non_public.related.related_model.objects.filter(person=person).exists()
    )
    assert updated.resume_entries.count() == 1
    changes = json.loads(last_entry().detail)["changes"]
    assert changes["arrangements"]["after"] == [] and changes["non_public"]["after"] is None


def test_a_status_change_is_an_action_with_date_reason_and_history(world):
    from datetime import date

    person = services.do_change_status(
        world.user("township_a"), world.person_a1, "transferred", date(2026, 3, 1), "调往市里工作"
    )
    assert person.status == "transferred" and person.status_date == date(2026, 3, 1)
    change = person.status_changes.get()
    assert change.old_status == "active" and change.reason == "调往市里工作"
    with pytest.raises(services.InvalidStatusChange):
        services.do_change_status(
            world.user("township_a"), person, "transferred", date(2026, 3, 2), "再次"
        )
    with pytest.raises(services.InvalidStatusChange):
        services.do_change_status(
            world.user("township_a"), person, "active", date(2099, 1, 1), "未来"
        )
    back = services.do_change_status(
        world.user("township_a"), person, "active", date(2026, 4, 1), "调回"
    )
    assert back.status == "active" and back.status_date is None
    assert back.status_changes.count() == 2


def test_a_read_only_role_cannot_change_status(world):
    from datetime import date

    with pytest.raises(OutOfScope):
        services.do_change_status(
            world.user("village_a"), world.person_a1, "deceased", date(2026, 1, 1), "病故"
        )
