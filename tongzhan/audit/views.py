"""The audit log, for the 审计管理员 only: search, one entry, and chain verification."""

import json

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from tongzhan.lib.crypto import constant_time_equal

from .access import require_auditor
from .filters import filter_entries
from .forms import AuditFilterForm
from .models import AuditAction, AuditEntry, AuditResult
from .services import entry_mac, record, verify_chain

PAGE_SIZE = 50
# The page lists this many problems; `verify-audit` on the server lists them all.
LISTED_PROBLEMS = 200


@login_required
def audit_log(request):
    require_auditor(request.user)
    filters = AuditFilterForm(request.GET or None)
    # The detail text can be long and the list does not show it.
    entries = AuditEntry.objects.order_by("-seq").defer("detail", "mac")
    if filters.is_bound:
        if filters.is_valid():
            entries = filter_entries(entries, **filters.cleaned_data)
        else:
            entries = entries.none()  # an unfiltered list would look like the answer
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {"page": page, "filters": filters},
    )


@login_required
def audit_entry(request, seq):
    require_auditor(request.user)
    entry = get_object_or_404(AuditEntry, seq=seq)
    detail = _parsed(entry.detail)
    return render(
        request,
        "audit/entry.html",
        {
            "entry": entry,
            "detail_pretty": _pretty(detail, entry.detail),
            "changes": _labelled(change_rows(detail), entry.object_type),
            "link_ok": _link_ok(entry),
            "has_next": AuditEntry.objects.filter(seq=entry.seq + 1).exists(),
        },
    )


def _parsed(text: str):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None  # not JSON: only a changed row could hold that, shown as stored


def _pretty(detail, raw: str) -> str:
    if detail is None:
        return raw
    return json.dumps(detail, ensure_ascii=False, indent=2, sort_keys=True)


def change_rows(detail) -> list[dict]:
    """Field / before / after rows from the shapes the services write:
    {"changes": {f: {"before", "after"}}}, {"before": {...}} and {"after": {...}}."""
    if not isinstance(detail, dict):
        return []
    changes = detail.get("changes")
    if isinstance(changes, dict):
        return [
            {"field": name, "before": v.get("before"), "after": v.get("after")}
            for name, v in sorted(changes.items())
            if isinstance(v, dict)
        ]
    before, after = detail.get("before"), detail.get("after")
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    names = sorted(set(before) | set(after))
    return [{"field": n, "before": before.get(n), "after": after.get(n)} for n in names]


def _labelled(rows: list[dict], object_type: str) -> list[dict]:
    """Name each field as the model's form does (姓名 for name), where the model says."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        model = None
    for row in rows:
        try:
            row["label"] = str(model._meta.get_field(row["field"]).verbose_name)
        except (AttributeError, FieldDoesNotExist):
            row["label"] = row["field"]
    return rows


def _link_ok(entry: AuditEntry) -> bool | None:
    """This entry's MAC against the one before it; None when that one is missing."""
    if entry.seq == 1:
        previous_mac = ""
    else:
        previous = AuditEntry.objects.filter(seq=entry.seq - 1).values_list("mac", flat=True)
        if not previous:
            return None
        previous_mac = previous[0]
    return constant_time_equal(entry_mac(entry, previous_mac), entry.mac)


@login_required
def audit_verify(request):
    require_auditor(request.user)
    report = None
    if request.method == "POST":
        report = verify_chain(max_listed=LISTED_PROBLEMS)
        record(
            AuditAction.SECURITY,
            user=request.user,
            object_type="audit.auditentry",
            object_repr="审计链校验",
            result=AuditResult.SUCCESS if report.ok else AuditResult.FAILURE,
            detail={
                "checked": report.checked,
                "problems": report.problem_count,
                "last_seq": report.last_seq,
            },
        )
    return render(request, "audit/verify.html", {"report": report})
