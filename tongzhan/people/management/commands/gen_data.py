"""`tongzhan gen-data --persons N`: synthetic persons at scale, for benchmarks and demos."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.services import cli_username
from tongzhan.lib.divisioncode import DivisionCodeError
from tongzhan.people import gendata


class Command(BaseCommand):
    help = (
        "生成合成的统战对象数据（仅供性能测试与演示，不是真实人员）："
        "省内区划很少时先建立一棵合成区划树（模拟省（合成数据）：约 11 个市、90 个县、1,300 个乡镇、"
        "20,000 个村社区），再按姓氏频率生成姓名、有效的身份证号（校验位、出生日期、性别一致）、"
        "手机号、类别、党派、党外代表人士、政治安排、企业（有效统一社会信用代码）与状态。"
        "身份证号和手机号照常加密并建盲索引；不为每个人写审计记录，只写一条汇总记录。"
        "数据库中有非演示账户时拒绝运行（生产库），除非加 --force。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, required=True, help="生成的人数")
        parser.add_argument(
            "--seed", type=int, default=1, help="随机种子（同一种子生成同样的数据）"
        )
        parser.add_argument(
            "--province",
            default=gendata.DEFAULT_PROVINCE,
            help=f"省级区划代码（12 位，默认 {gendata.DEFAULT_PROVINCE}）",
        )
        parser.add_argument(
            "--chunk", type=int, default=gendata.DEFAULT_CHUNK, help="每个事务写入的人数"
        )
        parser.add_argument(
            "--force", action="store_true", help="即使存在非演示账户也运行（切勿用于生产库）"
        )

    def handle(self, *args, persons, seed, province, chunk, force, **options):
        from tongzhan.accounts.models import User

        if persons < 1 or chunk < 1:
            raise CommandError("--persons 和 --chunk 必须是正整数。")
        real = User.objects.filter(is_demo=False).count()
        if real and not force:
            raise CommandError(
                f"数据库中有 {real} 个非演示账户，看起来是正式数据库：合成数据不得写入正式数据库。"
                "请换一个数据库运行；确需运行请加 --force。"
            )
        self.stdout.write(f"生成 {persons:,} 名合成统战对象（{connection.vendor}，种子 {seed}）")
        try:
            tree, done = gendata.generate(
                persons, seed=seed, province=province, chunk=chunk, progress=self._progress
            )
        except (DivisionCodeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        record(
            AuditAction.CREATE,
            username=cli_username(),
            object_type="people.person",
            object_repr="gen-data 合成数据",
            detail={"persons": done.persons, "rows": done.rows, "seed": seed, "province": province},
        )
        self.stdout.write(
            f"完成：{done.persons:,} 人、共 {done.rows:,} 行，用时 {done.seconds:.1f} 秒"
            f"（{done.persons_per_second:,.0f} 人/秒，{done.rows_per_second:,.0f} 行/秒）；"
            f"新建区划 {tree.created:,} 个，使用村级区划 {len(tree.villages):,} 个。"
        )

    def _progress(self, state: gendata.Progress) -> None:
        self.stdout.write(
            f"  {state.persons:>10,} / {state.total:,} 人  {state.rows:>11,} 行  "
            f"{state.seconds:7.1f} 秒  {state.persons_per_second:>7,.0f} 人/秒  "
            f"{state.rows_per_second:>8,.0f} 行/秒"
        )
