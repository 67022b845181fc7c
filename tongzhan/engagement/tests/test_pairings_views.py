"""联谊交友 pages: my friends with overdue flags, the unit page's filters and counts, the
forms' field errors, the settings, the ledger, and the block on a person's page."""

import io
import re
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category
from tongzhan.engagement.models import EngagementSettings, Pairing
from tongzhan.testing import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, make_person

from .pairing_factory import contact, pair, represent

TODAY = timezone.localdate


def page_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def rows_of(html: str) -> dict[str, str]:
    """{pairing id: its row's html} of a pairings table."""
    return dict(re.findall(r'data-pairing="(\d+)">(.*?)</tr>', html, re.S))


def overdue_and_due_soon(world):
    """Township A's member: one friend overdue (never contacted), one due in a week."""
    overdue = pair(world, start=TODAY() - timedelta(days=200))
    other = represent(make_person("周代表", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY]))
    # A month after 20 days ago: due in 8 to 11 days.
    soon = pair(world, person=other, start=TODAY() - timedelta(days=20), interval_months=1)
    return overdue, soon


def test_my_friends_flags_the_overdue_in_red_and_the_due_soon(world, as_persona):
    overdue, soon = overdue_and_due_soon(world)
    pair(world, cadre="county_staff", person=world.person_a1)  # someone else's friend
    rows = rows_of(page_of(as_persona("township_a").get(reverse("engagement:pairing_mine"))))
    assert set(rows) == {str(overdue.pk), str(soon.pk)}
    assert 'data-state="overdue"' in rows[str(overdue.pk)] and "未联系" in rows[str(overdue.pk)]
    assert 'data-state="due_soon"' in rows[str(soon.pk)]
    assert f"?person={overdue.person_id}" in rows[str(overdue.pk)]  # log a contact


def test_my_friends_shows_the_last_contact_and_leaves_out_ended_pairings(world, as_persona):
    pairing = pair(world, start=date(2026, 1, 1))
    contact(pairing.person, [pairing.cadre], date(2026, 2, 3))
    ended = pair(world, person=world.person_b1, cadre="county_staff")
    Pairing.objects.filter(pk=ended.pk).update(end_date=TODAY())
    html = page_of(as_persona("township_a").get(reverse("engagement:pairing_mine")))
    assert "2026-02-03" in html and "2026-05-03" in html
    html = page_of(as_persona("county_staff").get(reverse("engagement:pairing_mine")))
    assert "李白石" not in html


def test_the_unit_page_shows_only_the_personas_scope(world, as_persona):
    a1 = pair(world)
    b1 = pair(world, cadre="township_b", person=world.person_b1)
    url = reverse("engagement:pairing_list")
    assert set(rows_of(page_of(as_persona("township_a").get(url)))) == {str(a1.pk)}
    assert set(rows_of(page_of(as_persona("township_b").get(url)))) == {str(b1.pk)}
    assert set(rows_of(page_of(as_persona("county_staff").get(url)))) == {str(a1.pk), str(b1.pk)}


def test_the_unit_page_filters_by_cadre_region_overdue_and_ended(world, as_persona):
    overdue, soon = overdue_and_due_soon(world)
    b1 = pair(world, cadre="township_b", person=world.person_b1)
    ended = pair(world, cadre="county_staff", start=date(2026, 1, 1))
    Pairing.objects.filter(pk=ended.pk).update(end_date=date(2026, 2, 1))
    client, url = as_persona("county_staff"), reverse("engagement:pairing_list")

    def shown(**params):
        return set(rows_of(page_of(client.get(url, params))))

    assert shown() == {str(overdue.pk), str(soon.pk), str(b1.pk)}
    assert shown(cadre=world.user("township_b").pk) == {str(b1.pk)}
    assert shown(region=VILLAGE_B1) == {str(b1.pk)}
    assert shown(region=TOWNSHIP_A, overdue="on") == {str(overdue.pk)}
    assert shown(overdue="1") == {str(overdue.pk)}  # the home page's link
    assert shown(status="ended") == {str(ended.pk)}


def test_the_unit_page_counts_total_overdue_and_never_contacted(world, as_persona):
    overdue, soon = overdue_and_due_soon(world)
    contact(soon.person, [soon.cadre], TODAY())
    html = page_of(as_persona("township_a").get(reverse("engagement:pairing_list")))
    counts = re.search(r'data-testid="pairing-counts">(.*?)</div>', html, re.S).group(1)
    assert "结对 2" in counts and "逾期 1" in counts and "从未联系 1" in counts


