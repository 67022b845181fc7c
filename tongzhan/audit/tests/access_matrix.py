"""Authorization matrix rows for the audit pages: the 审计管理员 only; others 404."""

from django.urls import reverse

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.testing import Case

AUDITOR_ONLY = {"auditor": 200, "anonymous": 302}


def an_entry(world) -> str:
    return reverse("audit:entry", args=[record(AuditAction.SECURITY, object_repr="矩阵").seq])


CASES = [
    Case(
        route="audit:log",
        method="GET",
        url=lambda w: reverse("audit:log"),
        expect=AUDITOR_ONLY,
        others=404,
    ),
    Case(route="audit:entry", method="GET", url=an_entry, expect=AUDITOR_ONLY, others=404),
    Case(
        route="audit:verify",
        method="GET",
        url=lambda w: reverse("audit:verify"),
        expect=AUDITOR_ONLY,
        others=404,
    ),
    Case(
        route="audit:verify",
        method="POST",
        url=lambda w: reverse("audit:verify"),
        expect=AUDITOR_ONLY,
        others=404,
    ),
]
