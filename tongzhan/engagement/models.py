"""联谊交友 pairings, contact logs (联系记录) and requests (诉求/实事)."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tongzhan.core.scope import ScopedQuerySet

from .choices import ContactMode, RequestCategory, RequestState, Satisfaction

DEFAULT_INTERVAL_MONTHS = 3  # quarterly, the usual county rule
DEFAULT_LATE_ENTRY_DAYS = 7


def _person_line_q(lines: list[str]) -> Q:
    """The record's person is in one of the lines: the same test as the person's own scope."""
    from tongzhan.people.models import in_categories

    return in_categories(lines, person="person")


class EngagementSettings(models.Model):
    """The county's rules for the work records: one row, set by county staff."""

    late_entry_days = models.PositiveSmallIntegerField(
        _("补录阈值（天）"), default=DEFAULT_LATE_ENTRY_DAYS
    )
    default_interval_months = models.PositiveSmallIntegerField(
        _("默认联系周期（月）"), default=DEFAULT_INTERVAL_MONTHS
    )
    # {category code: months}; a category not listed uses default_interval_months. A
    # person in several categories is contacted at the shortest of their intervals.
    category_interval_months = models.JSONField(_("各类别联系周期（月）"), default=dict, blank=True)
    request_deadline_days = models.PositiveSmallIntegerField(
        _("诉求默认办理时限（天）"), default=30
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("联谊交友设置")
        verbose_name_plural = _("联谊交友设置")

    def __str__(self) -> str:
        return str(_("联谊交友设置"))

    @classmethod
    def current(cls) -> "EngagementSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()

    def interval_for(self, categories) -> int:
        months = [self.category_interval_months.get(c) for c in categories]
        return min([m for m in months if m] or [self.default_interval_months])


class Pairing(models.Model):
    """A cadre paired with a 党外代表人士 (联谊交友), to be contacted at an interval."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="pairings", verbose_name=_("干部")
    )
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="pairings", verbose_name=_("交友对象")
    )
    # Null: the county default for the person's categories (EngagementSettings).
    interval_months = models.PositiveSmallIntegerField(_("联系周期（月）"), null=True, blank=True)
    start_date = models.DateField(_("结对日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    # Kept up to date by the services (a contact log, a settings change) so that "who is
    # overdue" is an indexed date comparison, not a computation per row.
    last_contact_on = models.DateField(_("最近联系"), null=True, blank=True)
    next_due_on = models.DateField(_("下次应联系"), db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    scope_region_field = "person__region_id"
    # Merging two records of a person both paired with one cadre keeps one pairing.
    merge_keeps_kept_row = True

    class Meta:
        ordering = ["next_due_on", "pk"]
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "person"],
                condition=Q(end_date__isnull=True),
                name="uniq_open_pairing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre} ↔ {self.person}"

    @staticmethod
    def scope_line_q(lines: list[str]) -> Q:
        return _person_line_q(lines)


class ContactLog(models.Model):
    """One contact with persons (联系记录): when it happened, how, what was said."""

    happened_on = models.DateField(_("联系日期"))
    happened_time = models.TimeField(_("联系时间"), null=True, blank=True)
    mode = models.CharField(_("联系方式"), max_length=10, choices=ContactMode.choices)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    summary = models.TextField(_("交流内容"))
    persons = models.ManyToManyField(
        "people.Person", related_name="contact_logs", verbose_name=_("联系对象")
    )
    cadres = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="contact_logs", verbose_name=_("参与干部")
    )
    # The region of the first person contacted: the log's place in the scope rule.
    region = models.ForeignKey("core.Region", models.PROTECT, verbose_name=_("所属区域"))
    # When it was entered is kept apart from when it happened; 补录 is decided at entry
    # by the county threshold of that day and then never changes.
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    is_late = models.BooleanField(_("补录"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    scope_region_field = "region_id"
    scope_change_action = "record"

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        indexes = [models.Index(fields=["region", "happened_on"])]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.get_mode_display()}"

    @staticmethod
    def scope_line_q(lines: list[str]) -> Q:
        from tongzhan.people.models import in_categories

        through = ContactLog.persons.through
        persons = through.objects.filter(contactlog=OuterRef("pk"))
        return Q(Exists(persons.filter(in_categories(lines, person="person"))))


class ContactLogRevision(models.Model):
    """A contact log as it was before an edit: edits keep history."""

    log = models.ForeignKey(ContactLog, models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"))
    data = models.JSONField(_("修改前内容"))
    edited_at = models.DateTimeField(_("修改时间"), auto_now_add=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["log_id", "-version"]
        verbose_name = _("联系记录修改历史")
        verbose_name_plural = _("联系记录修改历史")

    def __str__(self) -> str:
        return f"{self.log_id} v{self.version}"


class Attachment(models.Model):
    """A photo or file of a contact log, stored outside the web root (MEDIA_ROOT/contact),
    served only through the scope rule."""

    log = models.ForeignKey(ContactLog, models.CASCADE, related_name="attachments")
    stored_name = models.CharField(max_length=100, editable=False)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    is_image = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["log_id", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class Request(models.Model):
    """A person's request (诉求/实事), followed from 受理 to 回访."""

    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="requests", verbose_name=_("诉求人")
    )
    contact_log = models.ForeignKey(
        ContactLog,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("来源联系记录"),
    )
    title = models.CharField(_("诉求事项"), max_length=100)
    description = models.TextField(_("诉求内容"), blank=True)
    category = models.CharField(_("类别"), max_length=20, choices=RequestCategory.choices)
    # The person's region when raised: the request's place in the scope rule.
    region = models.ForeignKey("core.Region", models.PROTECT, verbose_name=_("所属区域"))
    raised_on = models.DateField(_("提出日期"))
    handling_unit = models.CharField(_("承办单位"), max_length=100, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_requests",
        verbose_name=_("承办人"),
    )
    handler_name = models.CharField(_("承办人姓名"), max_length=50, blank=True)
    deadline = models.DateField(_("办理时限"))
    state = models.CharField(
        _("状态"), max_length=12, choices=RequestState.choices, default=RequestState.RECEIVED
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    revisited_on = models.DateField(_("回访日期"), null=True, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    scope_region_field = "region_id"
    scope_change_action = "record"

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        indexes = [
            models.Index(fields=["region", "state", "deadline"]),
            models.Index(fields=["state", "deadline"]),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_line_q(lines: list[str]) -> Q:
        return _person_line_q(lines)


class RequestStep(models.Model):
    """One step of a request's handling, with the comment made at it."""

    request = models.ForeignKey(Request, models.CASCADE, related_name="steps")
    from_state = models.CharField(max_length=12, choices=RequestState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=RequestState.choices)
    comment = models.TextField(_("意见"))
    acted_on = models.DateField(_("日期"))
    acted_at = models.DateTimeField(auto_now_add=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["request_id", "acted_at", "pk"]
        verbose_name = _("办理步骤")
        verbose_name_plural = _("办理步骤")

    def __str__(self) -> str:
        return f"{self.request_id} → {self.to_state}"
