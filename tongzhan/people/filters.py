"""Filtering the person list (page and API share it)."""

from django.db.models import Exists, OuterRef

from tongzhan.lib import divisioncode

from .models import PersonCategory


def filter_people(queryset, *, q="", region="", category="", status=""):
    if q:
        queryset = queryset.filter(name__contains=q)
    if region:
        low, high = divisioncode.subtree_range(region)
        queryset = queryset.filter(region_id__gte=low, region_id__lte=high)
    if category:
        queryset = queryset.filter(
            Exists(PersonCategory.objects.filter(person=OuterRef("pk"), category=category))
        )
    if status:
        queryset = queryset.filter(status=status)
    return queryset
