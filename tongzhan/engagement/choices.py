"""Code tables of the engagement app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactMode(models.TextChoices):
    """How a contact happened (DOMAIN.md)."""

    VISIT = "visit", _("走访")
    FORUM = "forum", _("座谈")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    ACTIVITY = "activity", _("活动")


class RequestCategory(models.TextChoices):
    """What a request (诉求) is about: the kinds a county usually tallies."""

    FINANCING = "financing", _("融资信贷")
    LAND = "land", _("用地用房")
    POLICY = "policy", _("政策咨询")
    PERMITS = "permits", _("审批办证")
    EMPLOYMENT = "employment", _("用工就业")
    LEGAL = "legal", _("法律维权")
    EDUCATION = "education", _("子女教育")
    MEDICAL = "medical", _("医疗养老")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    RELIGIOUS_AFFAIRS = "religious_affairs", _("宗教事务")
    OVERSEAS_AFFAIRS = "overseas_affairs", _("涉侨事务")
    OTHER = "other", _("其他")


class RequestState(models.TextChoices):
    """The life of a request: 受理 → 交办 → 办理中 → 办结 → 回访."""

    RECEIVED = "received", _("受理")
    ASSIGNED = "assigned", _("交办")
    IN_PROGRESS = "in_progress", _("办理中")
    CLOSED = "closed", _("办结")
    REVISITED = "revisited", _("回访")


# Each state's only next state: no step is skipped and none goes back.
NEXT_STATE = {
    RequestState.RECEIVED: RequestState.ASSIGNED,
    RequestState.ASSIGNED: RequestState.IN_PROGRESS,
    RequestState.IN_PROGRESS: RequestState.CLOSED,
    RequestState.CLOSED: RequestState.REVISITED,
}
OPEN_STATES = (RequestState.RECEIVED, RequestState.ASSIGNED, RequestState.IN_PROGRESS)


class Satisfaction(models.TextChoices):
    """The person's view of how the request was handled, asked at 回访."""

    SATISFIED = "satisfied", _("满意")
    MOSTLY = "mostly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
