"""Request pages and API: the scoped list with its filters and counts, the detail with the
steps, raising through the person picker, advancing, the refused steps over the API, and
the 诉求办理台账."""

import json
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.engagement.choices import RequestState
from tongzhan.engagement.models import Request
from tongzhan.testing import VILLAGE_A1

from .request_factory import make_request

S = RequestState
LIST = reverse("engagement:request_list")
API = "/api/v1/engagement/requests/"


def today():
    return timezone.localdate()


@pytest.fixture
def requests_world(world):
    """A1: one overdue in progress, one closed late; B1: one overdue; A2: one fresh."""
    staff = world.user("county_staff")
    long_ago = today() - timedelta(days=60)
    return {
        "a1_overdue": make_request(
            staff, world.person_a1, S.IN_PROGRESS, raised_on=long_ago, title="贷款难"
        ),
        "a1_late": make_request(
            staff,
            world.person_a1,
            S.REVISITED,
            raised_on=long_ago,
            deadline=long_ago + timedelta(days=10),
            closed_on=long_ago + timedelta(days=20),
            title="用地难",
        ),
        "b1_overdue": make_request(
            staff, world.person_b1, S.RECEIVED, raised_on=long_ago, title="招工难"
        ),
        "a2_fresh": make_request(
            staff, world.person_a2, S.RECEIVED, raised_on=today(), title="修缮寺庙"
        ),
    }


def titles(response) -> set[str]:
    return {r.title for r in response.context["page"]}


def test_each_township_lists_only_the_requests_of_its_own_area(requests_world, as_persona):
    assert titles(as_persona("township_a").get(LIST)) == {"贷款难", "用地难", "修缮寺庙"}
    assert titles(as_persona("township_b").get(LIST)) == {"招工难"}
    assert titles(as_persona("unit_contact").get(LIST)) == {"贷款难", "用地难", "招工难"}
    assert titles(as_persona("village_a").get(LIST)) == {"贷款难", "用地难"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"overdue": "1"}, {"贷款难", "招工难"}),
        ({"overdue": "closed_late"}, {"用地难"}),
        ({"overdue": "due_soon"}, set()),
        ({"state": "received"}, {"招工难", "修缮寺庙"}),
        ({"region": "330599101000"}, {"贷款难", "用地难", "修缮寺庙"}),
        ({"q": "贷款"}, {"贷款难"}),
        ({"raised_from": timezone.localdate().isoformat()}, {"修缮寺庙"}),
    ],
)
def test_each_filter_narrows_the_list_and_the_api_alike(
    requests_world, as_persona, params, expected
):
    client = as_persona("county_staff")
    assert titles(client.get(LIST, params)) == expected
    items = client.get(API, params).json()["items"]
    assert {i["title"] for i in items} == expected


def test_counts_per_state_follow_the_other_filters_but_not_the_state(requests_world, as_persona):
    client = as_persona("county_staff")
    counts = {
        c: n for c, _l, n in client.get(LIST, {"state": "received"}).context["results"].counts
    }
    assert counts == {"received": 2, "assigned": 0, "in_progress": 1, "closed": 0, "revisited": 1}
    body = client.get(API, {"overdue": "1"}).json()
    assert body["state_counts"]["received"] == 1 and body["count"] == 2


def test_flags_show_on_the_list_and_in_the_api(requests_world, as_persona):
    client = as_persona("county_staff")
    html = client.get(LIST).content.decode()
    assert 'data-flag="overdue"' in html and 'data-flag="closed_late"' in html
    flags = {i["title"]: i["flag"] for i in client.get(API).json()["items"]}
    assert flags == {
        "贷款难": "overdue",
        "用地难": "closed_late",
        "招工难": "overdue",
        "修缮寺庙": "",
    }


def test_a_bad_filter_is_a_field_error_never_a_500(requests_world, as_persona):
    client = as_persona("county_staff")
    response = client.get(LIST, {"region": "33", "raised_from": "不是日期"})
    assert response.status_code == 200
    assert 'data-testid="filter-error"' in response.content.decode()
    assert client.get(API, {"region": "33"}).status_code == 422


def test_the_list_costs_a_bounded_number_of_queries(
    world, as_persona, django_assert_max_num_queries
):
    staff = world.user("county_staff")
    for n in range(30):
        make_request(staff, [world.person_a1, world.person_b1][n % 2], S.ASSIGNED, title=f"事{n}")
    client = as_persona("county_staff")
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(API).status_code == 200


