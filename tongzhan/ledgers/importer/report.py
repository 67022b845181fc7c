"""The import report (.xlsx): every data row of the file with its outcome, state, and each
problem as "column: reason". ID numbers are masked; the first lines say who exported it
and when (the watermark of every export). Written by xlsxwriter in constant memory.
"""

from collections.abc import Iterator

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ImportJob, ImportRow, RowState

HEADERS = (
    (gettext_lazy("行号"), 7),
    (gettext_lazy("处理结果"), 10),
    (gettext_lazy("状态"), 8),
    (gettext_lazy("姓名"), 12),
    (gettext_lazy("身份证号（脱敏）"), 21),
    (gettext_lazy("所属区域"), 14),
    (gettext_lazy("出生日期"), 12),
    (gettext_lazy("问题（列：原因）"), 70),
    (gettext_lazy("疑似重复的已有记录"), 30),
)


def outcome(job: ImportJob, state: str, duplicate: bool) -> str:
    """What happened to a row: written, or reported instead (or, before confirming, which)."""
    importable = state in (RowState.OK, RowState.WARNING) and not (
        duplicate and job.options.get("skip_duplicates")
    )
    if job.status == ImportJob.Status.DONE:
        return _("已导入") if importable else _("未导入")
    return _("将导入") if importable else _("不导入")


def issue_lines(issues: list) -> str:
    return "\n".join(
        f"{column}：{message}" if column else message for _level, column, message in issues
    )


def match_text(matches: list) -> str:
    return "；".join(
        f"{m['name']}（{m['region']}）" if m.get("id") else _("（管辖范围外的记录）")
        for m in matches
    )


def rows_of(job: ImportJob, chunk: int = 2000) -> Iterator[tuple]:
    """Every row of the job in line order, by keyset pages (bounded memory)."""
    last = 0
    while True:
        page = list(
            ImportRow.objects.filter(job=job, line__gt=last)
            .order_by("line")
            .values_list("line", "state", "duplicate", "issues", "summary", "matches")[:chunk]
        )
        yield from page
        if len(page) < chunk:
            return
        last = page[-1][0]


def write_report(job: ImportJob, target, exported_by) -> int:
    """Write the report to `target` (a path or a binary file); returns the rows written."""
    output = target if hasattr(target, "write") else str(target)
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(_("导入报告"))
    title = workbook.add_format({"bold": True, "font_size": 14})
    head = workbook.add_format(
        {"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True}
    )
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for column, (_label, width) in enumerate(HEADERS):
        sheet.set_column(column, column, width)
    sheet.write(0, 0, _("统战对象导入报告：%(f)s") % {"f": job.file_name}, title)
    sheet.write(1, 0, _watermark(job, exported_by))
    sheet.write(2, 0, _totals(job))
    sheet.write_row(3, 0, [str(label) for label, _width in HEADERS], head)
    sheet.freeze_panes(4, 0)
    labels = dict(RowState.choices)
    written = 0
    for line, state, duplicate, issues, summary, matches in rows_of(job):
        sheet.write_row(
            4 + written,
            0,
            [
                line,
                outcome(job, state, duplicate),
                str(labels.get(state, state)),
                summary.get("name", ""),
                summary.get("id", ""),
                summary.get("region", ""),
                summary.get("birth", ""),
                issue_lines(issues),
                match_text(matches),
            ],
            wrap,
        )
        written += 1
    workbook.close()
    return written


def _watermark(job: ImportJob, exported_by) -> str:
    now = timezone.localtime()
    return _("导入人：%(owner)s　导出人：%(who)s　导出时间：%(when)s　状态：%(status)s") % {
        "owner": job.user.get_username(),
        "who": exported_by.get_username() if exported_by else "-",
        "when": f"{now:%Y-%m-%d %H:%M}",
        "status": job.get_status_display(),
    }


def _totals(job: ImportJob) -> str:
    return _(
        "数据行 %(rows)d：正常 %(ok)d，警告 %(warning)d，错误 %(error)d，跳过 %(skipped)d；"
        "疑似重复 %(dup)d；已导入 %(imported)d；另有空行 %(blank)d 行（不计入数据行）"
    ) % {
        "rows": job.rows_total,
        "ok": job.ok_count,
        "warning": job.warning_count,
        "error": job.error_count,
        "skipped": job.skipped_count,
        "dup": job.duplicate_count,
        "imported": job.imported_count,
        "blank": job.rows_blank,
    }
