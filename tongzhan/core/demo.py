"""The demo world: one fictional county, one account per role, a few hundred persons.

清溪县 330599 under 湖州市 is fictional (county code 99 is unused). The regions are
imported from a CSV through the same service as real lists; the persons are made by
the people service with a seeded RNG, so every run builds the same world and a
second run adds nothing.
"""

import base64
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from tongzhan.core.choices import Category, Gender, PersonStatus, PoliticalStatus
from tongzhan.lib import divisioncode

from .regioncsv import RegionRow, read_region_csv

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REGIONS_CSV = FIXTURES / "demo_regions.csv"
NAMES_JSON = FIXTURES / "demo_names.json"
DEMO_YEAR = 2025
DEMO_PASSWORD = "Qingxi-Demo-2026"  # one password for every demo account, printed by `demo`
SEED = 20261126

PROVINCE, CITY, COUNTY = "330000000000", "330500000000", "330599000000"
TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1 = "330599101000", "330599201000", "330599101201"
SHE_TOWNSHIP = "330599203000"  # 茶岭畲族乡: most 少数民族人士 live here


@dataclass(frozen=True)
class DemoUser:
    """One demo account: the role it holds, where, and on which lines."""

    username: str
    role: str
    region: str
    display_name: str
    lines: tuple[str, ...] = ()
    unit: str = ""


DEMO_USERS = [
    DemoUser("admin", "sys_admin", COUNTY, "系统管理员（演示）", unit="县委统战部"),
    DemoUser("security", "sec_admin", COUNTY, "安全管理员（演示）", unit="县委统战部"),
    DemoUser("auditor", "audit_admin", COUNTY, "审计管理员（演示）", unit="县委统战部"),
    DemoUser("leader", "dept_head", COUNTY, "部领导（演示）", unit="县委统战部"),
    DemoUser("staff", "staff", COUNTY, "统战部干部（演示）", unit="县委统战部"),
    DemoUser(
        "gsl",
        "unit_contact",
        COUNTY,
        "工商联联络人（演示）",
        (Category.NON_PUBLIC_ECONOMY, Category.NEW_SOCIAL_STRATUM),
        "县工商联",
    ),
    DemoUser("town_a", "township_member", TOWNSHIP_A, "清溪镇统战委员（演示）", unit="清溪镇"),
    DemoUser("town_b", "township_member", TOWNSHIP_B, "白石乡统战委员（演示）", unit="白石乡"),
    DemoUser("village_a", "village_liaison", VILLAGE_A1, "青山村联络员（演示）", unit="青山村"),
    DemoUser("observer", "observer", CITY, "市委统战部（演示，仅汇总）", unit="湖州市委统战部"),
]


def region_rows() -> list[RegionRow]:
    parsed = read_region_csv(REGIONS_CSV.read_bytes())
    if parsed.errors:  # a broken fixture is a bug, not user input
        raise ValueError(f"{REGIONS_CSV}: {parsed.errors}")
    return parsed.rows


def build_regions():
    from .services import do_import_regions

    # Partial: the demo adds its county and never retires regions it does not list.
    return do_import_regions(None, region_rows(), DEMO_YEAR, partial=True, source=REGIONS_CSV.name)


