"""`tongzhan create-sysadmin USERNAME --region CODE`: the deployment's first 系统管理员."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongzhan.accounts.services import do_bootstrap_sysadmin
from tongzhan.core.models import Region


class Command(BaseCommand):
    help = "创建第一个系统管理员（密码交互输入，或取自环境变量 TONGZHAN_INITIAL_PASSWORD）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--region", required=True, help="12 位区划代码（省、市或县级）")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args, username, region, name, **options):
        place = Region.objects.filter(code=region).first()
        if place is None:
            raise CommandError(f"区划代码 {region} 不存在：请先用 import-regions 导入区划。")
        password = os.environ.get("TONGZHAN_INITIAL_PASSWORD") or self._ask_password()
        try:
            user = do_bootstrap_sysadmin(username, password, place, display_name=name)
        except ValidationError as exc:
            messages = [m for ms in exc.message_dict.values() for m in ms]
            raise CommandError("；".join(messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建系统管理员 {user.username}（{place.name}）。首次登录须绑定两步验证（TOTP）。"
            )
        )

    @staticmethod
    def _ask_password() -> str:
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        return first