def test_a_bad_region_filter_is_a_field_error_not_a_500(as_persona):
    html = page_of(
        as_persona("county_staff").get(reverse("engagement:pairing_list"), {"region": "1x"})
    )
    assert "区域代码应为 12 位统计用区划代码" in html


def test_the_unit_page_runs_a_bounded_number_of_queries(
    world, as_persona, django_assert_max_num_queries
):
    for i in range(60):
        person = make_person(f"代表{i}", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY])
        pair(world, person=person, start=date(2026, 1, 1))
    client = as_persona("county_staff")
    with django_assert_max_num_queries(16):
        html = page_of(client.get(reverse("engagement:pairing_list")))
    assert len(rows_of(html)) == 50 and "共 60 条" in html


def test_creating_a_pairing_on_the_page_leads_to_it(world, as_persona):
    person = represent(world.person_a1)
    response = as_persona("township_a").post(
        reverse("engagement:pairing_create"),
        {"cadre": world.user("village_a").pk, "person": person.pk, "start_date": "2026-01-31"},
    )
    pairing = Pairing.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/pairings/{pairing.pk}/")
    assert pairing.cadre == world.user("village_a") and pairing.next_due_on == date(2026, 4, 30)


def test_the_person_picker_holds_only_representatives_in_scope(world, as_persona):
    represent(world.person_a1)
    represent(world.person_b1)
    html = page_of(as_persona("township_a").get(reverse("engagement:pairing_create")))
    assert "张青山" in html and "李白石" not in html and "释明心" not in html
    assert f'value="{TODAY().isoformat()}"' in html  # the date input starts at today


def test_a_cadre_who_cannot_see_the_person_gets_a_field_error(world, as_persona):
    person = represent(world.person_a1)
    html = page_of(
        as_persona("county_staff").post(
            reverse("engagement:pairing_create"),
            {"cadre": world.user("township_b").pk, "person": person.pk, "start_date": "2026-01-01"},
        )
    )
    assert "所选干部的工作范围不包括该交友对象" in html and not Pairing.objects.exists()


def test_a_second_open_pairing_is_refused_with_a_message(world, as_persona):
    first = pair(world)
    html = page_of(
        as_persona("county_staff").post(
            reverse("engagement:pairing_create"),
            {"cadre": first.cadre_id, "person": first.person_id, "start_date": "2026-01-01"},
        )
    )
    assert "已有未结束的结对" in html and Pairing.objects.count() == 1


def test_a_township_member_cannot_open_the_form_for_another_townships_person(world, as_persona):
    person = represent(world.person_b1)
    url = reverse("engagement:pairing_create") + f"?person={person.pk}"
    assert as_persona("township_a").get(url).status_code == 404
    assert as_persona("township_b").get(url).status_code == 200


def test_another_townships_pairing_is_404_and_read_only_personas_get_403(world, as_persona):
    pairing = pair(world, cadre="township_b", person=world.person_b1)
    assert (
        as_persona("township_a")
        .get(reverse("engagement:pairing_detail", args=[pairing.pk]))
        .status_code
        == 404
    )
    edit = reverse("engagement:pairing_edit", args=[pairing.pk])
    assert as_persona("leader").get(edit).status_code == 403


def test_an_edit_with_a_stale_version_says_so_and_keeps_the_other_edit(world, as_persona):
    pairing = pair(world)
    Pairing.objects.filter(pk=pairing.pk).update(version=2, notes="他人修改")
    html = page_of(
        as_persona("township_a").post(
            reverse("engagement:pairing_edit", args=[pairing.pk]),
            {"start_date": "2026-01-01", "interval_months": "2", "notes": "我的修改", "version": 1},
        )
    )
    assert "已被他人修改" in html and Pairing.objects.get().notes == "他人修改"


def test_an_interval_out_of_range_is_a_field_error(world, as_persona):
    pairing = pair(world)
    html = page_of(
        as_persona("township_a").post(
            reverse("engagement:pairing_edit", args=[pairing.pk]),
            {"start_date": "2026-01-01", "interval_months": "30", "version": 1},
        )
    )
    assert "invalid-feedback" in html and Pairing.objects.get().interval_months is None


