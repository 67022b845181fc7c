"""`tongzhan import-people FILE --user USERNAME [--dry-run]`: import a 花名册 from the shell.

The same checks as the web import, run in this process (no worker), for the given
user's scope; a plain-text progress bar on stderr, the summary on stdout, and the
report (.xlsx) written next to the current directory.
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tongzhan.core.choices import Category
from tongzhan.core.models import Region
from tongzhan.people.access import can_create

from ... import services
from ...models import ImportJob

PHASES = {"check": "检查", "write": "写入"}


class ProgressBar:
    """`检查 [#########-----------]  45%  45000/100000` on a terminal (redrawn in place);
    elsewhere one line per tenth, so a log stays readable."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width = stream, width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.shown: dict[str, int] = {}
        self.last_draw = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        total = max(total, done, 1)
        tenth = 10 * done // total
        if self.tty:
            if done < total and time.monotonic() - self.last_draw < 0.2:
                return
            self.last_draw = time.monotonic()
            self.stream.write("\r" + self._line(phase, done, total))
            if done >= total:
                self.stream.write("\n")
        elif self.shown.get(phase, -1) < tenth:
            self.shown[phase] = tenth
            self.stream.write(self._line(phase, done, total) + "\n")
        self.stream.flush()

    def _line(self, phase: str, done: int, total: int) -> str:
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{PHASES.get(phase, phase)} [{bar}] {100 * done // total:3d}%  {done}/{total}"


class Command(BaseCommand):
    help = (
        "导入统战对象花名册（.xlsx、.xls、.xlsm、.ods 或 .csv）。与网页导入相同的逐行检查；按 --user 的管辖范围"
        "写入；错误行不导入并写入报告（.xlsx）。--dry-run 只检查、不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="花名册文件（.xlsx / .csv）")
        parser.add_argument("--user", required=True, help="以该用户的身份和管辖范围导入")
        parser.add_argument("--dry-run", action="store_true", help="只检查并写报告，不写入")
        parser.add_argument("--region", default="", help="默认所属区域（12 位区划代码）")
        parser.add_argument(
            "--category", action="append", default=[], help="默认类别代码（01–12，可重复）"
        )
        parser.add_argument("--skip-duplicates", action="store_true", help="疑似重复的行不导入")
        parser.add_argument(
            "--report", help="报告文件路径（默认：当前目录下 <文件名>-导入报告-<编号>.xlsx）"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        user = self._user(options["user"])
        run_options = self._options(user, options)
        try:
            run = services.run_import(
                path,
                user,
                dry_run=options["dry_run"],
                options=run_options,
                # The wrapper adds a newline to each write; the bar redraws with "\r".
                progress=ProgressBar(self.stderr._out),
            )
        except services.ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        job = run.job
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.message)
        report = Path(options["report"] or f"{path.stem}-导入报告-{job.pk}.xlsx")
        services.do_write_report(user, job, report)
        self._summary(run, options["dry_run"], report)

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有启用的用户“{username}”")
        if not can_create(user):
            raise CommandError(f"用户“{username}”没有新增统战对象的权限，不能导入")
        return user

    def _options(self, user, options) -> dict:
        region = options["region"]
        if region and not Region.objects.filter(code=region, retired=False).exists():
            raise CommandError(f"区划代码“{region}”不存在")
        unknown = [c for c in options["category"] if c not in Category.values]
        if unknown:
            raise CommandError(f"未知的类别代码：{', '.join(unknown)}（应为 01–12）")
        return {
            "default_region": region,
            "default_categories": sorted(set(options["category"])),
            "skip_duplicates": options["skip_duplicates"],
        }

    def _summary(self, run, dry_run: bool, report: Path) -> None:
        job = run.job
        layout = job.layout
        write = self.stdout.write
        write(
            f"文件：{job.file_name}（工作表“{layout.get('sheet') or '-'}”，表头在第 {layout.get('header_line')} 行）"
        )
        write(
            f"数据行 {job.rows_total} = 正常 {job.ok_count} + 警告 {job.warning_count}"
            f" + 错误 {job.error_count} + 跳过 {job.skipped_count}"
            f"（疑似重复 {job.duplicate_count}；另有空行 {job.rows_blank} 行，不计）"
        )
        if dry_run:
            write(f"检查完成（--dry-run，未写入）：确认后将导入 {job.importable_count} 行")
        else:
            write(f"已导入 {job.imported_count} 人；未导入 {job.not_imported_count} 行")
        seconds = run.check_seconds + run.write_seconds
        write(
            f"用时：检查 {run.check_seconds:.1f} 秒，写入 {run.write_seconds:.1f} 秒"
            f"（{run.rows_per_second:,.0f} 行/秒）"
            if seconds
            else ""
        )
        write(f"报告：{report.resolve()}")
