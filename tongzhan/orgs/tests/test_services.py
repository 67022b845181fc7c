"""The organisation writers: scope re-check, versions, type rules, cycles, memberships, audit."""

import json
from datetime import date, timedelta

import pytest

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.scope import OutOfScope
from tongzhan.orgs import services
from tongzhan.orgs.models import Membership, Organisation
from tongzhan.testing import VILLAGE_B1

from .helpers import make_org, org_data


def last_entry():
    return AuditEntry.objects.order_by("-seq").first()


def test_creating_an_organisation_writes_an_audit_row_with_its_values(world):
    org = services.do_create_org(world.user("township_a"), org_data())
    entry = last_entry()
    assert entry.action == AuditAction.CREATE and entry.object_id == str(org.pk)
    assert json.loads(entry.detail)["after"]["chamber_kind"] == "trade"


def test_a_township_cannot_create_an_organisation_in_another_township(world):
    with pytest.raises(OutOfScope):
        services.do_create_org(world.user("township_a"), org_data(VILLAGE_B1))
    assert not Organisation.objects.exists()


def test_a_line_contact_cannot_create_a_type_outside_its_lines(world):
    data = org_data(org_type="religious_venue", religion="F")
    with pytest.raises(OutOfScope):
        services.do_create_org(world.user("unit_contact"), data)
    assert not Organisation.objects.exists()


def test_fields_of_another_type_are_cleared_on_save(world):
    data = org_data(org_type="enterprise", religion="F", venue_certificate="宗场证字(浙)F330990001")
    org = services.do_create_org(world.user("county_staff"), data)
    org.refresh_from_db()
    assert (org.religion, org.venue_certificate, org.chamber_kind) == ("", "", "")


def test_a_chosen_leader_replaces_the_free_text_name(world):
    data = org_data(leader=world.person_a1, leader_name="别的名字")
    org = services.do_create_org(world.user("township_a"), data)
    assert org.leader == world.person_a1 and org.leader_name == ""


def test_a_leader_outside_the_users_view_scope_is_refused(world):
    with pytest.raises(OutOfScope):
        services.do_create_org(world.user("township_a"), org_data(leader=world.person_b1))


def test_an_update_with_a_stale_version_is_a_conflict_not_a_lost_update(world):
    user = world.user("township_a")
    org = services.do_create_org(user, org_data())
    services.do_update_org(user, org, {"name": "第一次修改"}, expected_version=1)
    with pytest.raises(services.VersionConflict):
        services.do_update_org(user, org, {"name": "第二次修改"}, expected_version=1)
    org.refresh_from_db()
    assert (org.name, org.version) == ("第一次修改", 2)


def test_an_update_records_only_what_changed(world):
    user = world.user("township_a")
    org = services.do_create_org(user, org_data())
    services.do_update_org(user, org, {"address": "青山村1号"}, expected_version=1)
    changes = json.loads(last_entry().detail)["changes"]
    assert changes == {"address": {"before": "", "after": "青山村1号"}}


def test_an_update_cannot_move_the_organisation_out_of_the_writers_scope(world):
    user = world.user("township_a")
    org = services.do_create_org(user, org_data())
    moved = {"region": world.regions[VILLAGE_B1]}
    with pytest.raises(OutOfScope):
        services.do_update_org(user, org, moved, expected_version=1)
    org.refresh_from_db()
    assert org.region_id != VILLAGE_B1 and org.version == 1


def test_a_parent_that_is_a_descendant_is_refused_as_a_cycle(world):
    user = world.user("county_staff")
    top = make_org("县工商联", "federation")
    middle = make_org("青山商会", "chamber", parent=top, chamber_kind="area")
    bottom = make_org("青山商会竹木分会", "chamber", parent=middle, chamber_kind="trade")
    with pytest.raises(services.InvalidChange) as caught:
        services.do_update_org(user, top, {"parent": bottom}, expected_version=1)
    assert caught.value.field == "parent"
    with pytest.raises(services.InvalidChange):
        services.do_update_org(user, top, {"parent": top}, expected_version=1)
    top.refresh_from_db()
    assert top.parent_id is None


