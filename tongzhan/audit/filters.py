"""Filtering the audit log."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone (the auditor's calendar)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_entries(
    queryset,
    *,
    username="",
    action="",
    result="",
    object_type="",
    obj="",
    date_from=None,
    date_to=None,
):
    if username:
        queryset = queryset.filter(username__icontains=username)
    if action:
        queryset = queryset.filter(action=action)
    if result:
        queryset = queryset.filter(result=result)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if obj:
        queryset = queryset.filter(Q(object_id=obj) | Q(object_repr__icontains=obj))
    if date_from:
        queryset = queryset.filter(time__gte=start_of_day(date_from))
    if date_to:
        queryset = queryset.filter(time__lt=start_of_day(date_to + timedelta(days=1)))
    return queryset
