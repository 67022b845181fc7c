"""The request workflow: 受理 → 交办 → 办理中 → 办结 → 回访, one step at a time, a comment at
each; what each step needs; the refused steps; scope, versions, audit."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.scope import OutOfScope, ReadOnly
from tongzhan.engagement.choices import RequestCategory, RequestState, Satisfaction
from tongzhan.engagement.models import EngagementSettings, Request, RequestStep
from tongzhan.engagement.services import requests as services

from .request_factory import ORDER, make_request, step_kwargs

S = RequestState


def today():
    return timezone.localdate()


def raise_for(user, person, **extra):
    values = {
        "person": person,
        "title": "厂房用地审批慢",
        "category": RequestCategory.LAND,
        "raised_on": today() - timedelta(days=2),
    }
    return services.do_create_request(user, **{**values, **extra})


def advance(user, request, to_state, **changes):
    kwargs = {**step_kwargs(to_state, today(), today() + timedelta(days=10)), **changes}
    return services.do_advance_request(user, request, version=request.version, **kwargs)


# --- raising -------------------------------------------------------------------------------


def test_a_new_request_is_received_with_a_first_step_and_the_county_default_deadline(world):
    settings = EngagementSettings.current()
    settings.request_deadline_days = 15
    settings.save()
    request = raise_for(world.user("township_a"), world.person_a1)
    assert request.state == S.RECEIVED
    assert request.region_id == world.person_a1.region_id
    assert request.deadline == request.raised_on + timedelta(days=15)
    step = RequestStep.objects.get(request=request)
    assert (step.from_state, step.to_state) == ("", S.RECEIVED)
    assert step.comment.startswith("受理")
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(request.pk)).exists()


def test_a_village_liaison_raises_a_request_for_a_person_of_its_village(world):
    request = raise_for(world.user("village_a"), world.person_a1)
    assert request.created_by == world.user("village_a")


def test_a_person_outside_the_view_scope_is_not_found(world):
    with pytest.raises(OutOfScope):
        raise_for(world.user("township_b"), world.person_a1)
    assert not Request.objects.exists()


def test_a_read_only_leader_cannot_raise_a_request(world):
    with pytest.raises(ReadOnly):
        raise_for(world.user("leader"), world.person_a1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"category": "nonsense"}, "category"),
        ({"raised_on": None}, "raised_on"),
        ({"raised_on": timezone.localdate() + timedelta(days=1)}, "raised_on"),
        ({"deadline": timezone.localdate() - timedelta(days=30)}, "deadline"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(world, changes, field):
    with pytest.raises(services.RequestError) as caught:
        raise_for(world.user("township_a"), world.person_a1, **changes)
    assert caught.value.field == field
    assert not Request.objects.exists()


# --- every allowed step ----------------------------------------------------------------------


def test_a_request_goes_through_every_state_in_order_with_each_steps_record(world):
    user = world.user("township_a")
    request = raise_for(user, world.person_a1)
    request = advance(user, request, S.ASSIGNED, handler=world.user("township_a"))
    assert request.handling_unit == "县人社局"
    assert request.handler_name == "township_a"
    assert request.deadline == today() + timedelta(days=10)
    request = advance(user, request, S.IN_PROGRESS)
    request = advance(user, request, S.CLOSED)
    assert (request.closed_on, request.result) == (today(), "已协调解决")
    request = advance(user, request, S.REVISITED)
    assert (request.revisited_on, request.satisfaction) == (today(), Satisfaction.SATISFIED)
    steps = list(request.steps.order_by("pk").values_list("from_state", "to_state", "comment"))
    assert [(f, t) for f, t, _c in steps] == list(zip(["", *ORDER[:-1]], ORDER, strict=True))
    assert all(comment for _f, _t, comment in steps)
    assert request.version == 5
    updates = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(request.pk))
    assert updates.count() == 4


# --- refused steps ---------------------------------------------------------------------------


def test_skipping_a_step_is_refused_with_the_current_and_asked_state(world):
    user = world.user("township_a")
    request = raise_for(user, world.person_a1)
    with pytest.raises(services.InvalidTransition) as caught:
        advance(user, request, S.IN_PROGRESS)
    assert "受理" in caught.value.message and "办理中" in caught.value.message
    request.refresh_from_db()
    assert request.state == S.RECEIVED and request.steps.count() == 1


def test_going_back_a_step_is_refused(world):
    user = world.user("township_a")
    request = make_request(user, world.person_a1, S.ASSIGNED)
    with pytest.raises(services.InvalidTransition):
        advance(user, request, S.RECEIVED)
    with pytest.raises(services.InvalidTransition):
        advance(user, request, S.ASSIGNED)


def test_nothing_follows_a_revisit(world):
    user = world.user("township_a")
    request = make_request(user, world.person_a1, S.REVISITED)
    for state in ORDER:
        with pytest.raises(services.InvalidTransition) as caught:
            advance(user, request, state)
        assert "回访" in caught.value.message


def test_an_unknown_state_is_refused(world):
    user = world.user("township_a")
    request = raise_for(user, world.person_a1)
    with pytest.raises(services.InvalidTransition):
        advance(user, request, "done")


@pytest.mark.parametrize(
    ("state", "to_state", "changes", "field"),
    [
        (S.RECEIVED, S.ASSIGNED, {"comment": "  "}, "comment"),
        (S.ASSIGNED, S.IN_PROGRESS, {"comment": ""}, "comment"),
        (S.RECEIVED, S.ASSIGNED, {"handling_unit": ""}, "handling_unit"),
        (S.RECEIVED, S.ASSIGNED, {"deadline": None}, "deadline"),
        (S.IN_PROGRESS, S.CLOSED, {"result": ""}, "result"),
        (S.CLOSED, S.REVISITED, {"satisfaction": ""}, "satisfaction"),
        (S.CLOSED, S.REVISITED, {"satisfaction": "ok"}, "satisfaction"),
        (S.RECEIVED, S.ASSIGNED, {"acted_on": None}, "acted_on"),
    ],
)
def test_a_step_without_what_it_needs_is_refused(world, state, to_state, changes, field):
    user = world.user("township_a")
    request = make_request(user, world.person_a1, state)
    with pytest.raises(services.RequestError) as caught:
        advance(user, request, to_state, **changes)
    assert caught.value.field == field
    request.refresh_from_db()
    assert request.state == state


def test_a_step_dated_before_the_previous_one_is_refused(world):
    user = world.user("township_a")
    request = raise_for(user, world.person_a1)
    with pytest.raises(services.RequestError) as caught:
        advance(user, request, S.ASSIGNED, acted_on=request.raised_on - timedelta(days=1))
    assert caught.value.field == "acted_on"


def test_a_stale_version_is_a_conflict_not_a_lost_update(world):
    user = world.user("township_a")
    request = raise_for(user, world.person_a1)
    stale = request.version
    advance(user, request, S.ASSIGNED)
    with pytest.raises(services.RequestConflict):
        services.do_advance_request(
            user, request, version=stale, **step_kwargs(S.IN_PROGRESS, today())
        )


def test_a_read_only_leader_cannot_advance_and_another_township_cannot_reach_it(world):
    request = raise_for(world.user("township_a"), world.person_a1)
    for persona in ("leader", "township_b"):
        with pytest.raises(OutOfScope):
            advance(world.user(persona), request, S.ASSIGNED)


# --- edit and delete -------------------------------------------------------------------------


def test_an_open_request_can_be_corrected_and_the_change_is_audited(world):
    user = world.user("township_a")
    request = raise_for(user, world.person_a1)
    new_deadline = request.deadline + timedelta(days=5)
    updated = services.do_update_request(
        user, request, {"title": "用地指标", "deadline": new_deadline}, request.version
    )
    assert (updated.title, updated.deadline, updated.version) == ("用地指标", new_deadline, 2)
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(request.pk))
    assert json.loads(entry.detail)["changes"]["title"] == {
        "before": "厂房用地审批慢",
        "after": "用地指标",
    }


def test_a_closed_request_can_no_longer_be_edited(world):
    user = world.user("township_a")
    request = make_request(user, world.person_a1, S.CLOSED)
    with pytest.raises(services.RequestError):
        services.do_update_request(user, request, {"title": "改"}, request.version)


def test_only_a_request_still_received_can_be_deleted(world):
    user = world.user("township_a")
    assigned = make_request(user, world.person_a1, S.ASSIGNED)
    with pytest.raises(services.RequestError):
        services.do_delete_request(user, assigned)
    received = raise_for(user, world.person_a1)
    services.do_delete_request(user, received)
    assert not Request.objects.filter(pk=received.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_id=str(received.pk)).exists()


def _log(person, persons=None):
    from tongzhan.engagement.choices import ContactMode
    from tongzhan.engagement.models import ContactLog

    log = ContactLog.objects.create(
        happened_on=today(), mode=ContactMode.VISIT, summary="走访", region_id=person.region_id
    )
    log.persons.add(*(persons or [person]))
    return log


def test_a_request_raised_in_a_contact_log_keeps_the_link(world):
    log = _log(world.person_a1)
    request = raise_for(world.user("village_a"), world.person_a1, contact_log=log)
    assert request.contact_log == log
    assert list(log.requests.all()) == [request]


def test_a_contact_log_that_does_not_name_the_person_is_refused(world):
    log = _log(world.person_a2)
    with pytest.raises(services.RequestError) as caught:
        raise_for(world.user("township_a"), world.person_a1, contact_log=log)
    assert caught.value.field == "contact_log"


def test_a_contact_log_out_of_scope_is_not_found(world):
    log = _log(world.person_b1)
    with pytest.raises(OutOfScope):
        raise_for(world.user("township_a"), world.person_a1, contact_log=log)
    assert not Request.objects.exists()
