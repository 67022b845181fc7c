from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tongzhan.accounts"
    verbose_name = "账户与角色"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login/logout audit)
