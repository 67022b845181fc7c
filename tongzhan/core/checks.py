"""A production start refuses to run while demo accounts exist.

Two guards share one test: the WSGI entry point raises at start-up, and the
deployment system check (`tongzhan check --deploy`) reports it. Both read the
database carefully, since they may run before `migrate` has made the tables.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

DEMO_ACCOUNTS_ID = "tongzhan.E001"


def demo_account_count(using: str = "default") -> int:
    """How many demo users exist; 0 when the users table does not exist yet."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    connection = connections[using]
    try:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        if user_model._meta.db_table not in tables:
            return 0
        return user_model.objects.using(using).filter(is_demo=True).count()
    except DatabaseError:
        return 0  # no database to read: no demo account can be served either


def _message(count: int) -> str:
    return (
        f"数据库中有 {count} 个演示账户（is_demo），但未处于演示模式（TONGZHAN_DEMO 未开启）。"
        "生产环境不得保留演示账户。"
    )


HINT = "删除演示账户：`tongzhan demo --remove-accounts`；或仅用于演示时设置 TONGZHAN_DEMO=1。"


def refuse_demo_accounts() -> None:
    """Called by tongzhan.wsgi at start-up: raise when demo accounts exist outside demo mode."""
    if settings.DEMO_MODE:
        return
    count = demo_account_count()
    if count:
        raise ImproperlyConfigured(f"{_message(count)}{HINT}")


@checks.register(checks.Tags.security, deploy=True)
def check_no_demo_accounts(app_configs=None, **kwargs):
    if settings.DEMO_MODE:
        return []
    count = demo_account_count()
    if not count:
        return []
    return [checks.Error(_message(count), hint=HINT, id=DEMO_ACCOUNTS_ID)]
