"""Region pages for the 系统管理员."""

from django.http import Http404


def region_list(request):  # replaced while issue #2 is in progress
    raise Http404
