"""`tongzhan demo`: build the demo world (demo mode only) and print the demo accounts."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tongzhan.core import demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table that lines up with Chinese text in a terminal."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "建立演示数据（仅演示模式 TONGZHAN_DEMO=1）：虚构的清溪县区划、每个角色一个演示账户、"
        "数百名统战对象。可重复运行，不会重复创建。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--codes", action="store_true", help="只打印演示三员账户当前的两步验证码"
        )
        parser.add_argument(
            "--remove-accounts",
            action="store_true",
            help="删除全部演示账户（上线前使用；不需要演示模式）",
        )

    def handle(self, *args, **options):
        if options["remove_accounts"]:
            return self._remove_accounts()
        if not settings.DEMO_MODE:
            raise CommandError(
                "演示数据只能在演示模式下建立：请设置环境变量 TONGZHAN_DEMO=1（生产环境不得有演示账户）。"
            )
        if options["codes"]:
            return self._print_codes()
        try:
            with transaction.atomic():
                regions = demo.build_regions()
                accounts = demo.build_users()
                users = {spec.username: user for spec, user, _secret in accounts}
                created, kept = demo.build_persons(users)
                work = self._build_work_records()
        except demo.NotADemoAccount as exc:
            raise CommandError(
                f"用户名 {exc} 已被正式账户使用，演示数据不会改动它；请在另一个数据库中运行演示。"
            ) from exc
        self.stdout.write(f"区划：{regions.summary()}")
        self.stdout.write(f"统战对象：新建 {created} 人，已有 {kept} 人")
        self.stdout.write(work)
        self._print_accounts(accounts)

    def _build_work_records(self) -> str:
        """Organisations and the work records on top of the registry. Order matters:
        contact logs bring pairings up to date, requests may come from contact logs."""
        from django.utils import timezone

        from tongzhan.engagement import demo_contacts, demo_pairings, demo_requests
        from tongzhan.orgs import demo as orgs_demo

        today = timezone.localdate()
        orgs_new, orgs_kept = orgs_demo.load(today)
        pairings = demo_pairings.load(today)
        logs = demo_contacts.load(today)
        requests = demo_requests.load(today)
        return (
            f"组织：新建 {orgs_new} 个，已有 {orgs_kept} 个；结对：新建 {pairings} 对；"
            f"联系记录：新建 {logs} 条；诉求：新建 {requests} 件"
        )

    def _print_accounts(self, accounts) -> None:
        from tongzhan.accounts.roles import ROLES
        from tongzhan.core.models import Region

        names = Region.objects.in_bulk({spec.region for spec, _user, _secret in accounts})
        rows = [
            [
                spec.username,
                str(ROLES[spec.role].label),
                names[spec.region].name,
                demo.DEMO_PASSWORD,
                secret or "—",
            ]
            for spec, _user, secret in accounts
        ]
        self.stdout.write("\n演示账户（密码相同；仅限演示，生产环境启动时会拒绝运行）：\n")
        header = ["用户名", "角色", "区域", "密码", "两步验证密钥（TOTP）"]
        self.stdout.write(table(header, rows))
        self.stdout.write(
            "\n系统管理员、安全管理员、审计管理员登录时须输入两步验证码：把上面的密钥加入身份验证器"
            "（如 Microsoft Authenticator、FreeOTP），或运行 `TONGZHAN_DEMO=1 tongzhan demo --codes` "
            "查看当前验证码。"
        )

    def _print_codes(self) -> None:
        from django_otp.oath import TOTP
        from django_otp.plugins.otp_totp.models import TOTPDevice

        devices = TOTPDevice.objects.filter(user__is_demo=True, confirmed=True).select_related(
            "user"
        )
        rows = []
        for device in devices.order_by("user__username"):
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            rows.append([device.user.username, f"{totp.token():0{device.digits}d}"])
        if not rows:
            raise CommandError("没有演示三员账户：请先运行 `TONGZHAN_DEMO=1 tongzhan demo`。")
        self.stdout.write(table(["用户名", "当前验证码（30 秒内有效）"], rows))

    def _remove_accounts(self) -> None:
        from tongzhan.accounts.models import User
        from tongzhan.audit.models import AuditAction
        from tongzhan.audit.services import record
        from tongzhan.core.services import cli_username
        from tongzhan.engagement.models import Pairing

        with transaction.atomic():
            names = sorted(User.objects.filter(is_demo=True).values_list("username", flat=True))
            # A pairing needs its cadre (PROTECT keeps real ones from vanishing with an
            # account); the demo cadres' pairings are demo data and go with them.
            Pairing.objects.filter(cadre__is_demo=True).delete()
            User.objects.filter(is_demo=True).delete()
            if names:
                record(
                    AuditAction.ACCOUNT,
                    username=cli_username(),
                    object_type="accounts.user",
                    object_repr="删除演示账户",
                    detail={"deleted": names},
                )
        self.stdout.write(f"已删除 {len(names)} 个演示账户。")
