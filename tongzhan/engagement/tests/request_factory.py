"""Requests in a chosen state for the request tests: raised and advanced by the services,
so each carries the steps and audit rows a real one would."""

from datetime import date, timedelta

from django.utils import timezone

from tongzhan.engagement.choices import RequestCategory, RequestState, Satisfaction
from tongzhan.engagement.services import requests as services

ORDER = [
    RequestState.RECEIVED,
    RequestState.ASSIGNED,
    RequestState.IN_PROGRESS,
    RequestState.CLOSED,
    RequestState.REVISITED,
]


def step_kwargs(to_state, on: date, deadline: date | None = None) -> dict:
    """What a step to `to_state` needs, all filled in."""
    extra = {
        RequestState.ASSIGNED: {"handling_unit": "县人社局", "deadline": deadline},
        RequestState.CLOSED: {"result": "已协调解决"},
        RequestState.REVISITED: {"satisfaction": Satisfaction.SATISFIED},
    }.get(to_state, {})
    return {"to_state": to_state, "comment": f"意见：{to_state}", "acted_on": on, **extra}


def make_request(
    user,
    person,
    state=RequestState.RECEIVED,
    *,
    raised_on: date | None = None,
    deadline: date | None = None,
    closed_on: date | None = None,
    title="企业用工招聘难",
):
    """A request of `person` raised by `user`, advanced to `state`. Steps happen on the
    raised day except 办结 (on `closed_on` when given) and 回访 (the day after)."""
    today = timezone.localdate()
    raised_on = raised_on or today - timedelta(days=40)
    deadline = deadline or raised_on + timedelta(days=30)
    request = services.do_create_request(
        user,
        person=person,
        title=title,
        category=RequestCategory.EMPLOYMENT,
        raised_on=raised_on,
        deadline=deadline,
    )
    on = raised_on
    for to_state in ORDER[1 : ORDER.index(state) + 1]:
        if to_state == RequestState.CLOSED:
            on = closed_on or on
        elif to_state == RequestState.REVISITED:
            on = min(on + timedelta(days=1), today)
        request = services.do_advance_request(
            user, request, version=request.version, **step_kwargs(to_state, on, deadline)
        )
    return request
