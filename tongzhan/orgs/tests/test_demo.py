"""The demo's organisations: valid registration numbers, members, and a second run adds none."""

import pytest

from tongzhan.core import demo as core_demo
from tongzhan.lib import uscc, venuecert
from tongzhan.orgs import demo
from tongzhan.orgs.models import Membership, Organisation


@pytest.fixture
def demo_world(db):
    core_demo.build_regions()
    accounts = core_demo.build_users()
    users = {spec.username: user for spec, user, _secret in accounts}
    core_demo.build_persons(users)


def test_the_demo_builds_about_twenty_valid_organisations_with_members_once(demo_world):
    created, kept = demo.load()
    assert created == len(demo.PLAN) and kept == 0
    assert demo.load() == (0, len(demo.PLAN))
    assert Organisation.objects.count() == len(demo.PLAN)
    for org in Organisation.objects.all():
        if org.uscc:
            assert uscc.is_valid(org.uscc)
        if org.org_type == "religious_venue":
            assert venuecert.is_valid(org.venue_certificate, org.religion)
        assert org.memberships.exists(), org.name
    assert Organisation.objects.get(name="梅林镇商会").parent.name == "清溪县工商业联合会"
    assert Membership.objects.filter(end_date__isnull=False).exists()
