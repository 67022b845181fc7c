"""The demo persons' records beyond name and place: what a county's registry holds for
each kind of person — an ID number, work unit and post, education and title, the line
profile (企业, 宗教活动场所, 境外关系), 党外代表人士 with their 政治安排, a short 简历.

With them the demo shows what the registry does: exact search by ID number and by
company, masking and the reveal, the 政治安排 and 代表人士 filters, both 名册, a filled
登记表. core.demo draws these from a random stream of their own, so the persons' names,
places and statuses stay the ones the other demos (pairings, contacts, requests,
organisations) build on. The word lists are gen-data's.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from tongzhan.core.choices import Religion, RepresentativeLevel

from . import gendata

PLACE = "清溪"  # the demo county, as firms and units are named after it
ID_SHARE = 0.85  # ledgers often lack the number: a few persons have none
REPRESENTATIVE_SHARE = 0.12
DEMO_REP_LEVELS = (
    (RepresentativeLevel.TOWNSHIP, 40),
    (RepresentativeLevel.COUNTY, 45),
    (RepresentativeLevel.CITY, 15),
)
UNIT_PROFILES = {"party_member", "non_party", "intellectual", "studied_abroad", "other"}
UNIT_POSTS = ("教师", "副校长", "主治医师", "副院长", "农艺师", "教研组长", "工程师")
NEW_STRATUM_POSTS = ("合伙人", "负责人", "设计师", "主播")
EARLY_POSTS = ("教师", "技术员", "科员", "医师", "办事员")  # the first steps of a 简历
VENUE_PLACES = ("青莲", "云峰", "白云", "福田", "溪口", "茶岭")
OVERSEAS_PROFILES = {"hk_macao", "taiwan", "overseas"}


class DemoDetails:
    """Adds details to the demo's person data, one person at a time, from one seeded RNG."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()

    def add(self, profile: str, data: dict) -> None:
        """Fill `data` (do_create_person's values, with region_code) in place."""
        rng, region = self.rng, data["region_code"]
        if rng.random() < ID_SHARE:
            data["id_number"] = gendata.make_id_number(
                rng, region, data["birth_date"], data["gender"], self.used_ids
            )
        education = gendata.EDUCATION
        data["education"] = rng.choices([e for e, _w in education], [w for _e, w in education])[0]
        data["professional_title"] = rng.choice(gendata.TITLES)
        work_start = data["birth_date"] + timedelta(days=rng.randint(19, 24) * 365)
        data["work_start"] = work_start if work_start < date.today() else None
        getattr(self, f"_as_{profile}", self._unit)(data)
        if profile in OVERSEAS_PROFILES:
            self._overseas(profile, data)
        if rng.random() < REPRESENTATIVE_SHARE:
            self._representative(data)
        if data.get("work_unit") and (data.get("is_representative") or rng.random() < 0.25):
            data["resume_entries"] = self._resume(data)

    # --- by profile

    def _unit(self, data: dict) -> None:
        rng = self.rng
        data["work_unit"] = PLACE + "县" + rng.choice(gendata.INTELLECTUAL_UNITS)
        data["post"] = rng.choice(UNIT_POSTS)

    def _as_entrepreneur(self, data: dict) -> None:
        rng = self.rng
        kind = rng.choice(gendata.FIRM_KINDS)
        firm = PLACE + rng.choice(gendata.FIRM_WORDS) + kind + "有限公司"
        data["work_unit"], data["post"] = firm, rng.choice(("董事长", "总经理", "执行董事"))
        employees = int(rng.lognormvariate(3.0, 1.0)) + 1
        revenue = Decimal(employees * rng.randint(20, 80)).quantize(Decimal("0.01"))
        data["non_public"] = {
            "enterprise": firm,
            "uscc": gendata.make_uscc(rng, data["region_code"]),
            "industry": rng.choice(gendata.INDUSTRIES),
            "scale": gendata.enterprise_scale(employees),
            "employees": employees,
            "revenue": revenue,
            "tax": (revenue * Decimal("0.05")).quantize(Decimal("0.01")),
            "chamber": rng.choice(("清溪县总商会", "清溪县青年商会", "清溪县女企业家商会")),
        }

    def _as_new_stratum(self, data: dict) -> None:
        rng = self.rng
        data["work_unit"] = PLACE + rng.choice(gendata.NEW_STRATUM_UNITS)
        data["post"] = rng.choice(NEW_STRATUM_POSTS)

    def _as_ethnic(self, data: dict) -> None:
        if self.rng.random() < 0.6:
            self._unit(data)

    def _as_religious(self, data: dict) -> None:
        rng = self.rng
        # A 释 name is a Buddhist monastic's.
        religion = (
            Religion.BUDDHISM if data["name"].startswith("释") else rng.choice(list(Religion))
        )
        data["religion"] = religion
        venue = rng.choice(VENUE_PLACES) + gendata.VENUES[religion]
        data["religious"] = {
            "religion": religion,
            "clerical_post": rng.choice(gendata.CLERICAL[religion]),
            "venue": venue,
        }
        data["work_unit"] = venue

    def _overseas(self, profile: str, data: dict) -> None:
        place = self.rng.choice(gendata.OVERSEAS_PLACES[profile])
        data["overseas"] = {
            "ties": self.rng.choice(gendata.OVERSEAS_TIES) + place,
            "country_region": place,
        }
        if not data.get("work_unit"):
            self._unit(data)

    # --- 代表人士, 政治安排, 简历

    def _representative(self, data: dict) -> None:
        rng = self.rng
        levels = DEMO_REP_LEVELS
        level = rng.choices([lv for lv, _w in levels], [w for _l, w in levels])[0]
        data["is_representative"], data["representative_level"] = True, level
        if rng.random() < 0.8:
            data["arrangements"] = self._arrangements(level)

    def _arrangements(self, top_level: str) -> list[dict]:
        order = [level for level, _w in DEMO_REP_LEVELS]
        return gendata.make_arrangements(self.rng, top_level, order, one_share=0.75)

    def _resume(self, data: dict) -> list[dict]:
        """Two or three steps ending in the present post."""
        rng = self.rng
        start = data.get("work_start") or date(2000, 9, 1)
        steps = []
        for _ in range(rng.randint(1, 2)):
            end = start + timedelta(days=rng.randint(3, 9) * 365)
            if end >= date.today():
                break
            unit = PLACE + "县" + rng.choice(gendata.INTELLECTUAL_UNITS)
            steps.append(
                {"start": start, "end": end, "description": unit + rng.choice(EARLY_POSTS)}
            )
            start = end
        post = (data["work_unit"] + data.get("post", ""))[:200]
        steps.append({"start": start, "end": None, "description": post})
        return steps
