"""The demo contact logs: about 60 over the past year, some 补录, entered near when they
happened; they bring some pairings up to date and leave others overdue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tongzhan.core import demo
from tongzhan.engagement import demo_contacts, demo_pairings
from tongzhan.engagement.due import is_late_entry
from tongzhan.engagement.models import Attachment, ContactLog, EngagementSettings, Pairing


@pytest.fixture
def demo_world(db, settings):
    settings.DEMO_MODE = True
    demo.build_regions()
    accounts = demo.build_users()
    demo.build_persons({spec.username: user for spec, user, _secret in accounts})
    today = timezone.localdate()
    demo_pairings.load(today)
    return demo_contacts.load(today)


def test_about_sixty_logs_over_the_past_year_some_of_them_late(demo_world):
    today = timezone.localdate()
    assert 50 <= demo_world == ContactLog.objects.count() <= 70
    assert not ContactLog.objects.filter(happened_on__lt=today - timedelta(days=550)).exists()
    late = ContactLog.objects.filter(is_late=True).count()
    assert 3 <= late <= demo_world // 2
    assert ContactLog.objects.filter(created_by__username="village_a").exists()
    assert Attachment.objects.filter(is_image=True).count() == demo_contacts.PHOTOS


def test_each_demo_logs_late_mark_agrees_with_its_entry_time(demo_world):
    threshold = EngagementSettings.current().late_entry_days
    for log in ContactLog.objects.all():
        entered = timezone.localtime(log.entered_at).date()
        assert entered >= log.happened_on
        assert log.is_late == is_late_entry(log.happened_on, entered, threshold)


def test_the_logs_bring_some_pairings_up_to_date_and_leave_others_overdue(demo_world):
    today = timezone.localdate()
    pairings = list(Pairing.objects.all())
    assert any(p.last_contact_on and p.next_due_on > today for p in pairings)
    assert any(p.next_due_on < today for p in pairings)
    liaison = Pairing.objects.filter(cadre__username="village_a").order_by("start_date").first()
    assert liaison.last_contact_on is None and liaison.next_due_on < today


def test_loading_the_demo_logs_twice_adds_nothing(demo_world):
    count = ContactLog.objects.count()
    assert demo_contacts.load(timezone.localdate()) == 0
    assert ContactLog.objects.count() == count
