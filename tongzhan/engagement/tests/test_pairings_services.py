"""Pairing and settings writers: who may be paired with whom, one open pairing per cadre
and person, versions, ending and deleting, and who may change the county settings."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import PersonStatus
from tongzhan.core.scope import OutOfScope
from tongzhan.engagement.models import EngagementSettings, Pairing
from tongzhan.engagement.services import pairings as services
from tongzhan.engagement.services.settings import (
    SettingsError,
    can_manage_settings,
    do_update_settings,
)

from .pairing_factory import contact, pair, represent


def audit_rows(action, pairing_id):
    return AuditEntry.objects.filter(
        action=action, object_type="engagement.pairing", object_id=str(pairing_id)
    )


def test_creating_a_pairing_sets_its_due_date_and_writes_an_audit_row(world):
    pairing = pair(world, start=date(2026, 1, 31))
    assert pairing.next_due_on == date(2026, 4, 30) and pairing.version == 1
    assert audit_rows(AuditAction.CREATE, pairing.pk).count() == 1


def test_only_a_representative_can_be_paired(world):
    with pytest.raises(services.PairingError) as error:
        services.do_create_pairing(
            world.user("county_staff"),
            cadre=world.user("township_a"),
            person=world.person_a1,
            start_date=date(2026, 1, 1),
        )
    assert error.value.field == "person" and not Pairing.objects.exists()


def test_a_person_who_left_the_registry_cannot_be_paired(world):
    person = represent(world.person_a1)
    person.status = PersonStatus.TRANSFERRED
    person.save(update_fields=["status"])
    with pytest.raises(services.PairingError, match="不在库"):
        pair(world, person=person)


def test_the_cadre_must_see_the_person(world):
    with pytest.raises(services.PairingError) as error:
        pair(world, cadre="township_b", person=world.person_a1)
    assert error.value.field == "cadre"


def test_a_township_member_cannot_pair_another_townships_person(world):
    with pytest.raises(OutOfScope):
        pair(world, cadre="county_staff", person=world.person_b1, by="township_a")
    assert not Pairing.objects.exists()


def test_one_open_pairing_per_cadre_and_person_but_a_new_one_after_the_end(world):
    first = pair(world, start=date(2026, 1, 1))
    with pytest.raises(services.PairingError, match="已有未结束的结对"):
        pair(world, start=date(2026, 2, 1))
    services.do_end_pairing(world.user("county_staff"), first, date(2026, 3, 1), "调整结对")
    second = pair(world, start=date(2026, 3, 2))
    assert second.pk != first.pk


def test_an_interval_outside_one_to_24_months_is_refused(world):
    with pytest.raises(services.PairingError) as error:
        pair(world, interval_months=25)
    assert error.value.field == "interval_months"


def test_an_update_with_a_stale_version_is_a_conflict_not_a_lost_update(world):
    pairing = pair(world)
    staff = world.user("county_staff")
    services.do_update_pairing(staff, pairing, {"notes": "先改"}, 1)
    with pytest.raises(services.VersionConflict):
        services.do_update_pairing(staff, pairing, {"notes": "后改"}, 1)
    assert Pairing.objects.get(pk=pairing.pk).notes == "先改"


def test_changing_the_interval_moves_the_due_date_and_logs_the_change(world):
    pairing = pair(world, start=date(2026, 1, 31))
    updated = services.do_update_pairing(
        world.user("township_a"), pairing, {"interval_months": 1}, 1
    )
    assert updated.next_due_on == date(2026, 2, 28) and updated.version == 2
    entry = audit_rows(AuditAction.UPDATE, pairing.pk).get()
    changes = json.loads(entry.detail)["changes"]
    assert changes["interval_months"] == {"before": None, "after": 1}


def test_a_read_only_persona_cannot_update_a_pairing(world):
    pairing = pair(world)
    with pytest.raises(OutOfScope):
        services.do_update_pairing(world.user("village_a"), pairing, {"notes": "x"}, 1)


def test_ending_needs_a_reason_and_a_date_between_the_start_and_today(world):
    pairing = pair(world, start=date(2026, 1, 10))
    staff, today = world.user("county_staff"), timezone.localdate()
    with pytest.raises(services.PairingError, match="结束原因"):
        services.do_end_pairing(staff, pairing, today, "  ")
    with pytest.raises(services.PairingError, match="晚于今天"):
        services.do_end_pairing(staff, pairing, today + timedelta(days=1), "调走")
    with pytest.raises(services.PairingError, match="早于结对日期"):
        services.do_end_pairing(staff, pairing, date(2026, 1, 9), "调走")
    ended = services.do_end_pairing(staff, pairing, date(2026, 1, 10), "干部调离")
    assert ended.end_date == date(2026, 1, 10) and ended.end_reason == "干部调离"
    with pytest.raises(services.PairingError, match="已经结束"):
        services.do_end_pairing(staff, ended, date(2026, 1, 10), "再结束")


def test_a_mistaken_pairing_is_deleted_with_an_audit_row(world):
    pairing = pair(world)
    services.do_delete_pairing(world.user("township_a"), pairing)
    assert not Pairing.objects.filter(pk=pairing.pk).exists()
    assert audit_rows(AuditAction.DELETE, pairing.pk).count() == 1


def test_a_pairing_with_a_contact_on_record_is_ended_not_deleted(world):
    pairing = pair(world, start=date(2026, 1, 1))
    contact(pairing.person, [pairing.cadre], date(2026, 1, 5))
    with pytest.raises(services.PairingError, match="不能删除"):
        services.do_delete_pairing(world.user("county_staff"), pairing)
    assert Pairing.objects.filter(pk=pairing.pk).exists()


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("county_staff", True),
        ("unit_contact", False),
        ("township_a", False),
        ("village_a", False),
        ("leader", False),
        ("county_admin", False),
    ],
)
def test_only_county_staff_manage_the_settings(world, persona, allowed):
    assert can_manage_settings(world.user(persona)) is allowed
    if not allowed:
        with pytest.raises(OutOfScope):
            do_update_settings(world.user(persona), {"late_entry_days": 3}, 1)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"late_entry_days": -1}, "late_entry_days"),
        ({"default_interval_months": 0}, "default_interval_months"),
        ({"default_interval_months": 25}, "default_interval_months"),
        ({"category_interval_months": {"99": 3}}, "category_interval_months"),
        ({"category_interval_months": {"06": 30}}, "category_interval_months"),
    ],
)
def test_settings_out_of_range_are_refused_with_the_field(world, data, field):
    with pytest.raises(SettingsError) as error:
        do_update_settings(world.user("county_staff"), data, EngagementSettings.current().version)
    assert error.value.field == field
    assert EngagementSettings.current().version == 1


def test_a_settings_change_with_a_stale_version_is_a_conflict(world):
    staff = world.user("county_staff")
    do_update_settings(staff, {"late_entry_days": 5}, 1)
    with pytest.raises(services.VersionConflict):
        do_update_settings(staff, {"late_entry_days": 9}, 1)
    saved = EngagementSettings.current()
    assert saved.late_entry_days == 5 and saved.updated_by == staff


def test_nothing_is_said_about_a_person_out_of_scope_not_even_that_it_is_no_representative(
    world,
):
    with pytest.raises(OutOfScope):
        services.do_create_pairing(
            world.user("township_a"),
            cadre=world.user("county_staff"),
            person=world.person_b1,
            start_date=date(2026, 1, 1),
        )
