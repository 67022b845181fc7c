"""The contacts API: the same rules as the pages, answered as JSON."""

from datetime import datetime

import pytest
from django.utils import timezone

from tongzhan.api.urls import api
from tongzhan.engagement.models import ContactLog

from .contact_factory import days_ago, log_for, png_upload

pytestmark = pytest.mark.django_db
API = "/api/v1/engagement/contacts/"


def body(person, **extra):
    return {
        "persons": [person.pk],
        "happened_on": timezone.localdate().isoformat(),
        "mode": "wechat",
        "summary": "微信沟通",
        **extra,
    }


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_contact_created_over_the_api_comes_back_with_its_entry_time(world, as_persona):
    response = post_json(
        as_persona("village_a"), API, body(world.person_a1, happened_on=days_ago(9).isoformat())
    )
    assert response.status_code == 201
    data = response.json()
    assert data["is_late"] is True and data["happened_on"] == days_ago(9).isoformat()
    assert data["persons"] == [
        {
            "id": world.person_a1.pk,
            "name": "张青山",
            "region": world.person_a1.region_id,
            "region_name": "青山村",
        }
    ]
    # An instant with its offset (UTC): its date is the local one only once converted
    # (from 16:00 UTC on, Asia/Shanghai is already on the next day).
    entered = timezone.localtime(datetime.fromisoformat(data["entered_at"]))
    assert entered.date() == timezone.localdate()


def test_another_townships_person_answers_404_over_the_api(world, as_persona):
    client = as_persona("township_b")
    assert post_json(client, API, body(world.person_a1)).status_code == 404
    log = log_for(world.user("township_a"), [world.person_a1])
    assert client.get(f"{API}{log.pk}").status_code == 404
    assert client.get(API, {"person": world.person_a1.pk}).json()["count"] == 0
    assert client.get(f"{API}person-picker", {"q": "zqs"}).json() == []
    assert ContactLog.objects.count() == 1


def test_a_future_date_answers_422_with_the_field(world, as_persona):
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = post_json(as_persona("township_a"), API, body(world.person_a1, happened_on=tomorrow))
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "happened_on"], "msg": "联系日期不能晚于今天。"}
    ]


def test_an_update_keeps_history_and_a_stale_version_answers_409(world, as_persona):
    client = as_persona("township_a")
    log = log_for(world.user("township_a"), [world.person_a1], summary="旧")
    url = f"{API}{log.pk}"
    update = body(world.person_a1, summary="新", version=1)
    response = client.put(url, update, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 2 and data["revisions"][0]["data"]["summary"] == "旧"
    assert client.put(url, update, content_type="application/json").status_code == 409


def test_requests_raised_come_back_with_the_log(world, as_persona):
    line = {"person": world.person_a1.pk, "title": "融资难", "category": "financing"}
    response = post_json(as_persona("township_a"), API, body(world.person_a1, requests=[line]))
    assert response.status_code == 201
    assert [r["title"] for r in response.json()["requests"]] == ["融资难"]


def test_an_uploaded_photo_is_listed_and_downloaded(world, as_persona):
    client = as_persona("township_a")
    log = log_for(world.user("township_a"), [world.person_a1])
    response = client.post(f"{API}{log.pk}/attachments", {"file": png_upload()})
    assert response.status_code == 201
    listed = client.get(f"{API}{log.pk}/attachments").json()
    assert [a["original_name"] for a in listed] == ["photo.png"]
    download = client.get(listed[0]["url"])
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_list_filters_late_logs(world, as_persona):
    log_for(world.user("township_a"), [world.person_a1], on=days_ago(20))
    log_for(world.user("township_a"), [world.person_a1], on=days_ago(1))
    client = as_persona("township_a")
    assert client.get(API).json()["count"] == 2
    assert client.get(API, {"late": "true"}).json()["count"] == 1
    assert client.get(API, {"region": "9"}).status_code == 422


def test_every_contacts_operation_is_in_the_openapi_document():
    paths = api.get_openapi_schema()["paths"]
    for path in (
        "/api/v1/engagement/contacts/",
        "/api/v1/engagement/contacts/{log_id}",
        "/api/v1/engagement/contacts/{log_id}/attachments",
        "/api/v1/engagement/contacts/attachments/{attachment_id}",
        "/api/v1/engagement/contacts/person-picker",
    ):
        assert path in paths