def test_an_organisation_with_children_cannot_be_deleted(world):
    parent = make_org("县工商联", "federation")
    make_org("青山商会", "chamber", parent=parent)
    with pytest.raises(services.InvalidChange):
        services.do_delete_org(world.user("county_staff"), parent)
    assert Organisation.objects.filter(pk=parent.pk).exists()


def test_deleting_an_organisation_keeps_its_members_in_the_audit_row(world):
    org = make_org()
    Membership.objects.create(organisation=org, person=world.person_a1, role="董事长")
    services.do_delete_org(world.user("township_a"), org)
    assert not Membership.objects.exists()
    entry = last_entry()
    assert entry.action == AuditAction.DELETE
    assert json.loads(entry.detail)["memberships"] == [[world.person_a1.pk, "董事长"]]


# --- memberships -------------------------------------------------------------------------------


def test_a_membership_needs_the_person_in_the_users_view_scope(world):
    org = make_org()
    with pytest.raises(OutOfScope):
        services.do_add_membership(world.user("township_a"), org, world.person_b1, {})
    assert not Membership.objects.exists()


def test_a_membership_needs_the_organisation_in_the_users_change_scope(world):
    org = make_org(region=VILLAGE_B1)
    with pytest.raises(OutOfScope):
        services.do_add_membership(world.user("township_a"), org, world.person_a1, {})


def test_a_person_cannot_hold_two_open_memberships_of_one_organisation(world):
    user, org = world.user("township_a"), make_org()
    services.do_add_membership(user, org, world.person_a1, {"role": "会员"})
    with pytest.raises(services.InvalidChange):
        services.do_add_membership(user, org, world.person_a1, {"role": "理事"})
    # A past membership (with an end date) may be recorded beside the open one.
    past = {"start_date": date(2015, 1, 1), "end_date": date(2018, 1, 1)}
    services.do_add_membership(user, org, world.person_a1, past)
    assert Membership.objects.count() == 2


def test_ending_a_membership_keeps_it_as_history_with_an_audit_row(world):
    user, org = world.user("township_a"), make_org()
    membership = services.do_add_membership(
        user, org, world.person_a1, {"start_date": date(2020, 3, 1)}
    )
    services.do_end_membership(user, membership, date(2024, 6, 30))
    membership.refresh_from_db()
    assert membership.end_date == date(2024, 6, 30)
    assert last_entry().action == AuditAction.UPDATE


@pytest.mark.parametrize(
    "end",
    [date(2019, 12, 31), date.today() + timedelta(days=1)],
    ids=["before the start", "in the future"],
)
def test_an_end_date_before_the_start_or_in_the_future_is_refused(world, end):
    user, org = world.user("township_a"), make_org()
    membership = services.do_add_membership(
        user, org, world.person_a1, {"start_date": date(2020, 1, 1)}
    )
    with pytest.raises(services.InvalidChange):
        services.do_end_membership(user, membership, end)
    membership.refresh_from_db()
    assert membership.end_date is None


def test_a_membership_cannot_be_ended_twice(world):
    user, org = world.user("township_a"), make_org()
    membership = services.do_add_membership(user, org, world.person_a1, {})
    services.do_end_membership(user, membership, date(2024, 1, 1))
    membership.refresh_from_db()
    with pytest.raises(services.InvalidChange):
        services.do_end_membership(user, membership, date(2024, 2, 1))


def test_removing_a_membership_deletes_it_and_logs_what_it_was(world):
    user, org = world.user("township_a"), make_org()
    membership = services.do_add_membership(user, org, world.person_a1, {"role": "监事"})
    services.do_remove_membership(user, membership)
    assert not Membership.objects.exists()
    assert json.loads(last_entry().detail)["before"]["role"] == "监事"


def test_merging_two_persons_moves_memberships_and_leadership_to_the_kept_one(world):
    from tongzhan.people.merge import do_merge_persons

    org = make_org(leader=world.person_a2)
    Membership.objects.create(organisation=org, person=world.person_a2, role="理事")
    do_merge_persons(world.user("township_a"), world.person_a1, world.person_a2, {})
    org.refresh_from_db()
    assert org.leader == world.person_a1
    assert list(Membership.objects.values_list("person_id", "role")) == [
        (world.person_a1.pk, "理事")
    ]
