"""Organisations under the scope rule: region ranges (块) and the lines (条) of each type."""

from tongzhan.orgs.choices import ORG_TYPE_LINES, OrgType, types_for_lines
from tongzhan.orgs.models import Membership, Organisation
from tongzhan.orgs.services import would_cycle
from tongzhan.testing import COMMUNITY_A2, COUNTY, VILLAGE_B1

from .helpers import make_org


def names(user, action="view", model=Organisation):
    return set(model.objects.restrict(user, action).values_list("pk", flat=True))


def test_every_type_belongs_to_at_least_one_line():
    assert set(ORG_TYPE_LINES) == set(OrgType.values)
    assert all(ORG_TYPE_LINES.values())


def test_the_federation_contacts_lines_reach_chambers_and_firms_but_not_venues():
    types = types_for_lines(["06", "07"])
    assert {OrgType.CHAMBER, OrgType.ENTERPRISE, OrgType.FEDERATION} <= set(types)
    assert OrgType.RELIGIOUS_VENUE not in types


def test_a_township_sees_its_own_organisations_only(world):
    mine, theirs = make_org(), make_org("白石茶厂", region=VILLAGE_B1)
    county = make_org("县工商联", "federation", region=COUNTY)
    seen = names(world.user("township_a"))
    assert mine.pk in seen and theirs.pk not in seen and county.pk not in seen
    assert {mine.pk, theirs.pk, county.pk} <= names(world.user("county_staff"))


def test_a_line_contact_sees_the_types_of_its_lines_across_the_county(world):
    firm = make_org()
    venue = make_org("溪口禅寺", "religious_venue", COMMUNITY_A2, religion="F")
    seen = names(world.user("unit_contact"))
    assert firm.pk in seen and venue.pk not in seen


def test_a_village_liaison_and_a_leader_see_but_cannot_change(world):
    firm = make_org()
    for persona in ("village_a", "leader"):
        assert firm.pk in names(world.user(persona))
        assert firm.pk not in names(world.user(persona), "change")


def test_memberships_follow_their_organisations_scope(world):
    venue = make_org("溪口禅寺", "religious_venue", COMMUNITY_A2, religion="F")
    membership = Membership.objects.create(organisation=venue, person=world.person_a2)
    assert membership.pk in names(world.user("township_a"), model=Membership)
    assert membership.pk not in names(world.user("unit_contact"), model=Membership)
    assert membership.pk not in names(world.user("township_b"), model=Membership)


def test_a_chain_back_to_the_organisation_is_a_cycle_and_a_new_one_has_none(world):
    top = make_org("县工商联", "federation")
    child = make_org("青山商会", "chamber", parent=top)
    assert would_cycle(top, child)
    assert not would_cycle(child, top)
    assert not would_cycle(Organisation(name="新"), child)
