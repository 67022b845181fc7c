"""Contact log pages and phone pages: what each persona may see and do, the 补录 badge,
the list's filters and query bound, the person picker, the edit history."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tongzhan.engagement import attachments
from tongzhan.engagement.due import add_months
from tongzhan.engagement.models import Attachment, ContactLog, Pairing
from tongzhan.engagement.services import contacts as services
from tongzhan.testing import VILLAGE_A1, make_person

from .contact_factory import days_ago, log_for, png_upload

pytestmark = pytest.mark.django_db


def form(person, **extra):
    return {
        "persons": [person.pk],
        "happened_on": timezone.localdate().isoformat(),
        "mode": "visit",
        "summary": "走访企业",
        **extra,
    }


# --- scope ------------------------------------------------------------------------------------


def test_a_township_member_cannot_see_another_townships_person_or_log(world, as_persona):
    log = log_for(world.user("township_a"), [world.person_a1])
    client = as_persona("township_b")
    create = reverse("engagement:contact_create")
    assert client.get(create, {"person": world.person_a1.pk}).status_code == 404
    assert client.post(create, form(world.person_a1)).status_code == 404
    assert client.get(reverse("engagement:contact_detail", args=[log.pk])).status_code == 404
    assert (
        client.get(reverse("engagement:mobile_log"), {"person": world.person_a1.pk}).status_code
        == 404
    )
    response = client.get(reverse("engagement:contact_list"))
    assert response.status_code == 200 and "张青山" not in response.content.decode()
    assert ContactLog.objects.count() == 1


def test_a_village_liaison_logs_for_its_village_but_not_another(world, as_persona):
    client = as_persona("village_a")
    create = reverse("engagement:contact_create")
    response = client.post(create, form(world.person_a1))
    log = ContactLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("engagement:contact_detail", args=[log.pk])
    assert client.post(create, form(world.person_b1)).status_code == 404
    assert ContactLog.objects.count() == 1


def test_the_create_page_preselects_the_person_given(world, as_persona):
    url = reverse("engagement:contact_create") + f"?person={world.person_a1.pk}"
    page = as_persona("township_a").get(url).content.decode()
    assert f'name="persons" value="{world.person_a1.pk}"' in page and "张青山" in page


def test_a_contact_in_the_future_answers_with_a_field_error(world, as_persona):
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = as_persona("township_a").post(
        reverse("engagement:contact_create"), form(world.person_a1, happened_on=tomorrow)
    )
    assert response.status_code == 200
    assert "联系日期不能晚于今天" in response.content.decode()
    assert not ContactLog.objects.exists()


def test_requests_raised_on_the_create_page_are_created_with_the_log(world, as_persona):
    data = form(world.person_a1, request_title_0="厂房用地", request_category_0="land")
    response = as_persona("township_a").post(reverse("engagement:contact_create"), data)
    log = ContactLog.objects.get()
    assert response.status_code == 302
    assert [r.title for r in log.requests.all()] == ["厂房用地"]
    detail = as_persona("township_a").get(reverse("engagement:contact_detail", args=[log.pk]))
    assert "厂房用地" in detail.content.decode()


# --- the list and the 补录 badge ------------------------------------------------------------------


def test_the_late_badge_shows_on_the_list_and_the_detail(world, as_persona):
    late = log_for(world.user("township_a"), [world.person_a1], on=days_ago(30))
    log_for(world.user("township_a"), [world.person_a1], on=days_ago(1))
    client = as_persona("township_a")
    page = client.get(reverse("engagement:contact_list")).content.decode()
    assert page.count('data-testid="late-badge"') == 1
    detail = client.get(reverse("engagement:contact_detail", args=[late.pk])).content.decode()
    assert 'data-testid="late-badge"' in detail


def test_the_list_filters_by_late_mode_person_and_date(world, as_persona):
    user = world.user("county_staff")
    log_for(user, [world.person_a1], on=days_ago(30))
    log_for(user, [world.person_b1], on=days_ago(2), mode="phone")
    client = as_persona("county_staff")
    url = reverse("engagement:contact_list")

    def rows(**params):
        return client.get(url, params).content.decode().count('data-testid="contact-row"')

    assert rows() == 2
    assert rows(late="on") == 1
    assert rows(mode="phone") == 1
    assert rows(person=world.person_a1.pk) == 1
    assert rows(date_from=days_ago(5).isoformat()) == 1
    assert rows(region=VILLAGE_A1) == 1
    assert rows(cadre=user.pk) == 2
    assert rows(cadre=world.user("township_a").pk) == 0


def test_a_bad_filter_answers_with_its_error_not_a_500(world, as_persona):
    response = as_persona("county_staff").get(
        reverse("engagement:contact_list"), {"region": "12", "date_from": "昨天"}
    )
    assert response.status_code == 200
    assert 'data-testid="filter-error"' in response.content.decode()


def test_the_list_costs_the_same_queries_for_one_log_or_many(
    world, as_persona, django_assert_max_num_queries
):
    user = world.user("county_staff")
    for n in range(12):
        log_for(user, [world.person_a1, world.person_b1], on=days_ago(n))
    client = as_persona("county_staff")
    url = reverse("engagement:contact_list")
    client.get(url)  # session, settings and the like warmed up
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.content.decode().count('data-testid="contact-row"') == 12


def test_a_person_out_of_the_viewers_scope_is_counted_not_named(world, as_persona):
    log = log_for(world.user("county_staff"), [world.person_a1, world.person_b1])
    page = as_persona("township_a").get(reverse("engagement:contact_detail", args=[log.pk]))
    text = page.content.decode()
    assert "张青山" in text and "李白石" not in text and "另有 1 人" in text


# --- edit, delete, history ----------------------------------------------------------------------


def test_an_edit_on_the_page_shows_in_the_history(world, as_persona):
    log = log_for(world.user("township_a"), [world.person_a1], summary="原来的内容")
    client = as_persona("township_a")
    url = reverse("engagement:contact_edit", args=[log.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form(world.person_a1, summary="新的内容", version=1))
    assert response.status_code == 302
    detail = client.get(reverse("engagement:contact_detail", args=[log.pk])).content.decode()
    assert "新的内容" in detail and "原来的内容" in detail and 'data-testid="revision"' in detail


def test_an_edit_from_a_stale_page_is_refused(world, as_persona):
    log = log_for(world.user("township_a"), [world.person_a1])
    client = as_persona("township_a")
    url = reverse("engagement:contact_edit", args=[log.pk])
    client.post(url, form(world.person_a1, summary="一", version=1))
    response = client.post(url, form(world.person_a1, summary="二", version=1))
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    assert ContactLog.objects.get().summary == "一"


def test_a_leader_reads_a_log_but_cannot_edit_or_delete_it(world, as_persona):
    log = log_for(world.user("township_a"), [world.person_a1])
    client = as_persona("leader")
    assert client.get(reverse("engagement:contact_detail", args=[log.pk])).status_code == 200
    assert client.get(reverse("engagement:contact_edit", args=[log.pk])).status_code == 403
    assert client.post(reverse("engagement:contact_delete", args=[log.pk])).status_code == 403
    assert client.get(reverse("engagement:contact_create")).status_code == 404


# --- the person picker -----------------------------------------------------------------------------


def test_the_picker_finds_a_person_by_initials_within_scope_only(world, as_persona):
    url = reverse("engagement:person_picker")
    found = as_persona("village_a").get(url, {"q": "zqs"}).content.decode()
    assert "张青山" in found
    assert "张青山" not in as_persona("township_b").get(url, {"q": "zqs"}).content.decode()


def test_the_picker_finds_by_full_pinyin_and_leaves_out_persons_who_left(world, as_persona):
    make_person("张三", VILLAGE_A1, ["06"], status="withdrawn")
    url = reverse("engagement:person_picker")
    client = as_persona("village_a")
    assert "张青山" in client.get(url, {"q": "zhangqing"}).content.decode()
    assert "张三" not in client.get(url, {"q": "zs"}).content.decode()


# --- phone pages ----------------------------------------------------------------------------------


def test_the_phone_home_shows_my_friends_due_within_two_weeks(world, as_persona):
    today = timezone.localdate()
    Pairing.objects.create(
        cadre=world.user("township_a"),
        person=world.person_a1,
        start_date=add_months(today, -3),
        next_due_on=today,
    )
    Pairing.objects.create(
        cadre=world.user("township_a"),
        person=world.person_a2,
        start_date=today,
        next_due_on=add_months(today, 3),
    )
    page = as_persona("township_a").get(reverse("engagement:mobile_home")).content.decode()
    assert page.count('data-testid="m-due-item"') == 1 and "张青山" in page
    assert f"?person={world.person_a1.pk}" in page


def test_the_quick_form_saves_a_visit_with_a_photo(world, as_persona):
    client = as_persona("village_a")
    data = form(world.person_a1, photo=png_upload(size=(2400, 1800)))
    response = client.post(reverse("engagement:mobile_log"), data)
    log = ContactLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("engagement:mobile_saved", args=[log.pk])
    photo = Attachment.objects.get(log=log)
    assert photo.is_image
    saved = client.get(response["Location"]).content.decode()
    assert reverse("engagement:attachment_file", args=[photo.pk]) in saved


def test_the_quick_form_refuses_a_file_that_is_not_a_photo(world, as_persona):
    from .contact_factory import upload

    data = form(world.person_a1, photo=upload("photo.jpg", b"MZ" + b"\0" * 64))
    response = as_persona("village_a").post(reverse("engagement:mobile_log"), data)
    assert response.status_code == 200
    assert 'data-testid="file-error"' in response.content.decode()
    assert not ContactLog.objects.exists()


def test_a_failed_save_leaves_no_photo_file_behind(world, settings):
    from pathlib import Path

    folder = Path(settings.MEDIA_ROOT) / "contact"
    before = set(folder.iterdir()) if folder.exists() else set()
    data = services.LogData(
        happened_on=days_ago(1), mode="visit", summary="x", persons=[world.person_a1.pk]
    )
    bad = [{"person": world.person_a1.pk, "title": "t", "category": "nope"}]
    with pytest.raises(services.ContactError):
        services.do_create_log(
            world.user("township_a"),
            data,
            requests=bad,
            uploads=[attachments.prepare(png_upload())],
        )
    after = set(folder.iterdir()) if folder.exists() else set()
    assert after == before


def test_the_history_does_not_name_a_person_the_viewer_cannot_see(world, as_persona):
    staff = world.user("county_staff")
    log = log_for(staff, [world.person_a1, world.person_b1], summary="两镇企业座谈")
    data = services.LogData(
        happened_on=log.happened_on, mode="forum", summary="改", persons=[world.person_a1.pk]
    )
    services.do_update_log(staff, log, data, expected_version=1)
    page = as_persona("township_a").get(reverse("engagement:contact_detail", args=[log.pk]))
    text = page.content.decode()
    assert "两镇企业座谈" in text and "李白石" not in text and "另有 1 人" in text
    api = as_persona("township_a").get(f"/api/v1/engagement/contacts/{log.pk}").json()
    assert [p["name"] for p in api["revisions"][0]["data"]["persons"]] == ["张青山"]
    assert api["revisions"][0]["hidden_persons"] == 1


def test_the_edit_page_does_not_name_a_hidden_person_and_saving_keeps_it(world, as_persona):
    log = log_for(world.user("county_staff"), [world.person_a1, world.person_b1])
    client = as_persona("township_a")
    url = reverse("engagement:contact_edit", args=[log.pk])
    page = client.get(url).content.decode()
    assert "李白石" not in page and "另有 1 位联系对象" in page
    response = client.post(url, form(world.person_a1, summary="补充", version=1))
    assert response.status_code == 302
    assert set(ContactLog.objects.get().persons.all()) == {world.person_a1, world.person_b1}


def test_filtering_on_a_person_the_viewer_cannot_see_finds_nothing(world, as_persona):
    log_for(world.user("county_staff"), [world.person_a1, world.person_b1])
    url = reverse("engagement:contact_list")
    client = as_persona("township_a")
    assert (
        client.get(url, {"person": world.person_a1.pk})
        .content.decode()
        .count('data-testid="contact-row"')
        == 1
    )
    assert (
        client.get(url, {"person": world.person_b1.pk})
        .content.decode()
        .count('data-testid="contact-row"')
        == 0
    )


def test_the_phone_home_lists_my_open_requests_with_links(world, as_persona):
    from tongzhan.engagement.services.requests import do_create_request

    request = do_create_request(
        world.user("village_a"),
        person=world.person_a1,
        title="路灯不亮",
        category="infrastructure",
        raised_on=days_ago(2),
    )
    do_create_request(
        world.user("township_a"),
        person=world.person_a1,
        title="别人登记的",
        category="other",
        raised_on=days_ago(2),
    )
    page = as_persona("village_a").get(reverse("engagement:mobile_home")).content.decode()
    assert "路灯不亮" in page and "别人登记的" not in page
    assert reverse("engagement:request_detail", args=[request.pk]) in page
