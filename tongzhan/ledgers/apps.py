from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "tongzhan.ledgers"
    verbose_name = "台账（导入与导出）"