def test_the_detail_shows_every_step_with_its_comment(requests_world, as_persona):
    request = requests_world["a1_late"]
    response = as_persona("village_a").get(reverse("engagement:request_detail", args=[request.pk]))
    html = response.content.decode()
    for state in ("received", "assigned", "in_progress", "closed", "revisited"):
        assert f"意见：{state}" in html or state == "received"
    assert "受理：用地难" in html
    assert 'data-testid="request-flag"' in html and "逾期办结" in html
    assert 'data-testid="satisfaction"' in html


def test_a_request_of_another_township_is_not_found(requests_world, as_persona):
    url = reverse("engagement:request_detail", args=[requests_world["a1_overdue"].pk])
    assert as_persona("township_b").get(url).status_code == 404
    assert (
        as_persona("township_b").get(f"{API}{requests_world['a1_overdue'].pk}").status_code == 404
    )


def test_the_leader_reads_a_request_but_may_not_advance_it(requests_world, as_persona):
    request = requests_world["a1_overdue"]
    leader = as_persona("leader")
    assert leader.get(reverse("engagement:request_detail", args=[request.pk])).status_code == 200
    assert (
        'data-testid="advance"'
        not in leader.get(reverse("engagement:request_detail", args=[request.pk])).content.decode()
    )
    response = leader.post(reverse("engagement:request_advance", args=[request.pk]), {})
    assert response.status_code == 403


def test_raising_a_request_picks_the_person_by_search_then_saves(world, as_persona):
    client = as_persona("village_a")
    url = reverse("engagement:request_create")
    found = client.get(url, {"q": "张青山"}).content.decode()
    assert f"?person={world.person_a1.pk}" in found
    assert (
        "李白石" not in client.get(url, {"q": "李白石"}).content.decode().split("person-matches")[1]
    )
    response = client.post(
        url,
        {
            "person": world.person_a1.pk,
            "title": "子女入学",
            "category": "education",
            "raised_on": today().isoformat(),
        },
    )
    request = Request.objects.get(title="子女入学")
    assert response.status_code == 302
    assert response["Location"] == reverse("engagement:request_detail", args=[request.pk])
    assert request.state == S.RECEIVED and request.created_by == world.user("village_a")


