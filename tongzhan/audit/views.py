"""The audit log, for the 审计管理员 only."""

from django.http import Http404


def audit_log(request):  # replaced while issue #2 is in progress
    raise Http404
