"""Contact intervals and due dates: month arithmetic across month and year ends, the
on-time rule, per-category defaults, overrides, and settings changes moving due dates."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongzhan.core.choices import Category
from tongzhan.engagement import due
from tongzhan.engagement.models import EngagementSettings, Pairing
from tongzhan.engagement.pairing_queries import DUE_SOON, ON_SCHEDULE, OVERDUE, state_of
from tongzhan.engagement.services.due import effective_interval, recompute
from tongzhan.engagement.services.settings import do_update_settings, recompute_open_pairings

from .pairing_factory import contact, pair


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 10, 31), 3, date(2027, 1, 31)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 2, 28), 12, date(2027, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(start, months, expected):
    assert due.add_months(start, months) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 24))
def test_add_months_moves_exactly_that_many_calendar_months_never_past_the_day(day, months):
    moved = due.add_months(day, months)
    assert (moved.year - day.year) * 12 + moved.month - day.month == months
    assert moved.day <= day.day
    assert moved.day == day.day or (moved + timedelta(days=1)).day == 1  # clamped: month end


def test_contact_on_the_due_day_is_on_time_and_the_next_day_is_overdue():
    due_on = date(2027, 2, 28)
    assert not due.is_overdue(due_on, date(2027, 2, 28))
    assert due.is_overdue(due_on, date(2027, 3, 1))
    assert not due.is_overdue(due_on, date(2027, 2, 27))


def test_the_next_due_date_counts_from_the_last_contact_else_from_the_start():
    assert due.next_due(date(2026, 11, 30), None, 3) == date(2027, 2, 28)
    assert due.next_due(date(2026, 11, 30), date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_the_page_state_is_overdue_only_from_the_day_after_the_due_date():
    pairing = Pairing(start_date=date(2026, 1, 1), next_due_on=date(2026, 12, 31))
    assert state_of(pairing, date(2026, 12, 31)) == DUE_SOON
    assert state_of(pairing, date(2027, 1, 1)) == OVERDUE
    assert state_of(pairing, date(2026, 12, 17)) == DUE_SOON  # 14 days ahead
    assert state_of(pairing, date(2026, 12, 16)) == ON_SCHEDULE


def test_the_shortest_category_interval_wins_and_unlisted_categories_use_the_default():
    settings = EngagementSettings(
        default_interval_months=6,
        category_interval_months={Category.RELIGIOUS: 2, Category.NON_PUBLIC_ECONOMY: 4},
    )
    assert settings.interval_for([Category.NON_PUBLIC_ECONOMY, Category.RELIGIOUS]) == 2
    assert settings.interval_for([Category.NON_PUBLIC_ECONOMY]) == 4
    assert settings.interval_for([Category.INTELLECTUAL]) == 6
    assert settings.interval_for([]) == 6


def test_a_pairing_without_contacts_is_due_one_interval_after_it_started(world):
    pairing = pair(world, start=date(2025, 11, 30))  # 非公经济: the default quarter
    assert pairing.last_contact_on is None
    assert pairing.next_due_on == date(2026, 2, 28)


def test_a_pairings_own_interval_overrides_the_county_default(world):
    settings = EngagementSettings.current()
    settings.category_interval_months = {Category.NON_PUBLIC_ECONOMY: 2}
    settings.save()
    pairing = pair(world, start=date(2026, 1, 31), interval_months=1)
    assert effective_interval(pairing, settings) == 1
    assert pairing.next_due_on == date(2026, 2, 28)
    pairing.interval_months = None
    recompute(pairing, settings)
    assert pairing.next_due_on == date(2026, 3, 31)


def test_only_a_contact_with_the_paired_cadre_present_after_the_start_counts(world):
    pairing = pair(world, start=date(2026, 3, 1))
    person, cadre = pairing.person, world.user("township_a")
    contact(person, [world.user("village_a")], date(2026, 4, 10))  # another cadre
    contact(person, [cadre], date(2026, 2, 20))  # before the pairing
    pairing.refresh_from_db()
    assert pairing.last_contact_on is None and pairing.next_due_on == date(2026, 6, 1)
    contact(person, [cadre, world.user("village_a")], date(2026, 5, 31))
    pairing.refresh_from_db()
    assert pairing.last_contact_on == date(2026, 5, 31)
    assert pairing.next_due_on == date(2026, 8, 31)


def test_changing_a_category_interval_moves_due_dates_of_open_default_pairings_only(world):
    settings = EngagementSettings.current()
    default = pair(world, start=date(2026, 1, 31))
    own = pair(world, cadre="county_staff", start=date(2026, 1, 31), interval_months=6)
    ended = pair(world, cadre="unit_contact", start=date(2026, 1, 31))
    Pairing.objects.filter(pk=ended.pk).update(end_date=date(2026, 2, 1))
    saved, moved = do_update_settings(
        world.user("county_staff"),
        {"category_interval_months": {Category.NON_PUBLIC_ECONOMY: 1}},
        settings.version,
    )
    assert moved == 1 and saved.version == settings.version + 1
    values = dict(Pairing.objects.values_list("pk", "next_due_on"))
    assert values[default.pk] == date(2026, 2, 28)
    assert values[own.pk] == date(2026, 7, 31)
    assert values[ended.pk] == date(2026, 4, 30)  # unchanged: ended pairings stay put


def test_a_person_in_two_categories_is_due_at_the_shorter_after_a_settings_change(world):
    pairing = pair(world, start=date(2026, 1, 15))
    pairing.person.set_categories([*pairing.person.category_codes(), Category.RELIGIOUS])
    settings = EngagementSettings.current()
    settings.category_interval_months = {Category.RELIGIOUS: 2, Category.NON_PUBLIC_ECONOMY: 5}
    settings.save()
    assert recompute_open_pairings(settings) == 1
    pairing.refresh_from_db()
    assert pairing.next_due_on == date(2026, 3, 15)


def test_recomputing_many_pairings_is_a_few_queries(world, django_assert_max_num_queries):
    from tongzhan.testing import VILLAGE_A1, make_person

    for i in range(30):
        person = make_person(f"代表{i}", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY])
        pair(world, person=person, start=date(2026, 1, 31))
    settings = EngagementSettings.current()
    settings.default_interval_months = 1
    with django_assert_max_num_queries(4):
        assert recompute_open_pairings(settings) == 30
    assert set(Pairing.objects.values_list("next_due_on", flat=True)) == {date(2026, 2, 28)}
