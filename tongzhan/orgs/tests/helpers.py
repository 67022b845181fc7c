"""Small builders for the orgs tests."""

from tongzhan.core.models import Region
from tongzhan.lib import uscc
from tongzhan.orgs.models import Organisation


def valid_uscc(body: str = "91330599MA2B3C4D5") -> str:
    """A 统一社会信用代码 with its correct check character."""
    return body + uscc.check_char(body)


def make_org(name="青山竹木制品有限公司", org_type="enterprise", region="330599101201", **extra):
    return Organisation.objects.create(name=name, org_type=org_type, region_id=region, **extra)


def org_data(region="330599101201", **extra) -> dict:
    """Cleaned data for the services (instances, not ids)."""
    values = {
        "name": "清溪县新材料商会",
        "org_type": "chamber",
        "chamber_kind": "trade",
        "region": Region.objects.get(code=region),
        "active": True,
    }
    values.update(extra)
    return values