def totp_secret(device) -> str:
    """The base32 secret an authenticator app takes."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def build_users() -> list[tuple[DemoUser, object, str]]:
    """Create or refresh each demo account; returns (spec, user, TOTP secret or "")."""
    from tongzhan.accounts.models import User
    from tongzhan.audit.models import AuditAction
    from tongzhan.audit.services import record

    from .services import cli_username

    wanted = [spec.username for spec in DEMO_USERS]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    password_hash = make_password(DEMO_PASSWORD)  # Argon2 is slow: hash once for all
    accounts = [ensure_user(spec, password_hash) for spec in DEMO_USERS]
    new = [name for name in wanted if name not in existing]
    if new:
        record(
            AuditAction.ACCOUNT,
            username=cli_username(),
            object_type="accounts.user",
            object_repr="建立演示账户",
            detail={"created": new, "demo": True},
        )
    return accounts


class NotADemoAccount(Exception):
    """A demo username is taken by a real account; the demo must not touch it."""


def ensure_user(spec: DemoUser, password_hash: str):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tongzhan.accounts.models import RoleAssignment, User
    from tongzhan.accounts.roles import ADMIN_ROLES

    user = User.objects.filter(username=spec.username).first()
    if user is not None and not user.is_demo:
        raise NotADemoAccount(spec.username)
    user = user or User(username=spec.username)
    user.display_name, user.unit = spec.display_name, spec.unit
    user.is_demo, user.is_active, user.must_change_password = True, True, False
    user.password, user.password_changed_at = password_hash, timezone.now()
    user.save()
    RoleAssignment.objects.update_or_create(
        user=user,
        role=spec.role,
        region_id=spec.region,
        defaults={"lines": [str(c) for c in spec.lines], "active": True},
    )
    secret = ""
    if spec.role in ADMIN_ROLES:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="演示", confirmed=True)
        secret = totp_secret(device)
    return spec, user, secret


# --- persons ----------------------------------------------------------------

# (profile, weight in a 社区, weight in a 村, categories)
PROFILES = [
    ("entrepreneur", 16, 10, [Category.NON_PUBLIC_ECONOMY]),
    ("new_stratum", 10, 3, [Category.NEW_SOCIAL_STRATUM]),
    ("party_member", 12, 4, [Category.DEMOCRATIC_PARTY]),
    ("non_party", 5, 2, [Category.NON_PARTY, Category.INTELLECTUAL]),
    ("intellectual", 12, 6, [Category.INTELLECTUAL]),
    ("ethnic", 2, 4, [Category.ETHNIC_MINORITY]),
    ("religious", 3, 8, [Category.RELIGIOUS]),
    ("studied_abroad", 5, 1, [Category.STUDIED_ABROAD]),
    ("hk_macao", 2, 1, [Category.HK_MACAO]),
    ("taiwan", 1, 2, [Category.TAIWAN]),
    ("overseas", 3, 6, [Category.OVERSEAS_CHINESE]),
    ("other", 2, 3, [Category.OTHER]),
]
PARTIES = ["04", "05", "05", "06", "06", "07", "07", "08", "09", "10", "10", "11"]

# The persons of the test world (tongzhan.testing), so the demo shows the same cases.
ANCHORS = [
    ("张青山", Gender.MALE, date(1972, 5, 14), VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY], "01"),
    ("释明心", Gender.MALE, date(1968, 9, 2), "330599101001", [Category.RELIGIOUS], "01"),
    ("李白石", Gender.MALE, date(1979, 3, 21), "330599201201", [Category.NON_PUBLIC_ECONOMY], "01"),
]


class PersonMaker:
    """Draws realistic persons from the name pools with one seeded RNG."""

    def __init__(self, seed: int = SEED):
        from tongzhan.people.demo import DemoDetails

        self.rng = random.Random(seed)
        # The record's details from a stream of their own: the names, places and statuses
        # drawn here stay what the other demos build on.
        self.details = DemoDetails(seed + 1)
        self.names = json.loads(NAMES_JSON.read_text(encoding="utf-8"))
        surnames = self.names["surnames"]
        self.surnames = [s for s, _w in surnames]
        self.surname_weights = [w for _s, w in surnames]

    def person(self, region_code: str, urban: bool, she_area: bool) -> dict:
        rng = self.rng
        weights = [(p[1] if urban else p[2]) for p in PROFILES]
        if she_area:
            weights[5] += 30  # 少数民族人士
        profile, *_w, categories = rng.choices(PROFILES, weights)[0]
        data = {
            "gender": Gender.MALE if rng.random() < 0.64 else Gender.FEMALE,
            "birth_date": date(1950, 1, 1) + timedelta(days=rng.randrange(49 * 365)),
            "categories": [str(c) for c in categories],
            "ethnicity": "01",
            "political_status": PoliticalStatus.MASSES,
        }
        self._profile_details(profile, data, she_area)
        if "name" not in data:
            data["name"] = self.name(data["gender"], data.pop("surname", None))
        data.update(self._status(data["birth_date"]))
        data["phone"] = self.phone() if rng.random() < 0.9 else ""
        data["region_code"] = region_code
        self.details.add(profile, data)
        return data

    def _profile_details(self, profile: str, data: dict, she_area: bool) -> None:
        rng = self.rng
        if profile == "party_member":
            data["political_status"] = rng.choice(PARTIES)
            if rng.random() < 0.5:
                data["categories"].append(str(Category.INTELLECTUAL))
        elif profile == "non_party":
            data["political_status"] = PoliticalStatus.NON_PARTY
        elif profile == "entrepreneur":
            roll = rng.random()
            if roll < 0.15:  # 民建 and 工商联 overlap in practice
                data["political_status"] = "06"
                data["categories"].append(str(Category.DEMOCRATIC_PARTY))
            elif roll < 0.25:
                data["categories"].append(str(Category.OVERSEAS_CHINESE))
        elif profile == "ethnic":
            code = "22" if she_area or rng.random() < 0.5 else rng.choice(["03", "06", "15"])
            data["ethnicity"] = code
            data["surname"] = rng.choice(self.names["ethnic_surnames"][code])
        elif profile == "religious" and rng.random() < 0.5:
            data["name"] = "释" + "".join(rng.sample(self.names["dharma_chars"], 2))

    def name(self, gender: str, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or rng.choices(self.surnames, self.surname_weights)[0]
        pool = self.names["male_chars" if gender == Gender.MALE else "female_chars"]
        length = 1 if rng.random() < 0.3 else 2
        return surname + "".join(rng.choice(pool) for _ in range(length))

    def _status(self, birth: date) -> dict:
        roll = self.rng.random()
        when = date(2019, 1, 1) + timedelta(days=self.rng.randrange(6 * 365))
        if roll < 0.04:
            return {"status": PersonStatus.TRANSFERRED, "status_date": when}
        if roll < 0.06 and birth.year < 1960:
            return {"status": PersonStatus.DECEASED, "status_date": when}
        if roll < 0.08:
            return {"status": PersonStatus.WITHDRAWN, "status_date": when}
        return {"status": PersonStatus.ACTIVE, "status_date": None}

    def phone(self) -> str:
        prefix = self.rng.choice(self.names["mobile_prefixes"])
        return prefix + "".join(str(self.rng.randrange(10)) for _ in range(8))


def person_plan(rows: list[RegionRow], seed: int = SEED) -> list[dict]:
    """Every demo person, in a fixed order: the anchors, then 4–8 per village and
    2–3 filed at township level. The same seed gives the same list."""
    maker = PersonMaker(seed)
    people = [
        {
            "name": name,
            "gender": gender,
            "birth_date": birth,
            "region_code": region,
            "categories": [str(c) for c in categories],
            "ethnicity": ethnicity,
            "political_status": PoliticalStatus.MASSES,
            "status": PersonStatus.ACTIVE,
            "status_date": None,
            "phone": maker.phone(),
        }
        for name, gender, birth, region, categories, ethnicity in ANCHORS
    ]
    for row in rows:
        level = divisioncode.level_of(row.code)
        if level < 4:
            continue
        she_area = divisioncode.is_within(row.code, SHE_TOWNSHIP)
        urban = row.urban_rural.startswith("1") or level == 4
        count = maker.rng.randint(2, 3) if level == 4 else maker.rng.randint(4, 8)
        people += [maker.person(row.code, urban, she_area) for _ in range(count)]
    return people


def creator_for(region_code: str, users: dict):
    """The township's own 统战委员 files its persons where there is one; else the staff."""
    for username, township in (("town_a", TOWNSHIP_A), ("town_b", TOWNSHIP_B)):
        if divisioncode.is_within(region_code, township):
            return users[username]
    return users["staff"]


def build_persons(users: dict, rows: list[RegionRow] | None = None) -> tuple[int, int]:
    """Create the persons not yet there (same name, birth date and region); (new, kept)."""
    from tongzhan.core.models import Region
    from tongzhan.people.models import Person
    from tongzhan.people.services import do_create_person

    plan = person_plan(rows or region_rows())
    regions = Region.objects.in_bulk({p["region_code"] for p in plan})
    existing = set(Person.objects.values_list("name", "birth_date", "region_id"))
    created = 0
    for data in plan:
        key = (data["name"], data["birth_date"], data["region_code"])
        if key in existing:
            continue
        existing.add(key)
        code = data.pop("region_code")
        do_create_person(creator_for(code, users), {**data, "region": regions[code]})
        created += 1
    return created, len(plan) - created
