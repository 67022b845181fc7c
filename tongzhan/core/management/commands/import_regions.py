"""`tongzhan import-regions FILE.csv [--year YYYY] [--dry-run] [--partial]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongzhan.core.regioncsv import RegionFileError, read_region_csv
from tongzhan.core.services import RegionImportError, do_import_regions, plan_region_import


class Command(BaseCommand):
    help = (
        "导入行政区划（统计用区划代码 CSV：区划代码,名称[,城乡分类][,年度]，UTF-8 或 GBK）。"
        "新增或更新代码与名称；文件最上层区划之下、文件中已没有的区划标为撤销（不删除）。"
        "有任何一行出错则不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件")
        parser.add_argument(
            "--year", type=int, help="区划代码的年度（默认取文件中的年度列，没有则取今年）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告变化，不写入")
        parser.add_argument(
            "--partial", action="store_true", help="部分更新：不撤销文件中缺少的区划"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            parsed = read_region_csv(path.read_bytes())
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc
        except RegionFileError as exc:
            raise CommandError(str(exc)) from exc
        year, partial = options["year"], options["partial"]
        try:
            if options["dry_run"]:
                plan = plan_region_import(parsed, year, partial=partial)
                if not plan.ok:
                    raise RegionImportError(plan)
            else:
                if parsed.errors:
                    # Report the line errors together with the ones found against the tree.
                    raise RegionImportError(plan_region_import(parsed, year, partial=partial))
                plan = do_import_regions(None, parsed.rows, year, partial=partial, source=path.name)
        except RegionImportError as exc:
            for message in exc.plan.errors:
                self.stderr.write(message)
            raise CommandError(f"共 {len(exc.plan.errors)} 处错误，未写入任何数据。") from exc
        done = "检查完成（--dry-run，未写入）" if options["dry_run"] else "导入完成"
        self.stdout.write(f"{done}：{plan.year} 年度，{plan.rows} 行；{plan.summary()}")
