"""A busy database answers 503 with a plain reason, not 500.

SQLite takes one writer at a time. A ledger import writes all its persons in one
transaction (a county's 17,000 in a few seconds, 100,000 in about half a minute), and a
save that waits longer than the busy timeout (settings.SQLITE_BUSY_SECONDS) fails with
"database is locked". Nothing of that request was written (its transaction rolled back
with the error), so the user is told to try again in a moment. PostgreSQL locks rows,
not the database, and never answers this.
"""

import logging

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


def is_database_busy(exc: BaseException | None) -> bool:
    """SQLite's answer when another connection held the write lock past the busy timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def busy_message() -> str:
    return _("系统正在写入大批数据（例如导入台账），本次操作未保存。请稍候片刻再试。")


class DatabaseBusyMiddleware:
    """Turns SQLite's "database is locked" raised by a view into 503 + Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        logger.warning("database busy: %s %s answered 503", request.method, request.path)
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": busy_message()}, status=503)
        else:
            # Rendered without the request's context, as the 500 page is: its context
            # processors read the database.
            context = {"message": busy_message(), "back": _back_url(request)}
            page = loader.get_template("errors/503.html").render(context)
            response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _back_url(request) -> str:
    """The page the user came from (its form is still filled in there), if it is ours."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"
