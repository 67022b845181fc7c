"""The contact log writers: 补录 at the threshold, entered vs happened, revisions, pairings
kept true, and who may log a contact with whom."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tongzhan.audit.models import AuditEntry
from tongzhan.core.scope import OutOfScope, ReadOnly
from tongzhan.engagement.due import add_months
from tongzhan.engagement.models import ContactLog, EngagementSettings, Pairing, Request
from tongzhan.engagement.services import contacts as services

from .contact_factory import days_ago, log_for

pytestmark = pytest.mark.django_db


def set_threshold(days: int) -> None:
    settings = EngagementSettings.current()
    settings.late_entry_days = days
    settings.save(update_fields=["late_entry_days"])


def test_a_log_entered_exactly_the_threshold_days_later_is_not_late(world):
    set_threshold(7)
    log = log_for(world.user("township_a"), [world.person_a1], on=days_ago(7))
    assert log.is_late is False


def test_a_log_entered_one_day_past_the_threshold_is_marked_late(world):
    set_threshold(7)
    log = log_for(world.user("township_a"), [world.person_a1], on=days_ago(8))
    assert log.is_late is True


def test_the_threshold_is_the_county_setting_of_the_day_of_entry(world):
    set_threshold(3)
    late = log_for(world.user("township_a"), [world.person_a1], on=days_ago(4))
    set_threshold(30)
    late.refresh_from_db()
    assert late.is_late is True  # decided at entry, not recomputed
    assert log_for(world.user("township_a"), [world.person_a1], on=days_ago(4)).is_late is False


def test_when_it_happened_and_when_it_was_entered_are_kept_apart(world):
    log = log_for(world.user("township_a"), [world.person_a1], on=days_ago(40))
    log.refresh_from_db()
    assert log.happened_on == days_ago(40)
    assert timezone.localtime(log.entered_at).date() == timezone.localdate()


def test_an_edit_keeps_the_entry_time_and_the_late_mark(world):
    user = world.user("township_a")
    log = log_for(user, [world.person_a1], on=days_ago(30))
    entered = log.entered_at
    data = services.LogData(
        happened_on=timezone.localdate(), mode="phone", summary="改", persons=[world.person_a1.pk]
    )
    edited = services.do_update_log(user, log, data, expected_version=1)
    assert edited.entered_at == entered and edited.is_late is True
    assert edited.happened_on == timezone.localdate()


def test_an_edit_keeps_the_values_before_it_as_a_revision(world):
    user = world.user("township_a")
    log = log_for(user, [world.person_a1], on=days_ago(2), summary="第一次的内容")
    data = services.LogData(
        happened_on=days_ago(1), mode="phone", summary="改正后的内容", persons=[world.person_a1.pk]
    )
    edited = services.do_update_log(user, log, data, expected_version=1)
    revision = edited.revisions.get()
    assert edited.version == 2 and revision.version == 1
    assert revision.data["summary"] == "第一次的内容"
    assert revision.data["happened_on"] == days_ago(2).isoformat()
    assert revision.data["mode"] == "visit"
    assert revision.edited_by == user
    assert AuditEntry.objects.filter(action="update", object_id=str(log.pk)).exists()


def test_an_edit_from_an_old_version_is_refused_as_a_conflict(world):
    user = world.user("township_a")
    log = log_for(user, [world.person_a1])
    data = services.LogData(
        happened_on=days_ago(1), mode="phone", summary="x", persons=[world.person_a1.pk]
    )
    services.do_update_log(user, log, data, expected_version=1)
    with pytest.raises(services.VersionConflict):
        services.do_update_log(user, log, data, expected_version=1)
    assert ContactLog.objects.get(pk=log.pk).revisions.count() == 1


def test_a_contact_in_the_future_is_refused(world):
    with pytest.raises(services.ContactError) as caught:
        log_for(world.user("township_a"), [world.person_a1], on=timezone.localdate() + timedelta(1))
    assert "happened_on" in caught.value.errors
    assert not ContactLog.objects.exists()


def test_the_author_is_always_among_the_cadres_present(world):
    staff = world.user("county_staff")
    log = log_for(world.user("township_a"), [world.person_a1], cadres=[staff.pk])
    assert set(log.cadres.all()) == {world.user("township_a"), staff}


def test_a_cadre_of_another_township_cannot_be_named_present(world):
    with pytest.raises(services.ContactError) as caught:
        log_for(world.user("township_a"), [world.person_a1], cadres=[world.user("township_b").pk])
    assert "cadres" in caught.value.errors


def test_the_log_is_placed_in_the_region_of_its_first_person(world):
    log = log_for(world.user("county_staff"), [world.person_b1, world.person_a1])
    assert log.region_id == world.person_b1.region_id


# --- who may log with whom ------------------------------------------------------------------


def test_a_village_liaison_logs_a_contact_with_a_person_of_its_village(world):
    log = log_for(world.user("village_a"), [world.person_a1])
    assert list(log.persons.all()) == [world.person_a1]


def test_a_village_liaison_cannot_log_a_contact_with_a_person_of_another_village(world):
    with pytest.raises(OutOfScope):
        log_for(world.user("village_a"), [world.person_b1])
    with pytest.raises(OutOfScope):  # community A2: same township, not its village
        log_for(world.user("village_a"), [world.person_a2])
    assert not ContactLog.objects.exists()


def test_a_township_member_cannot_log_a_contact_with_another_townships_person(world):
    with pytest.raises(OutOfScope):
        log_for(world.user("township_b"), [world.person_a1])


def test_one_out_of_scope_person_spoils_the_whole_log(world):
    with pytest.raises(OutOfScope):
        log_for(world.user("township_a"), [world.person_a1, world.person_b1])
    assert not ContactLog.objects.exists()


def test_a_leader_who_only_views_cannot_log_a_contact(world):
    with pytest.raises(ReadOnly):
        log_for(world.user("leader"), [world.person_a1])


# --- pairings kept true ------------------------------------------------------------------------


def make_pairing(world, cadre="township_a", start_days_ago=200):
    start = days_ago(start_days_ago)
    return Pairing.objects.create(
        cadre=world.user(cadre),
        person=world.person_a1,
        start_date=start,
        next_due_on=add_months(start, 3),
    )


def test_a_log_moves_the_pairings_last_and_next_contact(world):
    pairing = make_pairing(world)
    log_for(world.user("township_a"), [world.person_a1], on=days_ago(10))
    pairing.refresh_from_db()
    assert pairing.last_contact_on == days_ago(10)
    assert pairing.next_due_on == add_months(days_ago(10), 3)


def test_a_log_without_the_paired_cadre_does_not_count_for_the_pairing(world):
    pairing = make_pairing(world)
    log_for(world.user("village_a"), [world.person_a1], on=days_ago(10))
    pairing.refresh_from_db()
    assert pairing.last_contact_on is None


def test_deleting_the_log_puts_the_pairing_back(world):
    pairing = make_pairing(world)
    before = pairing.next_due_on
    log = log_for(world.user("township_a"), [world.person_a1], on=days_ago(10))
    services.do_delete_log(world.user("township_a"), log)
    pairing.refresh_from_db()
    assert pairing.last_contact_on is None and pairing.next_due_on == before
    assert AuditEntry.objects.filter(action="delete", object_id=str(log.pk)).exists()


def test_editing_the_date_of_a_log_moves_the_pairing_with_it(world):
    pairing = make_pairing(world)
    user = world.user("township_a")
    log = log_for(user, [world.person_a1], on=days_ago(10))
    data = services.LogData(
        happened_on=days_ago(3), mode="visit", summary="x", persons=[world.person_a1.pk]
    )
    services.do_update_log(user, log, data, expected_version=1)
    pairing.refresh_from_db()
    assert pairing.last_contact_on == days_ago(3)


# --- requests raised in a visit ------------------------------------------------------------------


def test_requests_raised_in_a_visit_are_created_with_the_log(world):
    user = world.user("village_a")
    data = services.LogData(
        happened_on=days_ago(1),
        mode="visit",
        summary="企业反映用工难",
        persons=[world.person_a1.pk],
    )
    raised = [{"person": world.person_a1.pk, "title": "招工难", "category": "employment"}]
    log = services.do_create_log(user, data, requests=raised)
    request = Request.objects.get()
    assert request.contact_log == log and request.raised_on == days_ago(1)
    assert request.person == world.person_a1 and request.created_by == user


def test_a_bad_request_line_leaves_nothing_written(world):
    data = services.LogData(
        happened_on=days_ago(1), mode="visit", summary="x", persons=[world.person_a1.pk]
    )
    raised = [{"person": world.person_a1.pk, "title": "招工难", "category": "no-such"}]
    with pytest.raises(services.ContactError):
        services.do_create_log(world.user("township_a"), data, requests=raised)
    assert not ContactLog.objects.exists() and not Request.objects.exists()


def test_an_edit_keeps_the_persons_and_cadres_the_editor_cannot_see(world):
    staff = world.user("county_staff")
    log = log_for(staff, [world.person_a1, world.person_b1], cadres=[world.user("township_b").pk])
    data = services.LogData(
        happened_on=log.happened_on,
        mode="phone",
        summary="改",
        persons=[world.person_a2.pk, world.person_a1.pk],
    )
    edited = services.do_update_log(world.user("township_a"), log, data, expected_version=1)
    a1, a2, b1 = world.person_a1.pk, world.person_a2.pk, world.person_b1.pk
    assert services.person_order(edited) == (a1, b1, a2)
    assert edited.region_id == world.person_a1.region_id
    assert set(edited.cadres.all()) == {staff, world.user("township_b")}


def test_an_edit_can_take_a_person_off_the_log(world):
    user = world.user("township_a")
    log = log_for(user, [world.person_a1, world.person_a2])
    data = services.LogData(
        happened_on=log.happened_on, mode="visit", summary="x", persons=[world.person_a2.pk]
    )
    edited = services.do_update_log(user, log, data, expected_version=1)
    assert list(edited.persons.all()) == [world.person_a2]
    assert edited.region_id == world.person_a2.region_id


def test_the_day_of_entry_is_the_countys_day_not_utcs(world, monkeypatch):
    from datetime import UTC, date, datetime

    # 17:00 UTC on 10 March is 01:00 on 11 March in Asia/Shanghai: eight days after the 3rd.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 10, 17, 0, tzinfo=UTC))
    set_threshold(7)
    log = log_for(world.user("township_a"), [world.person_a1], on=date(2026, 3, 3))
    assert log.is_late is True
