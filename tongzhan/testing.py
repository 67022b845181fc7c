"""Test support: the personas of ARCHITECTURE.md in one fixture, on a small well-formed region tree.

World:  county 清溪县 330599000000
          ├─ township A 清溪镇 330599101000 ─ village A1 青山村 330599101201, community A2 330599101001
          └─ township B 白石乡 330599201000 ─ village B1 白石村 330599201201
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzhan.core.choices import Category, Gender
from tongzhan.core.models import Region

COUNTY = "330599000000"
TOWNSHIP_A, TOWNSHIP_B = "330599101000", "330599201000"
VILLAGE_A1, COMMUNITY_A2, VILLAGE_B1 = "330599101201", "330599101001", "330599201201"
PASSWORD = "Qingxi-Test-2026!"

# persona name -> (role, region, lines)
PERSONAS = {
    "county_admin": ("sys_admin", COUNTY, []),
    "county_staff": ("staff", COUNTY, []),
    "unit_contact": (
        "unit_contact",
        COUNTY,
        [Category.NON_PUBLIC_ECONOMY, Category.NEW_SOCIAL_STRATUM],
    ),
    "township_a": ("township_member", TOWNSHIP_A, []),
    "township_b": ("township_member", TOWNSHIP_B, []),
    "village_a": ("village_liaison", VILLAGE_A1, []),
    "auditor": ("audit_admin", COUNTY, []),
    "security_admin": ("sec_admin", COUNTY, []),
    "leader": ("dept_head", COUNTY, []),
}
ADMIN_PERSONAS = {"county_admin", "auditor", "security_admin"}


def build_regions() -> dict[str, Region]:
    rows = [
        ("330000000000", "浙江省"),
        ("330500000000", "湖州市"),
        (COUNTY, "清溪县"),
        (TOWNSHIP_A, "清溪镇"),
        (TOWNSHIP_B, "白石乡"),
        (VILLAGE_A1, "青山村"),
        (COMMUNITY_A2, "溪口社区"),
        (VILLAGE_B1, "白石村"),
    ]
    for code, name in rows:
        Region(code=code, name=name, valid_year=2026).save()
    return {r.code: r for r in Region.objects.all()}


def make_person(name, region_code, categories, gender=Gender.MALE, **extra):
    from tongzhan.people import search
    from tongzhan.people.models import Person

    person = Person(name=name, gender=gender, region_id=region_code, **extra)
    if "phone" in extra:
        person.phone = extra.pop("phone")
    person.name_key = search.name_key(name)
    person.save()
    person.set_categories(categories)
    search.index_person(person)  # searchable like a person the services write
    return person


@dataclass
class World:
    regions: dict
    users: dict
    person_a1: object  # 非公经济 in village A1
    person_a2: object  # 宗教界 in community A2
    person_b1: object  # 非公经济 in village B1

    def user(self, persona):
        return self.users[persona]


@cache
def persona_password_hash() -> str:
    return make_password(PASSWORD)


def create_persona(persona: str):
    from tongzhan.accounts.models import RoleAssignment, User

    role, region, lines = PERSONAS[persona]
    user = User.objects.create_user(persona, password=None, display_name=persona)
    # Argon2 is deliberately slow; hash the shared test password once per run.
    user.password = persona_password_hash()
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    RoleAssignment.objects.create(user=user, role=role, region_id=region, lines=list(lines))
    if persona in ADMIN_PERSONAS:
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def login_as(client: Client, user) -> Client:
    """Log the user in as a person would end up: password done, TOTP passed for admins."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


ALL_PERSONAS = (*PERSONAS, "anonymous")


@dataclass
class Case:
    """One row of the authorization matrix: an endpoint, an object, and the status each
    persona must get. `route` is a URL name ("people:detail") or an API operation
    ("GET /api/v1/people/{person_id}"); personas not in `expect` must get `others`."""

    route: str
    method: str
    url: Callable[[World], str]
    expect: dict[str, int]
    others: int | None = None
    data: Callable[[World], dict] | None = None
    scope: str = ""  # "in" / "out" of the acting persona's area, or "" where no object
    json: bool = False
    extra: dict = field(default_factory=dict)

    def expected(self, persona: str) -> int:
        if persona in self.expect:
            return self.expect[persona]
        if self.others is None:
            raise AssertionError(f"{self.route}: no expectation for persona {persona}")
        return self.others


# --- helpers of the apps' matrix rows (tests/access_matrix.py) -------------------------------

# Personas that see persons, organisations and pairings but may not change them.
READ_ONLY = frozenset({"village_a", "leader"})


def page_url(name, *args):
    """A row's url: the URL name reversed with args, each a value or a function of the world."""
    from django.urls import reverse

    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def view_expect(seers, anonymous=302) -> dict[str, int]:
    return {**{p: 200 for p in seers}, "anonymous": anonymous}


def change_expect(seers, ok=200, anonymous=302) -> dict[str, int]:
    """`ok` for those who may change, 403 for the read-only among those who see."""
    return {**{p: (403 if p in READ_ONLY else ok) for p in seers}, "anonymous": anonymous}


def category_bits_drift() -> dict[int, tuple[int, int]]:
    """Persons whose category_bits differ from their PersonCategory rows: {pk: (stored,
    from the rows)}. Empty when every writer kept the two together."""
    from tongzhan.people.models import Person, PersonCategory, category_bits

    codes: dict[int, list[str]] = {}
    for pk, code in PersonCategory.objects.values_list("person_id", "category"):
        codes.setdefault(pk, []).append(code)
    drift = {}
    for pk, stored in Person.objects.values_list("pk", "category_bits"):
        expected = category_bits(codes.get(pk, []))
        if stored != expected:
            drift[pk] = (stored, expected)
    return drift
