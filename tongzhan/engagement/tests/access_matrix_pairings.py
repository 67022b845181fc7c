"""Authorization matrix rows of the 联谊交友 pages and API.

World: person_a1 (village A1, 非公经济) and person_b1 (village B1, 非公经济) are made
党外代表人士 and paired lazily: A1 with township A's member, B1 with township B's. Pairings
are changed with "change": the village liaison and the leader only read them (403).
The county settings are county staff's alone: everyone else 404.
"""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from tongzhan.testing import Case, change_expect, view_expect
from tongzhan.testing import page_url as _page

SEES_A1 = {"county_staff", "unit_contact", "township_a", "village_a", "leader"}
SEES_B1 = {"county_staff", "unit_contact", "township_b", "leader"}
VIEWERS = SEES_A1 | SEES_B1
CHANGERS = {"county_staff", "unit_contact", "township_a", "township_b"}
EXPORTERS = {"county_staff", "township_a", "township_b"}
API = "/api/v1/engagement/pairings/"


def _representative(w, which):
    person = getattr(w, f"person_{which}")
    if not person.is_representative:
        person.is_representative, person.representative_level = True, "county"
        person.save(update_fields=["is_representative", "representative_level"])
    return person


def _pairing(w, which) -> int:
    """The pairing of person A1 (with township A) or B1 (with township B), made once."""
    from tongzhan.engagement.models import Pairing
    from tongzhan.engagement.services.pairings import do_create_pairing

    person = _representative(w, which)
    cadre = w.user("township_a" if which == "a1" else "township_b")
    found = Pairing.objects.filter(person=person, cadre=cadre).first()
    if found is None:
        found = do_create_pairing(
            w.user("county_staff"), cadre=cadre, person=person, start_date=date(2026, 1, 5)
        )
    return found.pk


def today() -> str:
    return timezone.localdate().isoformat()


def edit_data(w):
    return {"start_date": "2026-01-05", "interval_months": 2, "notes": "按月走访", "version": 1}


def end_data(w):
    return {"end_date": today(), "reason": "干部调整", "version": 1}


def create_data(w):
    return {
        "cadre": w.user("township_a").pk,
        "person": _representative(w, "a1").pk,
        "start_date": today(),
        "interval_months": "",
        "notes": "",
    }


CASES = [
    Case(
        "engagement:pairing_list",
        "GET",
        _page("engagement:pairing_list"),
        expect=view_expect(VIEWERS),
        others=404,
    ),
    Case(
        "engagement:pairing_mine",
        "GET",
        _page("engagement:pairing_mine"),
        expect=view_expect(VIEWERS),
        others=404,
    ),
    Case(
        "engagement:pairing_export",
        "GET",
        _page("engagement:pairing_export"),
        expect=view_expect(EXPORTERS),
        others=404,
    ),
    Case(
        "engagement:pairing_create",
        "GET",
        _page("engagement:pairing_create"),
        expect=view_expect(CHANGERS),
        others=404,
    ),
    # Coming from person A1's page: township B cannot see A1 (404).
    Case(
        "engagement:pairing_create",
        "GET",
        lambda w: reverse("engagement:pairing_create") + f"?person={_representative(w, 'a1').pk}",
        scope="person A1",
        expect=view_expect(CHANGERS - {"township_b"}),
        others=404,
    ),
    # Township B's picker does not hold A1: the form answers with a field error (200).
    Case(
        "engagement:pairing_create",
        "POST",
        _page("engagement:pairing_create"),
        data=create_data,
        scope="person A1",
        expect={
            "county_staff": 302,
            "unit_contact": 302,
            "township_a": 302,
            "township_b": 200,
            "anonymous": 302,
        },
        others=404,
    ),
    Case(
        "engagement:pairing_settings",
        "GET",
        _page("engagement:pairing_settings"),
        expect={"county_staff": 200, "anonymous": 302},
        others=404,
    ),
    Case(
        "engagement:pairing_settings_edit",
        "GET",
        _page("engagement:pairing_settings_edit"),
        expect={"county_staff": 200, "anonymous": 302},
        others=404,
    ),
    Case(
        "engagement:pairing_settings_edit",
        "POST",
        _page("engagement:pairing_settings_edit"),
        data=lambda w: {
            "late_entry_days": 5,
            "default_interval_months": 3,
            "request_deadline_days": 30,
            "category_05": 2,
            "version": 1,
        },
        expect={"county_staff": 302, "anonymous": 302},
        others=404,
    ),
    Case(
        "GET /api/v1/engagement/pairings/",
        "GET",
        lambda w: API,
        expect=view_expect(VIEWERS, 401),
        others=404,
    ),
    # Person A1 is out of township B's scope (404); read-only roles cannot create (404,
    # like the page).
    Case(
        "POST /api/v1/engagement/pairings/",
        "POST",
        lambda w: API,
        json=True,
        data=lambda w: {**create_data(w), "interval_months": None},
        scope="person A1",
        expect={"county_staff": 201, "unit_contact": 201, "township_a": 201, "anonymous": 401},
        others=404,
    ),
    Case(
        "GET /api/v1/engagement/pairings/cadres",
        "GET",
        lambda w: API + "cadres",
        expect=view_expect(CHANGERS, 401),
        others=404,
    ),
    Case(
        "GET /api/v1/engagement/pairings/settings",
        "GET",
        lambda w: API + "settings",
        expect={"county_staff": 200, "anonymous": 401},
        others=404,
    ),
    Case(
        "PATCH /api/v1/engagement/pairings/settings",
        "PATCH",
        lambda w: API + "settings",
        json=True,
        data=lambda w: {"version": 1, "late_entry_days": 5},
        expect={"county_staff": 200, "anonymous": 401},
        others=404,
    ),
]

