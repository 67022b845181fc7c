"""Overdue flags: 逾期 from the day after the deadline, 逾期办结 when closed after it,
即将到期 within three days — the same answer from the query and from one loaded request."""

from datetime import date, timedelta

import pytest

from tongzhan.engagement import requests_query as rq
from tongzhan.engagement.choices import RequestState
from tongzhan.engagement.models import Request

from .request_factory import make_request

S = RequestState
DEADLINE = date(2026, 3, 31)


def flags_by_query(today) -> dict[int, str]:
    return dict(rq.with_flags(Request.objects.all(), today).values_list("pk", "flag"))


def check(request, today, expected):
    assert rq.flag_of(request, today) == expected
    assert flags_by_query(today)[request.pk] == expected
    for flag in (rq.OVERDUE, rq.CLOSED_LATE, rq.DUE_SOON):
        matched = Request.objects.filter(rq.flag_q(flag, today), pk=request.pk).exists()
        assert matched == (flag == expected)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DEADLINE + timedelta(days=1), rq.OVERDUE),  # the next day: overdue
        (DEADLINE, rq.DUE_SOON),  # the deadline day itself is on time
        (DEADLINE - timedelta(days=3), rq.DUE_SOON),
        (DEADLINE - timedelta(days=4), ""),
        (date(2026, 4, 30), rq.OVERDUE),
    ],
)
def test_an_open_request_is_overdue_only_after_its_deadline_day(world, today, expected):
    request = make_request(
        world.user("township_a"),
        world.person_a1,
        S.IN_PROGRESS,
        raised_on=date(2026, 3, 1),
        deadline=DEADLINE,
    )
    check(request, today, expected)


@pytest.mark.parametrize("state", [S.RECEIVED, S.ASSIGNED, S.IN_PROGRESS])
def test_every_open_state_becomes_overdue(world, state):
    request = make_request(
        world.user("township_a"),
        world.person_a1,
        state,
        raised_on=date(2025, 12, 1),
        deadline=date(2025, 12, 31),
    )
    check(request, date(2026, 1, 1), rq.OVERDUE)


@pytest.mark.parametrize(
    ("closed_on", "expected"),
    [(DEADLINE, ""), (DEADLINE + timedelta(days=1), rq.CLOSED_LATE)],
)
def test_a_request_closed_after_its_deadline_is_closed_late_and_stays_so(
    world, closed_on, expected
):
    for state in (S.CLOSED, S.REVISITED):
        request = make_request(
            world.user("township_a"),
            world.person_a1,
            state,
            raised_on=date(2026, 3, 1),
            deadline=DEADLINE,
            closed_on=closed_on,
        )
        check(request, date(2026, 6, 1), expected)
        request.delete()


def test_a_closed_request_is_never_overdue_nor_due_soon(world):
    request = make_request(
        world.user("township_a"),
        world.person_a1,
        S.CLOSED,
        raised_on=date(2026, 3, 1),
        deadline=DEADLINE,
        closed_on=date(2026, 3, 20),
    )
    check(request, DEADLINE - timedelta(days=1), "")
    check(request, DEADLINE + timedelta(days=30), "")


def test_my_open_requests_are_those_i_raised_or_handle_within_scope(world):
    mine = make_request(world.user("village_a"), world.person_a1, S.RECEIVED)
    make_request(world.user("village_a"), world.person_a1, S.CLOSED)
    make_request(world.user("township_a"), world.person_a1, S.RECEIVED)
    assert list(rq.my_open_requests(world.user("village_a"))) == [mine]
