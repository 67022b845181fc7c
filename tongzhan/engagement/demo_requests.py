"""Demo requests (诉求/实事) for the 清溪县 demo: every state, some overdue, some closed
late, with their steps and the persons' satisfaction, so that each role's home page shows
real warnings. Written through the services (steps and audit rows as in real use).

Call `load(today)` after core.demo has built the regions, accounts and persons. A second
run adds nothing (the demo titles are looked for first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from tongzhan.core.demo import SHE_TOWNSHIP, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1
from tongzhan.engagement.choices import RequestCategory as C
from tongzhan.engagement.choices import RequestState as S
from tongzhan.engagement.choices import Satisfaction
from tongzhan.lib import divisioncode

ORDER: list[str] = [S.RECEIVED, S.ASSIGNED, S.IN_PROGRESS, S.CLOSED, S.REVISITED]


@dataclass(frozen=True)
class DemoRequest:
    """One demo request: who raises it where, how far it got, and when."""

    username: str
    region: str  # the person is drawn from this subtree
    title: str
    category: str
    state: str
    raised_ago: int  # days before today
    deadline_days: int  # after the day it was raised
    closed_after: int = 0  # days after raising it was closed (办结)
    satisfaction: str = Satisfaction.SATISFIED
    unit: str = "县人社局"
    line: str = ""  # a category the person must be in (for the line contact)


PLAN = [
    DemoRequest("village_a", VILLAGE_A1, "农家乐消防验收咨询", C.PERMITS, S.RECEIVED, 2, 30),
    DemoRequest("village_a", VILLAGE_A1, "村道路灯维修", C.INFRASTRUCTURE, S.RECEIVED, 45, 30),
    DemoRequest(
        "town_a", TOWNSHIP_A, "茶厂技改贷款贴息", C.FINANCING, S.ASSIGNED, 40, 30, unit="县金融办"
    ),
    DemoRequest("town_a", TOWNSHIP_A, "外来务工子女入学", C.EDUCATION, S.IN_PROGRESS, 20, 22),
    DemoRequest(
        "town_a", TOWNSHIP_A, "厂房扩建用地指标", C.LAND, S.CLOSED, 50, 30, 25, unit="县自然资源局"
    ),
    DemoRequest(
        "town_a",
        TOWNSHIP_A,
        "企业招工信息发布",
        C.EMPLOYMENT,
        S.REVISITED,
        80,
        20,
        35,
        Satisfaction.MOSTLY,
    ),
    DemoRequest(
        "town_a",
        TOWNSHIP_A,
        "宗教活动场所消防改造",
        C.RELIGIOUS_AFFAIRS,
        S.REVISITED,
        70,
        30,
        12,
        unit="县民宗局",
    ),
    DemoRequest("town_b", TOWNSHIP_B, "白茶品牌商标注册", C.POLICY, S.ASSIGNED, 10, 30),
    DemoRequest(
        "town_b",
        TOWNSHIP_B,
        "合作社电力增容",
        C.INFRASTRUCTURE,
        S.IN_PROGRESS,
        50,
        30,
        unit="县供电公司",
    ),
    DemoRequest(
        "town_b", TOWNSHIP_B, "劳动纠纷法律援助", C.LEGAL, S.CLOSED, 60, 15, 28, unit="县司法局"
    ),
    DemoRequest(
        "town_b",
        TOWNSHIP_B,
        "老人就医转诊",
        C.MEDICAL,
        S.REVISITED,
        90,
        30,
        20,
        Satisfaction.UNSATISFIED,
        unit="县卫健局",
    ),
    DemoRequest("staff", SHE_TOWNSHIP, "畲族文化节场地", C.OTHER, S.RECEIVED, 40, 20),
    DemoRequest(
        "staff",
        SHE_TOWNSHIP,
        "侨眷房屋确权",
        C.OVERSEAS_AFFAIRS,
        S.REVISITED,
        100,
        30,
        29,
        unit="县侨联",
    ),
    DemoRequest(
        "gsl",
        "330599000000",
        "民营企业融资担保",
        C.FINANCING,
        S.IN_PROGRESS,
        45,
        30,
        unit="县工商联",
        line="06",
    ),
]


def _person(spec: DemoRequest, index: int):
    from tongzhan.people.models import Person

    low, high = divisioncode.subtree_range(spec.region)
    persons = Person.objects.filter(region_id__gte=low, region_id__lte=high, status="active")
    if spec.line:
        persons = persons.filter(categories__category=spec.line)
    persons = persons.order_by("pk")
    count = persons.count()
    return persons[index % count] if count else None


def _step(spec: DemoRequest, to_state: str, raised: date, today: date, handler) -> dict:
    days: dict[str, int] = {S.ASSIGNED: 1, S.IN_PROGRESS: 3, S.CLOSED: spec.closed_after}
    on = raised + timedelta(days=days.get(to_state, spec.closed_after + 3))
    values = {"to_state": to_state, "acted_on": min(on, today)}
    comments: dict[str, str] = {
        S.ASSIGNED: f"转{spec.unit}办理",
        S.IN_PROGRESS: f"{spec.unit}已对接，正在办理",
        S.CLOSED: "已办结，结果已告知诉求人",
        S.REVISITED: "电话回访，听取意见",
    }
    values["comment"] = comments[to_state]
    if to_state == S.ASSIGNED:
        values.update(
            handling_unit=spec.unit,
            handler=handler,
            deadline=raised + timedelta(days=spec.deadline_days),
        )
    elif to_state == S.CLOSED:
        values["result"] = f"经{spec.unit}协调，问题已解决"
    elif to_state == S.REVISITED:
        values["satisfaction"] = spec.satisfaction
    return values


def _make(spec: DemoRequest, user, person, today: date):
    from .services.requests import do_advance_request, do_create_request

    raised = today - timedelta(days=spec.raised_ago)
    request = do_create_request(
        user,
        person=person,
        title=spec.title,
        category=spec.category,
        raised_on=raised,
        description=f"{person.name}反映：{spec.title}。",
        deadline=raised + timedelta(days=spec.deadline_days),
    )
    for to_state in ORDER[1 : ORDER.index(spec.state) + 1]:
        values = _step(spec, to_state, raised, today, user)
        request = do_advance_request(user, request, version=request.version, **values)
    return request


def load(today: date) -> int:
    """Create the demo requests not yet there; returns how many were created."""
    from tongzhan.accounts.models import User

    from .models import Request

    existing = set(
        Request.objects.filter(Q(title__in=[s.title for s in PLAN])).values_list("title", flat=True)
    )
    users = User.objects.in_bulk({s.username for s in PLAN}, field_name="username")
    created = 0
    for index, spec in enumerate(PLAN):
        if spec.title in existing or spec.username not in users:
            continue
        person = _person(spec, index)
        if person is None:
            continue
        _make(spec, users[spec.username], person, today)
        created += 1
    return created