for which, seers in (("a1", SEES_A1), ("b1", SEES_B1)):
    pk = lambda w, which=which: _pairing(w, which)  # noqa: E731
    scope = f"pairing {which.upper()}"
    CASES += [
        Case(
            "engagement:pairing_detail",
            "GET",
            _page("engagement:pairing_detail", pk),
            scope=scope,
            expect=view_expect(seers),
            others=404,
        ),
        Case(
            "engagement:person_pairings",
            "GET",
            _page(
                "engagement:person_pairings", lambda w, which=which: _representative(w, which).pk
            ),
            scope=f"person {which.upper()}",
            expect=view_expect(seers),
            others=404,
        ),
        Case(
            "engagement:pairing_edit",
            "GET",
            _page("engagement:pairing_edit", pk),
            scope=scope,
            expect=change_expect(seers),
            others=404,
        ),
        Case(
            "engagement:pairing_edit",
            "POST",
            _page("engagement:pairing_edit", pk),
            scope=scope,
            data=edit_data,
            expect=change_expect(seers, ok=302),
            others=404,
        ),
        Case(
            "engagement:pairing_end",
            "GET",
            _page("engagement:pairing_end", pk),
            scope=scope,
            expect=change_expect(seers),
            others=404,
        ),
        Case(
            "engagement:pairing_end",
            "POST",
            _page("engagement:pairing_end", pk),
            scope=scope,
            data=end_data,
            expect=change_expect(seers, ok=302),
            others=404,
        ),
        Case(
            "engagement:pairing_delete",
            "GET",
            _page("engagement:pairing_delete", pk),
            scope=scope,
            expect=change_expect(seers),
            others=404,
        ),
        Case(
            "engagement:pairing_delete",
            "POST",
            _page("engagement:pairing_delete", pk),
            scope=scope,
            expect=change_expect(seers, ok=302),
            others=404,
        ),
        Case(
            "GET /api/v1/engagement/pairings/{pairing_id}",
            "GET",
            lambda w, pk=pk: f"{API}{pk(w)}",
            scope=scope,
            expect=view_expect(seers, 401),
            others=404,
        ),
        Case(
            "PATCH /api/v1/engagement/pairings/{pairing_id}",
            "PATCH",
            lambda w, pk=pk: f"{API}{pk(w)}",
            scope=scope,
            json=True,
            data=lambda w: {"version": 1, "interval_months": 2, "notes": "按月走访"},
            expect=change_expect(seers, anonymous=401),
            others=404,
        ),
        Case(
            "POST /api/v1/engagement/pairings/{pairing_id}/end",
            "POST",
            lambda w, pk=pk: f"{API}{pk(w)}/end",
            scope=scope,
            json=True,
            data=end_data,
            expect=change_expect(seers, anonymous=401),
            others=404,
        ),
        Case(
            "DELETE /api/v1/engagement/pairings/{pairing_id}",
            "DELETE",
            lambda w, pk=pk: f"{API}{pk(w)}",
            scope=scope,
            expect=change_expect(seers, ok=204, anonymous=401),
            others=404,
        ),
    ]