def test_ending_a_pairing_on_the_page_keeps_it_as_ended(world, as_persona):
    pairing = pair(world, start=date(2026, 1, 1))
    client = as_persona("township_a")
    html = page_of(
        client.post(
            reverse("engagement:pairing_end", args=[pairing.pk]),
            {"end_date": "2026-02-01", "reason": "", "version": 1},
        )
    )
    assert "invalid-feedback" in html
    response = client.post(
        reverse("engagement:pairing_end", args=[pairing.pk]),
        {"end_date": "2026-02-01", "reason": "干部调离", "version": 1},
    )
    assert response.status_code == 302
    assert Pairing.objects.get().end_date == date(2026, 2, 1)


def test_deleting_a_pairing_with_contacts_is_refused_on_the_page(world, as_persona):
    pairing = pair(world, start=date(2026, 1, 1))
    contact(pairing.person, [pairing.cadre], date(2026, 1, 9))
    html = page_of(
        as_persona("township_a").post(reverse("engagement:pairing_delete", args=[pairing.pk]))
    )
    assert "请改为结束结对" in html and Pairing.objects.exists()


def test_the_detail_page_lists_the_contacts_with_the_paired_cadre(world, as_persona):
    pairing = pair(world, start=date(2026, 1, 1))
    contact(pairing.person, [pairing.cadre], date(2026, 1, 9))
    contact(pairing.person, [world.user("county_staff")], date(2026, 1, 10))
    html = page_of(
        as_persona("township_a").get(reverse("engagement:pairing_detail", args=[pairing.pk]))
    )
    section = html[html.index('data-testid="pairing-contacts"') :]
    assert "2026-01-09" in section and "2026-01-10" not in section


def test_county_staff_change_the_settings_and_due_dates_follow(world, as_persona):
    pairing = pair(world, start=date(2026, 1, 31))
    client = as_persona("county_staff")
    response = client.post(
        reverse("engagement:pairing_settings_edit"),
        {
            "late_entry_days": 7,
            "default_interval_months": 3,
            "request_deadline_days": 30,
            "category_06": 1,
            "version": 1,
        },
    )
    assert response.status_code == 302
    assert Pairing.objects.get(pk=pairing.pk).next_due_on == date(2026, 2, 28)
    html = page_of(client.get(reverse("engagement:pairing_settings")))
    assert "1 个结对" in html
    assert EngagementSettings.current().category_interval_months == {"06": 1}


def test_bad_settings_get_field_errors_and_change_nothing(world, as_persona):
    html = page_of(
        as_persona("county_staff").post(
            reverse("engagement:pairing_settings_edit"),
            {
                "late_entry_days": -2,
                "default_interval_months": 0,
                "request_deadline_days": 30,
                "category_05": 99,
                "version": 1,
            },
        )
    )
    assert html.count("invalid-feedback") == 3
    assert EngagementSettings.current().version == 1


def test_the_ledger_holds_the_filtered_pairings_masked_with_an_audit_row(world, as_persona):
    overdue, soon = overdue_and_due_soon(world)
    pair(world, cadre="township_b", person=world.person_b1)
    response = as_persona("township_a").get(reverse("engagement:pairing_export"), {"overdue": "on"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    assert rows[0][0] == "清溪镇联谊交友台账"
    data = [r for r in rows[4:] if isinstance(r[0], float)]
    assert [r[3] for r in data] == ["张青山"] and "逾期" in data[0]
    assert "138****5678" in data[0]  # masked, never the full number
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="engagement.pairing")
    assert '"rows":1' in entry.detail


def test_roles_without_the_export_permission_get_404_for_the_ledger(as_persona):
    for persona in ("unit_contact", "village_a", "leader"):
        assert as_persona(persona).get(reverse("engagement:pairing_export")).status_code == 404


def test_the_person_page_loads_its_pairings_block(world, as_persona):
    pairing = pair(world)
    client = as_persona("township_a")
    detail = page_of(client.get(reverse("people:detail", args=[pairing.person_id])))
    block_url = reverse("engagement:person_pairings", args=[pairing.person_id])
    assert f'hx-get="{block_url}"' in detail
    block = page_of(client.get(block_url))
    assert "township_a" in block and 'data-testid="pair-person"' in block
    assert 'data-testid="pair-person"' not in page_of(as_persona("village_a").get(block_url))


def test_my_friends_runs_a_bounded_number_of_queries(
    world, as_persona, django_assert_max_num_queries
):
    for i in range(30):
        person = make_person(f"代表{i}", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY])
        pair(world, person=person, start=date(2026, 1, 1))
    client = as_persona("township_a")
    with django_assert_max_num_queries(12):
        html = page_of(client.get(reverse("engagement:pairing_mine")))
    assert len(rows_of(html)) == 30
