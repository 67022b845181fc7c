"""Ledger imports: an uploaded 花名册, checked row by row, written only when confirmed.

The rows keep the values to write with the ID and phone numbers already encrypted (and
masked for display), so the database never holds a raw number; the uploaded file itself
sits under settings.IMPORT_DIR (outside the web root) until the import ends.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STALE_AFTER = timedelta(hours=1)


class ImportJob(models.Model):
    """One uploaded ledger on its way from checking to writing; only its owner sees it."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        VALIDATING = "validating", _("检查中")
        VALIDATED = "validated", _("待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        DISCARDED = "discarded", _("已放弃")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    stored_file = models.CharField(max_length=200, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    message = models.CharField(_("说明"), max_length=500, blank=True)
    # default_region, default_categories (upload form); skip_duplicates (confirm form)
    options = models.JSONField(default=dict, blank=True)
    # What the reader found: sheet, header rows, columns used and ignored, file notes.
    layout = models.JSONField(default=dict, blank=True)
    # Progress of the running step (validation); the import step reports through a file.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Counts: rows_total = every non-blank row under the header = imported + not imported.
    rows_total = models.PositiveIntegerField(_("数据行"), default=0)
    rows_blank = models.PositiveIntegerField(_("空行"), default=0)
    ok_count = models.PositiveIntegerField(_("正常"), default=0)
    warning_count = models.PositiveIntegerField(_("警告"), default=0)
    error_count = models.PositiveIntegerField(_("错误"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过"), default=0)
    duplicate_count = models.PositiveIntegerField(_("疑似重复"), default=0)
    imported_count = models.PositiveIntegerField(_("已导入"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    validated_at = models.DateTimeField(_("检查完成时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATING, self.Status.IMPORTING)

    @property
    def can_confirm(self) -> bool:
        """Checked and not written: waiting for confirmation, or a write that failed (and
        rolled back) and may be confirmed again."""
        return self.validated_at is not None and self.status in (
            self.Status.VALIDATED,
            self.Status.FAILED,
        )

    @property
    def is_stale(self) -> bool:
        """Still marked as running an hour after it started: its worker has stopped (a
        check leaves no person behind; a write rolled back with it)."""
        started = self.confirmed_at if self.status == self.Status.IMPORTING else self.created_at
        return self.is_running and started < timezone.now() - STALE_AFTER

    @property
    def importable_count(self) -> int:
        """Rows that confirming would write (ok and warning, less excluded duplicates)."""
        return self.ok_count + self.warning_count - self.excluded_count

    @property
    def importable_without_duplicates(self) -> int:
        """What confirming with "疑似重复的行不导入" would write."""
        return self.ok_count + self.warning_count - self.duplicate_count

    @property
    def excluded_count(self) -> int:
        return self.duplicate_count if self.options.get("skip_duplicates") else 0

    @property
    def not_imported_count(self) -> int:
        """Rows reported instead of written: errors, skipped rows, excluded duplicates."""
        return self.rows_total - self.imported_count


class RowState(models.TextChoices):
    OK = "ok", _("正常")
    WARNING = "warning", _("警告")
    ERROR = "error", _("错误")
    SKIPPED = "skipped", _("跳过")


class ImportRow(models.Model):
    """One non-blank row of an uploaded ledger: its state, its problems by column, and the
    values confirming would write (ID and phone only encrypted and masked)."""

    # No index of its own: the unique (job, line) index serves lookups by job.
    job = models.ForeignKey(ImportJob, models.CASCADE, related_name="rows", db_index=False)
    line = models.PositiveIntegerField(_("行号"))
    state = models.CharField(_("状态"), max_length=10, choices=RowState.choices)
    # A likely duplicate (same name or pinyin and birth date), in the file or the registry.
    duplicate = models.BooleanField(_("疑似重复"), default=False)
    issues = models.JSONField(default=list, blank=True)  # [[column label, message], ...]
    summary = models.JSONField(default=dict, blank=True)  # name, id (masked), region
    data = models.JSONField(default=dict, blank=True)
    matches = models.JSONField(default=list, blank=True)  # registry persons it may duplicate

    class Meta:
        ordering = ["job_id", "line"]
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="uniq_import_line")]
        indexes = [models.Index(fields=["job", "state", "line"])]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"
