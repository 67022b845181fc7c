"""`tongzhan verify-audit`: walk the audit chain; exit 1 when anything was changed,
inserted or deleted, so that cron or a monitoring check can alert on it."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongzhan.audit.services import verify_chain


class Command(BaseCommand):
    help = "校验审计日志的 HMAC-SM3 链；发现被修改、插入或删除的记录时以状态 1 退出。"

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000, help="每次从数据库读取的记录数")
        parser.add_argument("--max-listed", type=int, default=1000, help="最多列出的问题数")

    def handle(self, *args, chunk_size, max_listed, **options):
        started = time.monotonic()
        report = verify_chain(chunk_size=max(chunk_size, 1), max_listed=max(max_listed, 0))
        seconds = time.monotonic() - started
        self.stdout.write(
            _("已校验 %(n)d 条审计记录，用时 %(s).1f 秒。") % {"n": report.checked, "s": seconds}
        )
        if report.checked:
            # Keep this line outside the database (a cron log): a later run that finds an
            # earlier last entry shows the tail was cut and the head rewritten.
            self.stdout.write(
                _("最后一条：第 %(seq)d 条，MAC %(mac)s")
                % {"seq": report.last_seq, "mac": report.last_mac}
            )
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(str(problem)))
        if report.unlisted:
            self.stdout.write(_("另有 %(n)d 个问题未列出。") % {"n": report.unlisted})
        if report.key_suspect:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "全部记录都校验失败：多半是当前的审计密钥与写入时不同，"
                        "请核对密钥文件或 TONGZHAN_AUDIT_KEY。"
                    )
                )
            )
        if not report.ok:
            raise CommandError(
                _("审计链校验未通过：发现 %(n)d 个问题。") % {"n": report.problem_count},
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(_("审计链完整。")))
