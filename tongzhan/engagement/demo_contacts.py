"""Demo contact logs (联系记录) for the 清溪县 demo: about 60 over the past year.

Written by the demo cadres and the demo village liaison through the contact service (audit
rows and pairing recounts as in real use), then given the entry time a real log would have
had: most entered within a few days, some entered weeks later and so marked 补录.

Pairings (demo_pairings.load, which must run first): the oldest pairing of each cadre is
left overdue (the village liaison's never contacted; the others met once, long ago); a
pairing younger than its interval is left alone (it shows as "due soon"); every other
pairing is contacted about once per interval, so it is up to date. Other visits, 座谈会
and phone calls with unpaired persons fill the year. A second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO

from django.utils import timezone

from tongzhan.engagement.due import add_months

SEED = 20261127
TARGET = 60
LATE_SHARE = 0.15
PHOTOS = 4
USERNAMES = ("village_a", "town_a", "town_b", "staff", "gsl")
SUMMARIES = {
    "visit": [
        "走访企业，了解今年订单和用工情况，企业反映招工难，已记录。",
        "上门走访，听取对村里人居环境整治的意见建议。",
        "走访家中，了解身体状况和子女就学情况，宣传有关政策。",
        "到企业车间察看技改项目进展，交流融资需求。",
    ],
    "forum": [
        "参加镇党外人士座谈会，围绕乡村振兴建言献策。",
        "组织新阶层人士座谈，交流近期工作和思想动态。",
    ],
    "phone": [
        "电话问候，了解近况，提醒参加下月的学习活动。",
        "电话沟通企业用地手续办理进度。",
    ],
    "wechat": [
        "微信沟通，转发惠企政策解读，对方表示会认真研究。",
        "微信联系，约定下周上门走访时间。",
    ],
    "activity": [
        "一同参加光彩事业捐助活动，交流公益项目设想。",
        "参加同心服务队义诊活动。",
    ],
}


@dataclass
class Plan:
    """One demo log before it is written."""

    author: object
    persons: list
    happened_on: date
    mode: str
    cadres: list = field(default_factory=list)


def load(today: date) -> int:
    """Create the demo logs when none of the demo accounts has logged a contact yet;
    returns how many were created."""
    from tongzhan.accounts.models import User
    from tongzhan.engagement.models import ContactLog

    users = User.objects.in_bulk(USERNAMES, field_name="username")
    users = {name: u for name, u in users.items() if u.is_demo}
    if (
        "village_a" not in users
        or ContactLog.objects.filter(created_by__in=users.values()).exists()
    ):
        return 0
    rng = random.Random(SEED)
    plans = pairing_plans(today, rng)
    plans += extra_plans(users, today, rng, TARGET - len(plans))
    plans.sort(key=lambda p: p.happened_on)  # entered in the order it happened
    logs = [_write(plan, today, rng) for plan in plans]
    _add_photos(logs[-PHOTOS * 3 :: 3])
    return len(logs)


# --- what to write ------------------------------------------------------------------------------


def pairing_plans(today: date, rng: random.Random) -> list[Plan]:
    from tongzhan.engagement.models import EngagementSettings, Pairing
    from tongzhan.engagement.services.due import effective_interval

    settings = EngagementSettings.current()
    pairings = list(
        Pairing.objects.filter(cadre__is_demo=True, end_date__isnull=True)
        .select_related("cadre", "person")
        .prefetch_related("person__categories")
        .order_by("cadre_id", "start_date", "pk")
    )
    oldest = {}
    for pairing in pairings:
        oldest.setdefault(pairing.cadre_id, pairing.pk)
    plans = []
    for pairing in pairings:
        months = effective_interval(pairing, settings)
        if pairing.pk == oldest[pairing.cadre_id]:
            plans += _long_ago(pairing, rng)
        elif add_months(pairing.start_date, months) <= today:
            plans += _every_interval(pairing, months, today, rng)
    return plans


def _long_ago(pairing, rng) -> list[Plan]:
    """Overdue: the liaison never went; the others went once, soon after pairing."""
    if pairing.cadre.username == "village_a":
        return []
    day = pairing.start_date + timedelta(days=rng.randint(7, 20))
    return [Plan(pairing.cadre, [pairing.person], day, "visit")]


def _every_interval(pairing, months: int, today: date, rng) -> list[Plan]:
    """Up to date: one contact in every interval since the pairing began, the last one
    less than an interval ago."""
    plans, day = [], pairing.start_date + timedelta(days=rng.randint(5, 25))
    while day <= today:
        mode = rng.choice(["visit", "visit", "phone", "wechat"])
        plans.append(Plan(pairing.cadre, [pairing.person], day, mode))
        day = add_months(day, months) - timedelta(days=rng.randint(3, 20))
    return plans


def extra_plans(users: dict, today: date, rng: random.Random, count: int) -> list[Plan]:
    """Visits, 座谈会 and calls with persons of each author's own area."""
    from tongzhan.core.choices import PersonStatus
    from tongzhan.people.models import Person

    authors = [u for name, u in users.items() if name != "gsl"]
    areas = {
        u.pk: list(
            Person.objects.restrict(u, "record")
            .filter(status=PersonStatus.ACTIVE)
            .order_by("name_pinyin", "pk")[:40]
        )
        for u in authors
    }
    plans = []
    for n in range(max(count, 0)):
        author = authors[n % len(authors)]
        people = areas[author.pk]
        if not people:
            continue
        mode = rng.choice(["visit", "visit", "forum", "phone", "wechat", "activity"])
        size = rng.randint(3, 6) if mode == "forum" else 1
        persons = rng.sample(people, min(size, len(people)))
        happened = today - timedelta(days=rng.randint(0, 360))
        plans.append(Plan(author, persons, happened, mode))
    return plans


