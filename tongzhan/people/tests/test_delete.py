"""Deleting a record is for one entered by mistake: a record that work names (contact
logs, requests, pairings, memberships, an organisation it leads) is refused on the page,
the API and in the service, and nothing is deleted; the answer says what holds it and
points to the status change and the merge."""

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.engagement.models import ContactLog, Pairing, Request
from tongzhan.engagement.tests.contact_factory import log_for
from tongzhan.engagement.tests.pairing_factory import pair
from tongzhan.engagement.tests.request_factory import make_request
from tongzhan.orgs.models import Membership
from tongzhan.orgs.tests.helpers import make_org
from tongzhan.people import services
from tongzhan.people.models import Person, ResumeEntry
from tongzhan.testing import login_as


def deletes(world):
    return AuditEntry.objects.filter(action=AuditAction.DELETE).count()


def work_of(world, kind):
    """Give world.person_a1 one row of `kind`; returns the label the refusal names."""
    staff, person = world.user("county_staff"), world.person_a1
    if kind == "contact":
        log_for(staff, [person])
        return "联系记录 1 条"
    if kind == "request":
        make_request(staff, person)
        return "诉求 1 条"
    if kind == "pairing":
        pair(world, person=person)
        return "结对 1 条"
    if kind == "membership":
        Membership.objects.create(organisation=make_org(), person=person, role="会员")
        return "组织成员 1 条"
    make_org(leader=person)
    return "组织（负责人） 1 条"


@pytest.mark.parametrize("kind", ["contact", "request", "pairing", "membership", "leader"])
def test_a_record_with_work_is_not_deleted(world, kind):
    named = work_of(world, kind)
    before = deletes(world)
    with pytest.raises(services.PersonInUse) as refused:
        services.do_delete_person(world.user("county_staff"), world.person_a1)
    assert named in str(refused.value)
    assert "变更状态" in str(refused.value) and "合并" in str(refused.value)
    assert Person.objects.filter(pk=world.person_a1.pk).exists()
    assert deletes(world) == before


def test_the_refusal_counts_each_kind_of_work(world):
    staff, person = world.user("county_staff"), world.person_a1
    log_for(staff, [person])
    log_for(staff, [person, world.person_a2])
    make_request(staff, person)
    assert dict(services.linked_work(person)) == {"联系记录": 2, "诉求": 1}
    assert services.linked_work(world.person_a2) == [("联系记录", 1)]


def test_a_record_with_only_its_own_rows_is_deleted_with_them(world):
    person = world.person_a1
    ResumeEntry.objects.create(
        person=person, start=date(2001, 9, 1), description="清溪镇中心小学教师"
    )
    assert services.linked_work(person) == []
    services.do_delete_person(world.user("county_staff"), person)
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not ResumeEntry.objects.filter(person_id=person.pk).exists()


def test_the_page_explains_instead_of_offering_the_button(world):
    make_request(world.user("county_staff"), world.person_a1)
    client = login_as(Client(), world.user("township_a"))
    url = reverse("people:delete", args=[world.person_a1.pk])
    shown = client.get(url).content.decode()
    assert "诉求 1 条" in shown and "确认删除" not in shown
    assert reverse("people:status", args=[world.person_a1.pk]) in shown
    assert "查找重复人员" in shown  # the same words as the list's button to that page
    answer = client.post(url)
    assert answer.status_code == 200 and "诉求 1 条" in answer.content.decode()
    assert Person.objects.filter(pk=world.person_a1.pk).exists()
    assert Request.objects.filter(person=world.person_a1).count() == 1


def test_the_page_still_deletes_a_record_entered_by_mistake(world):
    client = login_as(Client(), world.user("township_a"))
    url = reverse("people:delete", args=[world.person_a1.pk])
    assert "确认删除" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Person.objects.filter(pk=world.person_a1.pk).exists()


def test_the_api_answers_409_and_keeps_the_work(world):
    log = log_for(world.user("county_staff"), [world.person_a1])
    pair(world, person=world.person_a1)
    client = login_as(Client(), world.user("county_staff"))
    response = client.delete(f"/api/v1/people/{world.person_a1.pk}")
    assert response.status_code == 409, response.content
    detail = json.loads(response.content)["detail"]
    assert "联系记录 1 条" in detail and "结对 1 条" in detail
    assert list(log.persons.all()) == [world.person_a1]
    assert Pairing.objects.filter(person=world.person_a1).exists()
    assert ContactLog.objects.filter(pk=log.pk).exists()


def test_the_api_deletes_a_record_without_work(world):
    client = login_as(Client(), world.user("county_staff"))
    assert client.delete(f"/api/v1/people/{world.person_a1.pk}").status_code == 204
    assert not Person.objects.filter(pk=world.person_a1.pk).exists()
