"""`tongzhan worker`: the background worker (ledger imports and any other queued task).

The django-tasks database backend's `db_worker` under the project's name; every option
of db_worker applies (`--batch` runs what is queued and exits).
"""

from django.core.management.base import CommandError

try:
    from django_tasks_db.management.commands.db_worker import Command as DbWorker
except ImportError:  # pragma: no cover - the package is in the lockfile
    DbWorker = None


if DbWorker is not None:

    class Command(DbWorker):
        help = "后台任务进程：执行排队的任务（如花名册导入的检查和写入）。同 db_worker。"

else:  # pragma: no cover
    from django.core.management.base import BaseCommand

    class Command(BaseCommand):
        help = "后台任务进程（需要 django-tasks-db）。"

        def handle(self, *args, **options):
            raise CommandError(
                "未安装 django-tasks-db：任务在提交它的请求中直接执行，无需后台进程。"
            )