# --- writing ------------------------------------------------------------------------------------


def _write(plan: Plan, today: date, rng: random.Random):
    from tongzhan.engagement.due import is_late_entry
    from tongzhan.engagement.models import ContactLog, EngagementSettings
    from tongzhan.engagement.services.contacts import LogData, do_create_log

    data = LogData(
        happened_on=plan.happened_on,
        mode=plan.mode,
        summary=rng.choice(SUMMARIES[plan.mode]),
        persons=[p.pk for p in plan.persons],
        place="村委会" if plan.mode == "forum" else "",
    )
    log = do_create_log(plan.author, data)
    # The service stamps today's entry; a real log was entered near when it happened.
    threshold = EngagementSettings.current().late_entry_days
    late = rng.random() < LATE_SHARE
    delay = threshold + rng.randint(1, 25) if late else rng.randint(0, 3)
    entered = min(plan.happened_on + timedelta(days=delay), today)
    moment = timezone.make_aware(
        datetime.combine(entered, time(rng.randint(8, 20), rng.randint(0, 59)))
    )
    is_late = is_late_entry(plan.happened_on, entered, threshold)
    ContactLog.objects.filter(pk=log.pk).update(entered_at=moment, is_late=is_late)
    return log


def _add_photos(logs) -> None:
    """A few logs carry a photo taken at the visit (a plain picture made here)."""
    from PIL import Image

    from tongzhan.engagement import attachments
    from tongzhan.engagement.services.contacts import do_add_attachment

    for n, log in enumerate(logs):
        out = BytesIO()
        Image.new("RGB", (960, 720), (40 + 40 * n, 120, 160 - 30 * n)).save(out, "JPEG")
        upload = _Upload(f"走访照片{n + 1}.jpg", out.getvalue())
        do_add_attachment(log.created_by, log, attachments.prepare(upload))


class _Upload(BytesIO):
    """Enough of an uploaded file for attachments.prepare."""

    def __init__(self, name: str, content: bytes):
        super().__init__(content)
        self.name, self.size = name, len(content)
