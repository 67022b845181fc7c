"""Writing and verifying the audit chain. `record` is the only writer of entries."""

import json
from dataclasses import dataclass, field
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tongzhan.lib.crypto import audit_key, constant_time_equal, hmac_sm3

from .context import current
from .models import AuditEntry, AuditHead, AuditResult


def canonical_detail(detail: dict | None) -> str:
    if not detail:
        return ""
    return json.dumps(
        detail, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def entry_mac(entry: AuditEntry, previous_mac: str) -> str:
    """HMAC-SM3 over the previous MAC and every field of the entry."""
    fields = [
        entry.seq,
        entry.time.astimezone(UTC).isoformat(timespec="microseconds"),
        entry.user_id,
        entry.username,
        entry.ip,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.result,
        entry.detail,
    ]
    message = previous_mac + "|" + json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hmac_sm3(audit_key(), message.encode()).hex()


def record(
    action: str,
    *,
    user=None,
    obj=None,
    result: str = AuditResult.SUCCESS,
    detail: dict | None = None,
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction when there is one, so an
    entry for a change that rolls back rolls back with it."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    if user is not None and getattr(user, "is_authenticated", False):
        username = username or user.get_username()
        user_id = user.pk
    else:
        user_id = None
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            time=timezone.now(),
            user_id=user_id,
            username=username[:150],
            ip=current.get().ip,
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            object_repr=object_repr[:200],
            result=result,
            detail=canonical_detail(detail),
        )
        entry.mac = entry_mac(entry, head.mac)
        entry.save(force_insert=True)
        head.seq, head.mac = entry.seq, entry.mac
        head.save(update_fields=["seq", "mac"])
    return entry


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(chunk_size: int = 2000) -> VerifyReport:
    """Walk the chain in order: a changed row fails its MAC, a deleted row leaves a gap
    (or a short tail against the head), an inserted row cannot carry a valid MAC."""
    report = VerifyReport()
    expected_seq, previous_mac = 1, ""
    entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for entry in entries:
        report.checked += 1
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                report.problems.append(f"第 {expected_seq}–{entry.seq - 1} 条缺失（被删除）")
            else:
                report.problems.append(f"第 {entry.seq} 条序号重复或被插入")
        if not constant_time_equal(entry_mac(entry, previous_mac), entry.mac):
            report.problems.append(f"第 {entry.seq} 条校验失败（被修改或伪造）")
        expected_seq, previous_mac = entry.seq + 1, entry.mac
    head = AuditHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.mac != previous_mac):
        report.problems.append(
            f"链头记录为第 {head.seq} 条，实际最后一条为第 {last_seq} 条（末尾记录被删除或链头被改）"
        )
    return report
