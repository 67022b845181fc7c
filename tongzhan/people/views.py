from django.http import Http404


def person_list(request, pk=None):  # replaced while issue #2 is in progress
    raise Http404


person_detail = person_stats = person_list
