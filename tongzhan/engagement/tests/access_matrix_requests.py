"""Authorization matrix rows for the request (诉求) pages and API; the engagement app's
access_matrix.py gathers them. World objects are made lazily, inside the lambdas.

One request per person of the world: A1 (非公经济, village A1), A2 (宗教界, community A2),
B1 (非公经济, village B1). Requests are written with the "record" action, which the
village liaison holds and the leader does not: the leader reads (200) but gets 403 on
every write; a persona that cannot see the request gets 404.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tongzhan.engagement.choices import RequestCategory, RequestState
from tongzhan.testing import Case

ADMINS = ("county_admin", "auditor", "security_admin")
VIEWERS = {"county_staff", "unit_contact", "township_a", "township_b", "village_a", "leader"}
RECORDERS = VIEWERS - {"leader"}
EXPORTERS = {"county_staff", "township_a", "township_b"}
SEES = {
    "A1": {"county_staff", "unit_contact", "township_a", "village_a", "leader"},
    "A2": {"county_staff", "township_a", "leader"},
    "B1": {"county_staff", "unit_contact", "township_b", "leader"},
}
PERSON = {"A1": "person_a1", "A2": "person_a2", "B1": "person_b1"}
API = "/api/v1/engagement/requests/"


def world_request(w, key: str):
    """The request of person `key`, raised by the county staff on first use."""
    from tongzhan.engagement.services.requests import do_create_request

    made = w.__dict__.setdefault("_requests", {})
    if key not in made:
        made[key] = do_create_request(
            w.user("county_staff"),
            person=getattr(w, PERSON[key]),
            title="企业融资难",
            category=RequestCategory.FINANCING,
            raised_on=timezone.localdate() - timedelta(days=1),
        )
    return made[key]


def _today() -> str:
    return timezone.localdate().isoformat()


def page(name, key=None):
    if key is None:
        return lambda w: reverse(name)
    return lambda w: reverse(name, args=[world_request(w, key).pk])


def expect(seers, ok=200, anonymous=302, writes=False):
    result = {p: (403 if writes and p == "leader" else ok) for p in seers}
    result["anonymous"] = anonymous
    return result


def create_data(w):
    return {
        "person": w.person_a1.pk,
        "title": "贷款贴息政策咨询",
        "category": RequestCategory.POLICY,
        "raised_on": _today(),
    }


def advance_data(w):
    return {
        "to_state": RequestState.ASSIGNED,
        "handling_unit": "县金融办",
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "comment": "转县金融办办理",
        "acted_on": _today(),
        "version": 1,
    }


def edit_data(w):
    return {
        "title": "融资担保",
        "category": RequestCategory.FINANCING,
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "description": "",
        "version": 1,
    }


CASES = [
    Case(
        "engagement:request_list",
        "GET",
        page("engagement:request_list"),
        expect=expect(VIEWERS),
        others=404,
    ),
    Case(
        "engagement:request_export",
        "GET",
        page("engagement:request_export"),
        expect=expect(EXPORTERS),
        others=404,
    ),
    Case(
        "engagement:request_create",
        "GET",
        page("engagement:request_create"),
        expect=expect(RECORDERS),
        others=404,
    ),
    Case(
        "engagement:request_create",
        "POST",
        page("engagement:request_create"),
        data=create_data,
        scope="in A1",
        expect=expect(SEES["A1"] - {"leader"}, ok=302),
        others=404,
    ),
    Case(f"GET {API}", "GET", lambda w: API, expect=expect(VIEWERS, anonymous=401), others=404),
    Case(
        f"GET {API}export.xlsx",
        "GET",
        lambda w: API + "export.xlsx",
        expect=expect(EXPORTERS, anonymous=401),
        others=404,
    ),
    Case(
        f"POST {API}",
        "POST",
        lambda w: API,
        json=True,
        scope="in A1",
        data=lambda w: {**create_data(w), "person": w.person_a1.pk},
        expect=expect(SEES["A1"] - {"leader"}, ok=201, anonymous=401),
        others=404,
    ),
]

for key, seers in SEES.items():
    api_url = lambda w, k=key: f"{API}{world_request(w, k).pk}"  # noqa: E731
    CASES += [
        Case(
            "engagement:request_detail",
            "GET",
            page("engagement:request_detail", key),
            expect=expect(seers),
            others=404,
            scope=key,
        ),
        Case(
            "engagement:request_advance",
            "GET",
            page("engagement:request_advance", key),
            expect=expect(seers, writes=True),
            others=404,
            scope=key,
        ),
        Case(
            "engagement:request_advance",
            "POST",
            page("engagement:request_advance", key),
            data=advance_data,
            expect=expect(seers, ok=302, writes=True),
            others=404,
            scope=key,
        ),
        Case(
            "engagement:request_edit",
            "GET",
            page("engagement:request_edit", key),
            expect=expect(seers, writes=True),
            others=404,
            scope=key,
        ),
        Case(
            "engagement:request_edit",
            "POST",
            page("engagement:request_edit", key),
            data=edit_data,
            expect=expect(seers, ok=302, writes=True),
            others=404,
            scope=key,
        ),
        Case(
            "engagement:request_delete",
            "GET",
            page("engagement:request_delete", key),
            expect=expect(seers, writes=True),
            others=404,
            scope=key,
        ),
        Case(
            "engagement:request_delete",
            "POST",
            page("engagement:request_delete", key),
            expect=expect(seers, ok=302, writes=True),
            others=404,
            scope=key,
        ),
        Case(
            f"GET {API}{{request_id}}",
            "GET",
            api_url,
            expect=expect(seers, anonymous=401),
            others=404,
            scope=key,
        ),
        Case(
            f"POST {API}{{request_id}}/advance",
            "POST",
            lambda w, u=api_url: u(w) + "/advance",
            json=True,
            data=advance_data,
            expect=expect(seers, anonymous=401, writes=True),
            others=404,
            scope=key,
        ),
        Case(
            f"PATCH {API}{{request_id}}",
            "PATCH",
            api_url,
            json=True,
            data=lambda w: {"version": 1, "title": "融资担保"},
            expect=expect(seers, anonymous=401, writes=True),
            others=404,
            scope=key,
        ),
        Case(
            f"DELETE {API}{{request_id}}",
            "DELETE",
            api_url,
            expect=expect(seers, ok=204, anonymous=401, writes=True),
            others=404,
            scope=key,
        ),
    ]