def test_raising_without_a_title_shows_the_field_error_and_saves_nothing(world, as_persona):
    response = as_persona("township_a").post(
        reverse("engagement:request_create"),
        {
            "person": world.person_a1.pk,
            "title": "",
            "category": "education",
            "raised_on": today().isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not Request.objects.exists()


def test_the_advance_page_takes_the_next_step_only(requests_world, as_persona):
    request = requests_world["b1_overdue"]
    client = as_persona("township_b")
    url = reverse("engagement:request_advance", args=[request.pk])
    form = client.get(url).context["form"]
    assert {"handling_unit", "handler", "deadline", "comment"} <= set(form.fields)
    response = client.post(
        url,
        {
            "to_state": "assigned",
            "handling_unit": "乡劳保所",
            "comment": "",
            "deadline": (today() + timedelta(days=5)).isoformat(),
            "acted_on": today().isoformat(),
            "version": request.version,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["comment"]
    response = client.post(
        url,
        {
            "to_state": "assigned",
            "handling_unit": "乡劳保所",
            "comment": "请劳保所对接",
            "deadline": (today() + timedelta(days=5)).isoformat(),
            "acted_on": today().isoformat(),
            "version": request.version,
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == S.ASSIGNED and request.handling_unit == "乡劳保所"


def test_the_api_refuses_a_skipped_step_naming_both_states(requests_world, as_persona):
    request = requests_world["b1_overdue"]
    response = as_persona("township_b").post(
        f"{API}{request.pk}/advance",
        data=json.dumps(
            {
                "to_state": "closed",
                "comment": "直接办结",
                "result": "好",
                "acted_on": today().isoformat(),
                "version": request.version,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert "受理" in message and "办结" in message


def test_the_api_takes_a_request_from_received_to_revisited(world, as_persona):
    client = as_persona("township_a")
    created = client.post(
        API,
        data=json.dumps(
            {
                "person": world.person_a1.pk,
                "title": "融资",
                "category": "financing",
                "raised_on": today().isoformat(),
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    steps = [
        {
            "to_state": "assigned",
            "handling_unit": "县金融办",
            "deadline": (today() + timedelta(days=9)).isoformat(),
        },
        {"to_state": "in_progress"},
        {"to_state": "closed", "result": "已放贷"},
        {"to_state": "revisited", "satisfaction": "mostly"},
    ]
    for step in steps:
        payload = {
            **step,
            "comment": "办理意见",
            "acted_on": today().isoformat(),
            "version": body["version"],
        }
        response = client.post(
            f"{API}{body['id']}/advance", data=json.dumps(payload), content_type="application/json"
        )
        assert response.status_code == 200, response.json()
        body = response.json()
    assert body["state"] == "revisited" and body["satisfaction"] == "mostly"
    assert [s["to_state"] for s in body["steps"]] == [
        "received",
        "assigned",
        "in_progress",
        "closed",
        "revisited",
    ]


def test_the_api_reports_a_version_conflict(requests_world, as_persona):
    request = requests_world["a2_fresh"]
    response = as_persona("township_a").patch(
        f"{API}{request.pk}",
        data=json.dumps({"version": 99, "title": "新"}),
        content_type="application/json",
    )
    assert response.status_code == 409


def test_the_ledger_holds_the_filtered_requests_masked_and_is_audited(requests_world, as_persona):
    client = as_persona("township_a")
    response = client.get(reverse("engagement:request_export"), {"overdue": "1"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "清溪镇诉求办理台账"
    cells = {str(c) for row in sheet for c in row}
    assert "贷款难" in cells and "用地难" not in cells and "招工难" not in cells
    assert "138****5678" in cells and "13812345678" not in cells
    assert "逾期" in cells
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert json.loads(entry.detail)["rows"] == 1


def test_roles_without_export_cannot_export_the_ledger(requests_world, as_persona):
    for persona in ("leader", "village_a", "unit_contact"):
        assert as_persona(persona).get(reverse("engagement:request_export")).status_code == 404


def test_a_page_posting_a_step_other_than_the_next_shows_why_above_the_form(
    requests_world, as_persona
):
    request = requests_world["b1_overdue"]
    response = as_persona("township_b").post(
        reverse("engagement:request_advance", args=[request.pk]),
        {
            "to_state": "closed",
            "handling_unit": "乡劳保所",
            "deadline": (today() + timedelta(days=5)).isoformat(),
            "comment": "直接办结",
            "acted_on": today().isoformat(),
            "version": request.version,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("受理" in e and "办结" in e for e in errors)
    request.refresh_from_db()
    assert request.state == S.RECEIVED


def test_a_page_saved_by_someone_else_first_reports_the_conflict(requests_world, as_persona):
    request = requests_world["a2_fresh"]
    response = as_persona("township_a").post(
        reverse("engagement:request_edit", args=[request.pk]),
        {
            "title": "新标题",
            "category": "other",
            "deadline": request.deadline.isoformat(),
            "description": "",
            "version": request.version + 1,
        },
    )
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()


def test_the_api_refuses_a_handler_the_user_may_not_name(world, as_persona):
    response = as_persona("township_b").post(
        API,
        data=json.dumps(
            {
                "person": world.person_b1.pk,
                "title": "融资",
                "category": "financing",
                "raised_on": today().isoformat(),
                "handler": world.user("township_a").pk,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "handler"]
    assert not Request.objects.exists()


def test_the_detail_links_to_the_contact_log_it_came_from(world, as_persona):
    from django.urls import NoReverseMatch

    from tongzhan.engagement.choices import ContactMode
    from tongzhan.engagement.models import ContactLog
    from tongzhan.engagement.services.requests import do_create_request

    log = ContactLog.objects.create(
        happened_on=today(), mode=ContactMode.VISIT, summary="走访", region_id=VILLAGE_A1
    )
    log.persons.add(world.person_a1)
    request = do_create_request(
        world.user("township_a"),
        person=world.person_a1,
        title="融资",
        category="financing",
        raised_on=today(),
        contact_log=log,
    )
    html = (
        as_persona("township_a")
        .get(reverse("engagement:request_detail", args=[request.pk]))
        .content.decode()
    )
    try:
        url = reverse("engagement:contact_detail", args=[log.pk])
    except NoReverseMatch:
        url = None
    if url:
        assert f'href="{url}"' in html
    else:
        assert f"#{log.pk}" in html


def test_the_api_exports_the_same_ledger_for_its_filter(requests_world, as_persona):
    response = as_persona("county_staff").get(f"{API}export.xlsx", {"region": "330599201000"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "白石乡诉求办理台账"
    cells = {str(c) for row in sheet for c in row}
    assert "招工难" in cells and "贷款难" not in cells
    detail = json.loads(AuditEntry.objects.get(action=AuditAction.EXPORT).detail)
    assert detail["filters"] == {"region": "330599201000"} and detail["rows"] == 1
